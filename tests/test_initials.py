"""Initials typed with a surname (`Фалалеева Е. Е.`): the surname is what is needed, the
initials rank first the texts holding them; a text with her full name is found too."""

from __future__ import annotations

import pytest
from conftest import service_over

from search.models import SearchRequest

RECORDS = [
    {"id": "full", "title": "Экологический час", "date": "2021-04-20",
     "text": "Занятие провела библиотекарь Е. Е. Фалалеева."},
    {"id": "surname", "title": "Поход", "date": "2021-06-02",
     "text": "Ребята сходили в поход вместе с Фалалеевой."},
    {"id": "full-name", "title": "Субботник", "date": "2021-06-01",
     "text": "Субботник провела библиотекарь Фалалеева Елена Евгеньевна."},
    *({"id": f"other-{i}", "title": f"Встреча {i}", "date": "2021-05-05",
       "text": f"Гостем встречи был краевед Е. Е. Иванов ({i})."} for i in range(3)),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over(RECORDS, tmp_path_factory.mktemp("initials"))


@pytest.mark.parametrize("q", ["Фалалеева Е. Е.", "фалалеевой е.е."])
def test_initials_rank_first_but_the_surname_is_what_is_needed(service, q):
    """Every text with two initials «Е.» had been a partial match of the surname (two of
    its three words); then a text naming her «Фалалеева Елена Евгеньевна» was only a
    partial match (a librarian's trial). Now every text with the surname is a full match,
    those with the initials first; Е. Е. Иванов is none."""
    result = service.search(SearchRequest(q=q))
    assert [h.id for h in result.hits][0] == "full"
    assert {h.id for h in result.hits} == {"full", "surname", "full-name"}
    assert not result.partial and not result.relaxed
