"""Which word a typo is corrected to, among those equally near."""

from __future__ import annotations

import pytest
from conftest import service_over

from search.models import SearchRequest

# `мапа` is one edit from «мама» and one from «папа», the word of more publications.
DADS = [{"id": f"dad-{i}", "title": f"Встреча {i}", "date": "2024-03-01",
         "text": f"Папа читал сыну сказки, и папа с сыном пришли в библиотеку ({i})."}
        for i in range(4)]
MUMS = [{"id": f"mum-{i}", "title": f"Праздник {i}", "date": "2024-03-02",
         "text": f"Мама читала дочке стихи, и мама с дочкой пришли в библиотеку ({i})."}
        for i in range(2)]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over([*DADS, *MUMS], tmp_path_factory.mktemp("typos"))


def test_a_candidate_keeping_the_first_letter_wins_among_the_equally_near(service):
    """A typo in the first letter is rare (`Чехав` is «Чехов», not the commoner «уехав»):
    of the equally near, the word that keeps it comes first, whatever the frequencies."""
    result = service.search(SearchRequest(q="мапа"))
    assert result.did_you_mean == "мама" and result.corrected
    assert {h.id for h in result.hits} == {"mum-0", "mum-1"}
