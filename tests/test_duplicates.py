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
WEEKLY = ("Шахматный клуб «Гамбит» приглашает любителей шахмат всех возрастов на еженедельную "
          "встречу в читальном зале. Разбираем партии мастеров, решаем задачи и играем "
          "блиц-турнир. Доски и часы даёт библиотека, вход свободный, записываться не нужно.")
DOCS = [
    {"id": "a1", "title": "Конкурс чтецов", "text": ARTICLE, "date": "2024-03-01"},
    {"id": "a2", "title": "Конкурс чтецов в библиотеке",
     "text": ARTICLE.upper().replace(".", " ."), "date": "2024-03-01"},
    {"id": "a3", "title": "Чтецы", "text": ARTICLE + "\n", "date": "2024-03-01"},
    {"id": "b1", "title": "Конкурс рисунков", "url": "https://www.lib.example.ru/news/7/",
     "text": "Конкурс рисунков о весне провели для младших школьников.", "date": "2024-04-01"},
    {"id": "b2", "title": "Конкурс рисунков (копия)", "url": "http://lib.example.ru/news/7",
     "text": "Конкурс рисунков провели в детском отделе.", "date": "2024-04-02"},
    {"id": "c1", "title": "Конкурс поделок", "text": "Короткая заметка о конкурсе поделок.",
     "date": "2024-05-01"},
    {"id": "c2", "title": "Конкурс поделок", "text": "Короткая заметка о конкурсе поделок.",
     "date": "2024-05-02"},
    # a weekly notice: its text again, a new title and date (a CMS pushes it each week)
    *({"id": f"w{n}", "title": f"Шахматный клуб «Гамбит» {n} марта", "text": WEEKLY,
       "date": f"2024-03-0{n}"} for n in (4, 5)),
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
    assert result.copies_total == 3  # a2, a3 and b2 (the hits' first copies counted once)
    by_id = {hit.id: hit for hit in result.hits}
    article = next(i for i in ids if i.startswith("a"))
    assert sorted([article, *by_id[article].copies]) == ["a1", "a2", "a3"]
    drawing = next(i for i in ids if i.startswith("b"))
    assert len(by_id[drawing].copies) == 1
    assert {"c1", "c2"} <= set(ids)  # short notes are never taken for copies


def test_the_same_text_on_another_day_is_another_publication(service):
    """A weekly notice is a new publication each week, not a copy of the last one."""
    result = service.search(SearchRequest(q="гамбит"))
    assert sorted(h.id for h in result.hits) == ["w4", "w5"] and result.total == 2
    assert all(not h.copies for h in result.hits) and result.copies_total == 0


@pytest.mark.parametrize("sort", ["relevance", "date_desc", "date_asc"])
def test_paging_continues_after_the_collapsed_copies(service, sort):
    """A page stops walking the list once it is full; its hits still list every copy."""
    pages = [service.search(SearchRequest(q="конкурс", per_page=1, page=n, sort=sort)).hits
             for n in range(1, 6)]
    assert [len(p) for p in pages] == [1, 1, 1, 1, 0]
    assert len({p[0].id for p in pages[:4]}) == 4
    assert sorted(pid for p in pages[:4] for pid in (p[0].id, *p[0].copies)) == sorted(
        d["id"] for d in DOCS if d["id"][0] != "w")


def test_the_copies_left_out_of_the_count_are_said_beside_it(service, capsys):
    """«Найдено: 2978» over 3,376 publications said nothing of the copies folded into the
    hits: the API counts them apart, and the CLI and the page without script say so."""
    from falcon import testing

    from api.app import create_app
    from indexer.cli import main

    api = testing.TestClient(create_app(service.settings, service))
    data = api.simulate_get("/api/search", params={"q": "конкурс"}).json
    assert (data["total"], data["copies_total"]) == (4, 3)
    page = api.simulate_get("/search", params={"q": "конкурс"},
                            headers={"Accept": "text/html"}).text
    assert "Найдено: 4 публикации и 3 копии тех же текстов." in page
    assert main(["--index-dir", str(service.settings.index_dir), "search", "конкурс"]) == 0
    assert capsys.readouterr().out.startswith(
        "Найдено: 4 публикации и 3 копии тех же текстов по запросу «конкурс»")
    alone = api.simulate_get("/api/search", params={"q": "гамбит"}).json
    assert alone["copies_total"] == 0
    assert "копи" not in api.simulate_get("/search", params={"q": "гамбит"},
                                          headers={"Accept": "text/html"}).text


@pytest.mark.parametrize("per_page", [1, 100])
def test_an_export_has_one_row_per_publication_with_its_copies(service, per_page, monkeypatch):
    import search.searcher

    # a first page smaller than the export: the rest is streamed and collapsed the same way
    monkeypatch.setattr(search.searcher, "RESPONSE_CACHE_MAX_HITS", per_page)
    hits = list(service.export_hits(SearchRequest(q="конкурс")))
    assert len(hits) == 4
    assert sorted(pid for hit in hits for pid in (hit.id, *hit.copies)) == sorted(
        d["id"] for d in DOCS if d["id"][0] != "w")


@given(st.text(alphabet=st.sampled_from("аБёЁ z_1-—«» .\n\t\u00a0ǅ²ẞİﬃ\u0301Ⅻ𝐀😀"),
               max_size=400))
def test_text_key_is_the_words_joined_by_single_spaces(text):
    """The key is the sha1 of the casefolded words (ё as е, `_` a gap) joined by spaces."""
    words = re.sub(r"[\W_]+", " ", text.casefold().replace("ё", "е")).strip()
    expected = (hashlib.sha1(words.encode("utf-8")).hexdigest()[:16]
                if len(words) >= 200 else None)
    assert text_key(text) == expected


@given(st.lists(st.integers(0, 12), min_size=0, max_size=60), st.integers(0, 8),
       st.integers(1, 8), st.data())
def test_a_page_of_groups_takes_each_group_once_with_all_its_copies(group_of, start, size,
                                                                     data):
    """collapse_page on any order of any groups (a prefix of the matches, as a page asks):
    groups in the order their first copies come, each with every other copy of it, in
    document order."""
    import numpy as np

    from search.duplicates import collapse_page

    groups = np.array(group_of, np.int64)
    docs = list(range(len(groups)))
    ordered = data.draw(st.permutations(docs))
    ordered = ordered[:data.draw(st.integers(0, len(ordered)))]
    sizes = np.array([group_of.count(g) for g in group_of], np.int64)

    def members(group: int) -> list[int]:
        return [d for d in docs if group_of[d] == group]

    firsts, seen = [], set()
    for d in ordered:  # the walk a page used to make
        if group_of[d] not in seen:
            seen.add(group_of[d])
            firsts.append(d)
    want = [(f, [d for d in members(group_of[f]) if d != f]) for f in firsts[start:start + size]]
    assert collapse_page(np.array(ordered, np.int64), groups, start, start + size, members,
                         sizes) == want


MANY = 260  # more matches than the reranked top (search/weights.py RERANK_DEPTH = 200)


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """MANY publications with «выставка», some of them copies of each other, over years."""
    records = []
    for i in range(MANY):
        text = (f"Выставка номер {i} в читальном зале. " + "Книги и журналы. " * (i % 7)
                + ("Выставка продлится месяц. " if i % 3 == 0 else ""))
        if i % 25 == 0:  # copies: the same long text under three ids
            text = ARTICLE + " Выставка работ победителей."
        records.append({"id": f"m{i:03d}", "title": f"Выставка {i}", "text": text,
                        "date": f"{2015 + i % 10}-0{1 + i % 9}-1{i % 10}"})
    yield from service_over(records, tmp_path_factory.mktemp("many"))


@pytest.mark.parametrize("sort", ["relevance", "date_desc", "date_asc"])
def test_every_page_at_any_depth_is_a_slice_of_one_order(many, sort):
    """Pages past the reranked top continue the same order: pages of any size, at any
    depth, put together are the first page of a larger size; no hit twice, none missed."""
    whole = many.search(SearchRequest(q="выставка", per_page=300, sort=sort))
    order = [hit.id for hit in whole.hits]
    assert len(order) == whole.total == len(set(order))
    assert whole.total + sum(len(hit.copies) for hit in whole.hits) == MANY
    for per_page in (7, 30, 100):
        pages = [many.search(SearchRequest(q="выставка", per_page=per_page, page=n,
                                           sort=sort)).hits
                 for n in range(1, whole.total // per_page + 2)]
        assert [hit.id for page in pages for hit in page] == order
        assert [hit.copies for page in pages for hit in page] == [h.copies for h in whole.hits]
    if sort == "relevance":
        scores = [hit.score for hit in whole.hits]
        assert all(s is not None for s in scores)
        deep = scores[210:]  # past the reranked top: BM25F and recency, best first
        assert deep == sorted(deep, reverse=True)


def test_similar_publications_are_no_copies_and_each_group_once(service):
    """`/similar` of a copy does not offer its own text again, and a group of copies takes
    one place, listing the others, as a search hit does."""
    of_copy = service.similar("a1", 5)
    assert of_copy and not {"a2", "a3"} & {h.id for h in of_copy}
    assert not {"a2", "a3"} & {c for h in of_copy for c in h.copies}
    of_other = service.similar("c1", 5)
    listed = [pid for h in of_other for pid in (h.id, *h.copies)]
    assert len(listed) == len(set(listed)), listed
    article = [h for h in of_other if h.id in {"a1", "a2", "a3"}]
    assert len(article) == 1 and sorted([article[0].id, *article[0].copies]) == ["a1", "a2", "a3"]


def test_a_facet_value_counts_what_its_filter_then_finds(service):
    """Copies count once in the facets as in `total`: clicking a value with count N
    shows N publications."""
    result = service.search(SearchRequest(q="конкурс"))
    assert {v.value: v.count for v in result.facets["year"]} == {"2024": result.total}
    for value in result.facets["topic"]:
        filtered = service.search(SearchRequest(q="конкурс", topics=(value.value,)))
        assert filtered.total == value.count, value
