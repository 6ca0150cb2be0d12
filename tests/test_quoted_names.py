"""A query that spells a quoted name, or a title's words in order, ranks the publications
it names first."""

from __future__ import annotations

import pytest
from conftest import service_over

from search.models import SearchRequest
from search.quoted import phrase_key, quoted_keys

DOCS = [
    {"id": "n1", "title": "Итоги года",
     "text": "Библиотека подвела итоги конкурса «Красная строка» для юных авторов."},
    {"id": "w1", "title": "Красная строка в тетради",
     "text": "Красная строка — отступ в начале абзаца. Каждая строка важна: красная строка "
             "помогает читать, строка за строкой, красная ручка отмечает строку."},
    {"id": "w2", "title": "Строка и красная краска",
     "text": "Красная краска, красная строка, строка из книги: красная обложка и строка."},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over(DOCS, tmp_path_factory.mktemp("quoted"))


def test_keys_are_lemmas_without_stop_words():
    assert quoted_keys("роман «Война и мир» и музей «Ясная Поляна», «Я»") == [
        "война мир", "ясный поляна"]
    assert phrase_key(["ясной", "поляны"]) == "ясный поляна"


@pytest.mark.parametrize("q", ["красная строка", "Красной строки"])
def test_the_publications_quoting_the_name_or_titled_by_it_come_first(service, q):
    # n1 quotes it; w1's title holds it; w2 has the words more often, but apart in its title
    result = service.search(SearchRequest(q=q))
    assert {hit.id for hit in result.hits[:2]} == {"n1", "w1"}
    assert result.hits[2].id == "w2" and result.total == 3


def test_a_query_that_is_not_the_name_gets_no_bonus(service):
    ids = [hit.id for hit in service.search(SearchRequest(q="красная строка абзаца")).hits]
    assert ids == ["w1"]
