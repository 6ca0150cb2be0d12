"""Copies of one publication (same text, or same address) are shown once."""

from __future__ import annotations

import hashlib
import re

import pytest
from conftest import service_over
from hypothesis import given
from hypothesis import strategies as st

from search.duplicates import text_key, url_key
from search.models import SearchRequest

ARTICLE = ("Юные читатели районной библиотеки собрались на конкурс чтецов. Ребята читали "
           "стихи о родном крае, о весне и о дружбе, а жюри из библиотекарей и учителей "
           "выбирало лучших. Победители получили книги и дипломы, а все участники — "
           "сладкие призы и приглашение в летний читальный зал.")
DOCS = [
    {"id": "a1", "title": "Конкурс чтецов", "text": ARTICLE, "date": "2024-03-01"},
    {"id": "a2", "title": "Конкурс чтецов в библиотеке",
     "text": ARTICLE.upper().replace(".", " ."), "date": "2024-03-02"},
    {"id": "a3", "title": "Чтецы", "text": ARTICLE + "\n", "date": "2024-03-03"},
    {"id": "b1", "title": "Конкурс рисунков", "url": "https://www.lib.example.ru/news/7/",
     "text": "Конкурс рисунков о весне провели для младших школьников.", "date": "2024-04-01"},
    {"id": "b2", "title": "Конкурс рисунков (копия)", "url": "http://lib.example.ru/news/7",
     "text": "Конкурс рисунков провели в детском отделе.", "date": "2024-04-02"},
    {"id": "c1", "title": "Конкурс поделок", "text": "Короткая заметка о конкурсе поделок.",
     "date": "2024-05-01"},
    {"id": "c2", "title": "Конкурс поделок", "text": "Короткая заметка о конкурсе поделок.",
     "date": "2024-05-02"},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over(DOCS, tmp_path_factory.mktemp("duplicates"))


def test_keys_ignore_case_spacing_and_punctuation():
    assert text_key(ARTICLE) == text_key(ARTICLE.upper().replace(".", " .")) is not None
    assert text_key("Фотоотчёт") is None  # short texts are alike by chance
    assert url_key("https://www.lib.example.ru/news/7/") == url_key("http://lib.example.ru/news/7")


@pytest.mark.parametrize("sort", ["relevance", "date_desc", "date_asc"])
def test_copies_collapse_into_one_hit_listing_the_others(service, sort):
    result = service.search(SearchRequest(q="конкурс", sort=sort))
    ids = [hit.id for hit in result.hits]
    assert result.total == len(ids) == 4  # three copies of one text, two of one address
    by_id = {hit.id: hit for hit in result.hits}
    article = next(i for i in ids if i.startswith("a"))
    assert sorted([article, *by_id[article].copies]) == ["a1", "a2", "a3"]
    drawing = next(i for i in ids if i.startswith("b"))
    assert len(by_id[drawing].copies) == 1
    assert {"c1", "c2"} <= set(ids)  # short notes are never taken for copies


@pytest.mark.parametrize("sort", ["relevance", "date_desc", "date_asc"])
def test_paging_continues_after_the_collapsed_copies(service, sort):
    """A page stops walking the list once it is full; its hits still list every copy."""
    pages = [service.search(SearchRequest(q="конкурс", per_page=1, page=n, sort=sort)).hits
             for n in range(1, 6)]
    assert [len(p) for p in pages] == [1, 1, 1, 1, 0]
    assert len({p[0].id for p in pages[:4]}) == 4
    assert sorted(pid for p in pages[:4] for pid in (p[0].id, *p[0].copies)) == sorted(
        d["id"] for d in DOCS)


@pytest.mark.parametrize("per_page", [1, 100])
def test_an_export_has_one_row_per_publication_with_its_copies(service, per_page, monkeypatch):
    import search.searcher

    # a first page smaller than the export: the rest is streamed and collapsed the same way
    monkeypatch.setattr(search.searcher, "RESPONSE_CACHE_MAX_HITS", per_page)
    hits = list(service.export_hits(SearchRequest(q="конкурс")))
    assert len(hits) == 4
    assert sorted(pid for hit in hits for pid in (hit.id, *hit.copies)) == sorted(
        d["id"] for d in DOCS)


@given(st.text(alphabet=st.sampled_from("аБёЁ z_1-—«» .\n\t\u00a0ǅ²Ⅻ"), max_size=400))
def test_text_key_is_the_words_joined_by_single_spaces(text):
    """The key is the sha1 of the casefolded words (ё as е, `_` a gap) joined by spaces."""
    words = re.sub(r"[\W_]+", " ", text.casefold().replace("ё", "е")).strip()
    expected = (hashlib.sha1(words.encode("utf-8")).hexdigest()[:16]
                if len(words) >= 200 else None)
    assert text_key(text) == expected
