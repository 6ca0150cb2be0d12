"""Initials typed with a surname (`Фалалеева Е. Е.`): they narrow the full matches, and
a partial match must hold more than them."""

from __future__ import annotations

import pytest
from conftest import service_over

from search.models import SearchRequest

RECORDS = [
    {"id": "full", "title": "Экологический час", "date": "2021-04-20",
     "text": "Занятие провела библиотекарь Е. Е. Фалалеева."},
    {"id": "surname", "title": "Поход", "date": "2021-06-02",
     "text": "Ребята сходили в поход вместе с Фалалеевой."},
    *({"id": f"other-{i}", "title": f"Встреча {i}", "date": "2021-05-05",
       "text": f"Гостем встречи был краевед Е. Е. Иванов ({i})."} for i in range(3)),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over(RECORDS, tmp_path_factory.mktemp("initials"))


@pytest.mark.parametrize("q", ["Фалалеева Е. Е.", "фалалеевой е.е."])
def test_a_partial_match_holds_more_than_the_initials(service, q):
    """Every text with two initials «Е.» had been a partial match of the surname (two of
    its three words); now the partial block is what holds the surname."""
    result = service.search(SearchRequest(q=q))
    assert [h.id for h in result.hits] == ["full"]
    assert [h.id for h in result.partial] == ["surname"] and result.partial_total == 1
