"""The OpenSearch engine on the session's real cluster, against the Whoosh engine.

The shipped sample is rebuilt once into the alias `kt-sample`; what the Whoosh engine
answers over the same sample (the session's `service`) is the reference for matches,
totals and facet counts. Writes go to aliases of their own.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import re
import subprocess
import time

import pytest
from opensearch_helpers import engine_settings, reference, sample_publications

from search import nodes as n
from search.analysis import index_terms
from search.engine import DUPLICATE, RankHints, Selection
from search.engine.opensearch import OpenSearchEngine
from search.engine.opensearch.documents import token_string
from search.errors import EmptyRebuild, RebuildFailed
from search.models import Publication, SearchRequest
from search.suggest import suggest
from tests.test_duplicates import ARTICLE
from tests.test_duplicates import DOCS as DUPLICATE_DOCS

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def engine(cluster):
    """The sample in the alias kt-sample, rebuilt once for the module."""
    eng = OpenSearchEngine(engine_settings(cluster, "kt-sample"))
    stats = eng.rebuild(sample_publications())
    assert stats.indexed == 70 and stats.generation
    yield eng
    eng.close()


def _selection(node=None, **filters) -> Selection:
    return Selection(query=node, filters={k: tuple(v) for k, v in filters.items()})


def _ids(found) -> set[str]:
    return {pid for hit in found.hits for pid in (hit.publication.id, *hit.copies)}


# -- mapping and analysis ------------------------------------------------------------
def test_analyze_puts_alternatives_at_our_positions(engine):
    terms = index_terms("Он стал мастером в детской библиотеке")
    resp = engine.client.indices.analyze(index="kt-sample", body={
        "field": "body", "text": token_string(terms)})
    got = {}
    for token in resp["tokens"]:
        got.setdefault(token["token"], []).append(token["position"])
    assert got == terms
    assert any(len(ls) > 1 for ls in _by_position(terms).values())  # a homonym is in it


def _by_position(terms):
    out = {}
    for lemma, positions in terms.items():
        for p in positions:
            out.setdefault(p, []).append(lemma)
    return out


def test_generation_index_settings(engine):
    index = engine.gens.live()
    settings = engine.client.indices.get_settings(index=index)[index]["settings"]["index"]
    assert (settings["number_of_shards"], settings["number_of_replicas"]) == ("2", "1")
    assert settings["similarity"]["default"] == {"type": "BM25", "k1": "1.2", "b": "0.75"}
    mapping = engine.client.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["properties"]["body"]["analyzer"] == "lemmas"
    assert mapping["properties"]["group"]["type"] == "keyword"
    health = engine.client.cluster.health(index=index, params={
        "wait_for_status": "green", "timeout": "30s", "request_timeout": 60})
    assert health["status"] == "green"  # its replicas were placed before the switch
    assert engine.health()["cluster"]["nodes"] == 2


def test_get_gives_back_the_publication_exactly(engine):
    for pub in sample_publications()[:5] + sample_publications()[-3:]:
        assert engine.get(pub.id) == pub
    assert engine.get("no-such-id") is None


# -- matching, totals and facets against Whoosh ---------------------------------------
TREES = {
    "term": n.Term("body", "библиотека"),
    "title term": n.Term("title", "конкурс", boost=3.0),
    "prefix": n.Prefix("title", "библ"),
    "phrase": n.Phrase("body", ("детский", "библиотека")),
    "phrase slop 3": n.Phrase("body", ("книга", "читатель"), slop=3),
    "sequence": n.Sequence("body", (("стать", "сталь"), ("участник",)), slop=1),
    "or minmatch": n.Or((n.Term("body", "книга"), n.Term("body", "конкурс"),
                         n.Term("body", "пушкин")), minmatch=2),
    "and": n.And((n.Term("body", "книга"), n.Term("title", "библиотека"))),
    "and not": n.AndNot(n.Term("body", "книга"), n.Term("body", "конкурс")),
    "every": n.Every(),
    "nothing": n.Nothing(),
    "exact form": n.ExactForm(n.Term("body", "библиотека"), "библиотеке"),
    "people": n.Term("people", "вершинин"),
    "stems": n.Term("stems", "библиотек"),
    "quoted": n.Term("quoted", "пушкинский карта"),
}


@pytest.mark.parametrize("name", list(TREES))
def test_every_node_matches_what_whoosh_matches(engine, service, name):
    node = TREES[name]
    found = engine.find(_selection(node), "relevance", 0, 100, 30)
    expected = reference(service, _selection(node))
    assert found.total == expected.total
    assert _ids(found) == _ids(expected)
    assert found.facets == expected.facets
    if name not in ("nothing",):
        assert found.total > 0, "pick a tree that matches something in the sample"


FILTERS = [
    {"topics": ("конкурсы",)},  # case-insensitive
    {"authors": ("анна вершинина", "ГАЛИНА ШУБИНА")},
    {"topics": ("День Победы",), "years": (2024, 2025)},
    {"libraries": ("Центральная городская библиотека",), "authors": ("Светлана Рябинина",)},
    {"date_from": dt.date(2023, 1, 1), "date_to": dt.date(2024, 6, 30)},
    {"authors": ("Никто Никакой",)},
]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("node", [None, TREES["term"]])
def test_filters_totals_and_facets_equal_whoosh(engine, service, filters, node):
    request = SearchRequest(q="x" if node else "", per_page=100, **filters)
    selection = Selection(query=node, filters={k: v for k, v in request.filters().items() if v},
                          date_from=request.date_from, date_to=request.date_to)
    found = engine.find(selection, "relevance", 0, 100, 30)
    expected = reference(service, selection)
    assert (found.total, _ids(found)) == (expected.total, _ids(expected))
    assert (found.facets, found.unknown) == (expected.facets, expected.unknown)


def test_unknown_filter_values_are_reported(engine):
    found = engine.find(_selection(author=("Анна Вершинина", "Никто Никакой"),
                                   topic=("ДЕНЬ ПОБЕДЫ",)), "relevance", 0, 10, None)
    assert found.unknown == {"author": ("Никто Никакой",)}
    assert found.total > 0


def test_a_facets_counts_ignore_its_own_filter(engine):
    found = engine.find(_selection(author=("Анна Вершинина",)), "relevance", 0, 10, 30)
    authors = {v.value: (v.count, v.selected) for v in found.facets["author"]}
    assert authors["Анна Вершинина"] == (6, True)
    assert len(authors) > 5  # the other authors are still counted
    assert sum(v.count for v in found.facets["year"]) == found.total == 6


# -- order and pages --------------------------------------------------------------------
@pytest.mark.parametrize("sort", ["date_desc", "date_asc"])
def test_date_order_with_id_ties(engine, sort):
    hits = engine.find(_selection(), sort, 0, 100, None).hits
    dated = [(h.publication.published.toordinal(), h.publication.id)
             for h in hits if h.publication.published]
    undated = [h.publication.id for h in hits[len(dated):]]
    assert all(h.publication.published is None for h in hits[len(dated):])  # last either way
    assert undated and undated == sorted(undated)
    if sort == "date_desc":
        assert [k[0] for k in dated] == sorted((k[0] for k in dated), reverse=True)
    else:
        assert dated == sorted(dated)
    assert all(h.score is None for h in hits) and len(hits) == 70


@pytest.mark.parametrize("sort", ["relevance", "date_desc"])
def test_pages_continue_without_overlap(engine, sort):
    selection = _selection(TREES["term"])
    whole = [h.publication.id for h in engine.find(selection, sort, 0, 100, None).hits]
    pages = [h.publication.id for start in range(0, len(whole), 7)
             for h in engine.find(selection, sort, start, start + 7, None).hits]
    assert pages == whole
    assert engine.find(selection, sort, 500, 510, None).hits == ()


def test_relevance_is_by_score_then_id(engine):
    hits = engine.find(_selection(TREES["term"]), "relevance", 0, 100, None).hits
    keys = [(-h.score, h.publication.id) for h in hits]
    assert keys == sorted(keys)


def test_iter_hits_gives_the_same_order_as_pages(engine):
    for sort in ("relevance", "date_asc"):
        selection = _selection(TREES["term"])
        paged = [h.publication.id for h in engine.find(selection, sort, 0, 100, None).hits]
        streamed = [h.publication.id for h in engine.iter_hits(selection, sort, batch=4)]
        assert streamed == paged
        rest = [h.publication.id for h in engine.iter_hits(selection, sort, 4, paged[:5])]
        assert rest == paged[5:]


def test_the_publications_a_query_names_come_first(engine):
    """Quoting it as a name, or holding its words in order in the title."""
    words = ("пушкинская", "карта")
    node = n.Or((n.Term("body", "пушкинский"), n.Term("body", "карта")), minmatch=2)
    hints = RankHints(content_lemmas=("пушкинский", "карта"), forms=frozenset(words),
                      words=words, plain=True)
    hits = engine.find(Selection(query=node, hints=hints), "relevance", 0, 100, None).hits
    quoting = {h.publication.id for h in hits
               if "пушкинский карта" in _quoted(h.publication)}
    titled = {h.publication.id for h in hits
              if re.search(r"пушкинск\w* карт", h.publication.title, re.IGNORECASE)}
    named = quoting | titled
    assert quoting - titled and titled - quoting and len(hits) > len(named)
    assert {h.publication.id for h in hits[:len(named)]} == named


def _quoted(pub: Publication) -> list[str]:
    from search.quoted import quoted_keys
    return quoted_keys(f"{pub.title}\n{pub.text}")


# -- the rest of the reading side ------------------------------------------------------
def test_words_spelling_and_vocabulary_equal_whoosh(engine, service):
    whoosh = service.engine
    assert dict(engine.words()) == dict(whoosh.words())
    lexicon = engine.spelling()
    for word in ("библиотека", "пушкин", "библеотека"):
        assert lexicon.knows(word) == whoosh.spelling().knows(word)
    from search.correction import suggest_correction
    assert suggest_correction(lexicon, "библеотека конкурз") == suggest_correction(
        whoosh.spelling(), "библеотека конкурз")
    for prefix in ("библ", "онлайн-в", "пушк"):
        assert suggest(engine.vocabulary(), prefix) == service.suggest(prefix), prefix


def test_similar_facet_values_count_and_health(engine, service):
    first = sample_publications()[0]
    similar = engine.similar(first.id, 5)
    assert 0 < len(similar) <= 5 and first.id not in {h.publication.id for h in similar}
    assert engine.facet_values() == service.engine.facet_values()
    assert engine.count() == 70
    health = engine.health()
    assert (health["engine"], health["documents"]) == ("opensearch", 70)
    assert health["generation"].startswith("kt-sample-") and health["last_reindex"]
    assert engine.children(first.id) == []


# -- writing -----------------------------------------------------------------------------
# The copies of tests/test_duplicates.py; c1 and c2 from one source file, c2 attached to c1.
_EXTRA = {"c1": {"source_file": "notes/c.jsonl"},
          "c2": {"source_file": "notes/c.jsonl", "parent_id": "c1"}}
DOCS = [{**doc, **_EXTRA.get(doc["id"], {})} for doc in DUPLICATE_DOCS if doc["id"][0] != "w"]
WEEKLY = [doc for doc in DUPLICATE_DOCS if doc["id"][0] == "w"]  # one text, two days
KONKURS = n.Term("body", "конкурс")


def _pubs(records=DOCS) -> list[Publication]:
    return [Publication.from_dict(r) for r in records]


@pytest.fixture
def writable(cluster, request):
    """A fresh alias holding DOCS, dropped afterwards."""
    prefix = f"kt-w-{request.node.name.split('[')[0].replace('_', '-')[-30:]}"
    eng = OpenSearchEngine(engine_settings(cluster, prefix))
    eng.rebuild(_pubs())
    yield eng
    eng.client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
    eng.client.indices.delete(index=f"{prefix}-meta", ignore_unavailable=True)
    eng.close()


@pytest.mark.parametrize("sort", ["relevance", "date_desc", "date_asc"])
def test_copies_collapse_into_one_hit_and_pages_continue(writable, sort):
    found = writable.find(_selection(KONKURS), sort, 0, 10, 30)
    assert found.total == len(found.hits) == 4
    assert found.copies_total == 3  # a2, a3 and b2: counted apart, as on Whoosh
    groups = sorted(sorted((h.publication.id, *h.copies)) for h in found.hits)
    assert groups == [["a1", "a2", "a3"], ["b1", "b2"], ["c1"], ["c2"]]
    assert {v.value: v.count for v in found.facets["year"]} == {"2024": 4}  # as total
    pages = [writable.find(_selection(KONKURS), sort, i, i + 1, None).hits for i in range(5)]
    assert [len(p) for p in pages] == [1, 1, 1, 1, 0]
    assert sorted(pid for p in pages[:4] for pid in (p[0].publication.id, *p[0].copies)) == \
        sorted(d["id"] for d in DOCS)
    streamed = list(writable.iter_hits(_selection(KONKURS), sort, batch=2))
    assert [h.publication.id for h in streamed] == [h.publication.id for h in found.hits]
    assert [h.copies for h in streamed] == [h.copies for h in found.hits]


def test_a_page_beyond_the_result_window_within_the_matches_is_refused(writable,
                                                                      monkeypatch):
    """Within the matches, a page OpenSearch cannot reach (from + size past the index's
    max_result_window) is a 400 naming `page`, not the 503 it had been; past them, no
    hits. The window is made 2 here, as 100,000 would take as many publications."""
    from search.engine.opensearch import finding
    from search.errors import QueryError

    monkeypatch.setattr(finding, "RESULT_WINDOW", 2)
    with pytest.raises(QueryError) as refused:
        writable.find(_selection(KONKURS), "relevance", 2, 3, None)
    assert refused.value.parameter == "page" and "уточните запрос" in str(refused.value)
    past = writable.find(_selection(KONKURS), "relevance", 4, 5, 30)
    assert (past.total, past.hits) == (4, ()) and past.facets["year"]
    assert len(writable.find(_selection(KONKURS), "relevance", 0, 2, None).hits) == 2
    across = writable.find(_selection(KONKURS), "relevance", 1, 3, None)  # the part within
    assert len(across.hits) == 1 and across.total == 4


def test_the_first_rebuild_over_a_whoosh_directory_takes_in_its_api_journal(cluster,
                                                                        tmp_path):
    """KARTOTEKA_ENGINE=opensearch over the directory a Whoosh install used: what its CMS
    PUT is carried over and what it DELETEd stays deleted, at the first rebuild and
    after (switching engines had lost the one and brought the other back, silently)."""
    from search.api_journal import Journal

    pushed = Publication.from_dict({"id": "cms-1", "title": "Квиллинг для начинающих",
                                    "text": "Мастер-класс по квиллингу."}, source="api")
    journal = Journal(tmp_path)
    journal.record_put([pushed])
    journal.record_delete(["a1"])
    prefix = "kt-w-from-whoosh"
    eng = OpenSearchEngine(engine_settings(cluster, prefix, index_dir=tmp_path))
    try:
        for _ in range(2):  # the second from the cluster's own record of both
            stats = eng.rebuild(_pubs())
            eng.invalidate()
            assert stats.carried == 1 and "cms-1" in eng.ids() and "a1" not in eng.ids()
            assert eng.get("cms-1").title == "Квиллинг для начинающих"
    finally:
        eng.client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
        eng.client.indices.delete(index=f"{prefix}-meta", ignore_unavailable=True)
        eng.close()


def test_the_same_text_on_another_day_is_another_publication(writable):
    """A weekly notice, its text again under a new date, is no copy of last week's: by a
    rebuild and by a PUT alike."""
    writable.rebuild(_pubs(DOCS + WEEKLY[:1]), procs=1)
    writable.upsert(_pubs(WEEKLY[1:]))
    found = writable.find(_selection(n.Term("body", "гамбит")), "relevance", 0, 10, None)
    assert sorted(h.publication.id for h in found.hits) == ["w4", "w5"] and found.total == 2
    assert all(not h.copies for h in found.hits) and found.copies_total == 0


def test_similar_publications_are_no_copies_and_each_group_once(writable):
    of_copy = writable.similar("a1", 5)
    assert of_copy and not {"a2", "a3"} & {h.publication.id for h in of_copy}
    of_other = writable.similar("c1", 5)
    listed = [pid for h in of_other for pid in (h.publication.id, *h.copies)]
    assert len(listed) == len(set(listed)), listed
    article = [h for h in of_other if h.publication.id in {"a1", "a2", "a3"}]
    assert len(article) == 1
    assert sorted([article[0].publication.id, *article[0].copies]) == ["a1", "a2", "a3"]


def test_rebuild_moves_the_alias_and_removes_the_old_generation(writable):
    old = writable.gens.live()
    stats = writable.rebuild(_pubs(DOCS[:3]), procs=1)  # the fixture used the default (cores)
    new = writable.gens.live()
    assert new == stats.generation != old
    assert not writable.client.indices.exists(index=old)
    assert writable.gens.meta(old) == {} and writable.gens.meta(new)["documents"] == 3
    assert writable.count() == 3 and writable.generation().startswith(new)
    assert list(writable.client.indices.get_alias(name=writable.gens.alias)) == [new]


def test_a_rebuild_carries_over_what_the_api_pushed(writable):
    """A publication PUT through the API is in no source: the next full rebuild keeps it
    (it was lost), and it wins over a source's copy of its id."""
    pushed = Publication("cms-post-1", "Встреча с писателем Пыжиковым",
                         "Писатель Пыжиков рассказал читателям о новой книге.",
                         published=dt.date(2026, 12, 5), source="api")
    rewritten = Publication(DOCS[0]["id"], "Правка из CMS", "Текст, присланный сайтом.",
                            source="api")
    writable.upsert([pushed, rewritten])
    stats = writable.rebuild(_pubs(DOCS[:3]), procs=1)
    assert (stats.indexed, stats.carried) == (3, 2) and not stats.skipped
    assert writable.get("cms-post-1") == pushed
    assert writable.get(DOCS[0]["id"]).title == "Правка из CMS"
    writable.rebuild(_pubs(DOCS[:3]), procs=1)  # and the next one again
    assert writable.get("cms-post-1") == pushed and writable.count() == 4
    # an incremental reindex of the source leaves the CMS's edit too (it put the
    # source's copy back: a nightly cron undid the staff's corrections)
    stats = writable.sync(_pubs(DOCS[:3]), scopes=[])
    assert stats.updated == 0 and writable.get(DOCS[0]["id"]).title == "Правка из CMS"


def test_the_api_s_writes_while_a_rebuild_commits_are_kept(writable):
    """A PUT or DELETE answered while a full rebuild was in its commit phase (after it
    had read what the API pushed) went to the generation the switch then dropped: the
    CMS got 201 and the publication was gone (a portal admin's trial)."""
    writable.upsert([Publication("cms-early", "Ранняя правка", "Текст.", source="api")])
    late = Publication("cms-late", "Поздняя правка", "Прислано во время переиндексации.",
                       published=dt.date(2026, 12, 5), source="api")
    edited = Publication("cms-early", "Ранняя правка, исправленная", "Текст.", source="api")
    gone = DOCS[1]["id"]

    def meanwhile(_count: int) -> None:  # asked just before the switch: the CMS writes
        writable.upsert([late, edited])
        assert writable.delete([gone]) == 1

    stats = writable.rebuild(_pubs(DOCS[:3]), procs=1, accept=meanwhile)
    assert writable.get("cms-late") == late
    assert writable.get("cms-early").title == "Ранняя правка, исправленная"
    assert writable.get(gone) is None
    assert stats.carried == 3  # the early one, then the late one and the edit


def test_a_second_full_rebuild_is_refused_while_one_runs(writable):
    """Two full reindexes over one prefix each switched the alias to their own generation
    and the last one's won (a portal admin's trial). A run's lock is refused to another;
    one left by a run that is gone (a process of this machine no longer there) is taken."""
    import socket

    from search.engine.opensearch.rebuild_lock import LOCK_ID
    from search.errors import IndexBusy

    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta = writable.gens.meta_index
    writable.client.index(index=meta, id=LOCK_ID, refresh="wait_for",
                          body={"index": "another-machine:4242", "built_at": now})
    live = writable.gens.live()
    with pytest.raises(IndexBusy, match="уже идёт другая переиндексация"):
        writable.rebuild(_pubs(DOCS[:3]), procs=1)
    assert writable.gens.live() == live and writable.count() == len(DOCS)
    dead = subprocess.Popen(["true"])
    dead.wait()
    writable.client.index(index=meta, id=LOCK_ID, refresh="wait_for",
                          body={"index": f"{socket.gethostname()}:{dead.pid}", "built_at": now})
    writable.rebuild(_pubs(DOCS[:3]), procs=1)
    assert writable.count() == 3
    assert not writable.client.exists(index=meta, id=LOCK_ID)  # released


def test_what_the_api_deleted_stays_deleted_until_it_is_put_again(writable):
    """A publication the CMS deleted came back with the next full reindex of a source
    that still held it (Whoosh's journal replays the deletion). Now neither a full nor an
    incremental reindex brings it back; a PUT of it again does, and then it is kept."""
    gone = DOCS[1]["id"]
    assert writable.delete([gone]) == 1
    stats = writable.rebuild(_pubs(DOCS[:3]), procs=1)
    assert writable.get(gone) is None and writable.count() == 2
    assert (stats.indexed, stats.removed) == (2, 1)
    writable.sync(_pubs(DOCS[:3]), scopes=[])
    assert writable.get(gone) is None and writable.count() == 2
    back = Publication(gone, "Снова на сайте", "Публикацию вернули в CMS.", source="api")
    writable.upsert([back])
    writable.rebuild(_pubs(DOCS[:3]), procs=1)
    assert writable.get(gone) == back and writable.count() == 3


def test_the_spelling_lexicon_is_made_once_per_change_of_its_words(writable):
    """It was built anew for every search (70 ms of its length buckets on the real
    corpus), then anew after every PUT, which leaves its words as they were (with the
    blob they come from, megabytes at 100,000, read again); a reindex makes it again."""
    first = writable.spelling()
    assert writable.spelling() is first and first.knows("конкурс")
    before = writable.generation()
    writable.upsert([Publication("spell-1", "Новая заметка", "Текст заметки.", source="api")])
    assert writable.generation() != before and writable.spelling() is first
    assert writable.words() == first.freqs
    writable.sync([Publication("spell-2", "Другая заметка", "Слово квазарный.",
                               source="other.jsonl")], ["other.jsonl"])
    assert writable.spelling() is not first and "квазарный" in writable.words()


def test_a_rebuild_its_caller_refuses_leaves_the_old_alias_and_no_index(writable):
    """`accept` (the CLI's guard against an export cut short) is asked with the new
    generation's count before the alias moves; what it raises keeps the old one."""
    old, asked = writable.gens.live(), []

    def refuse(documents: int) -> None:
        asked.append(documents)
        raise RebuildFailed("too small")

    with pytest.raises(RebuildFailed):
        writable.rebuild(_pubs(DOCS[:2]), procs=1, accept=refuse)
    assert asked == [2] and writable.gens.live() == old and writable.count() == 7
    assert sorted(writable.client.indices.get(index=f"{writable.gens.alias}-*")) == sorted(
        [old, f"{writable.gens.alias}-meta"])


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_rebuild_leaves_the_old_alias_and_no_index(writable, error):
    old = writable.gens.live()

    def failing():
        yield from _pubs(DOCS[:4])
        raise error("source broke")

    with pytest.raises(error):
        writable.rebuild(failing())
    assert writable.gens.live() == old and writable.count() == 7
    assert sorted(writable.client.indices.get(index=f"{writable.gens.alias}-*")) == sorted(
        [old, f"{writable.gens.alias}-meta"])
    with pytest.raises(EmptyRebuild):
        writable.rebuild([])
    assert writable.gens.live() == old


def test_upsert_and_delete_change_the_live_generation(writable):
    before = writable.generation()
    built, words = writable.health()["last_reindex"], writable.words()
    copy = Publication.from_dict({"id": "a4", "title": "Снова чтецы", "text": ARTICLE,
                                  "date": "2024-03-01"})  # the same day: a copy
    fresh = Publication.from_dict({"id": "d1", "title": "Выставка", "text": "Новая выставка книг."})
    assert writable.upsert([copy, fresh]) == 2
    assert writable.generation() != before and writable.count() == 9
    assert writable.get("d1") == fresh
    found = writable.find(_selection(KONKURS), "relevance", 0, 10, None)
    article = next(h for h in found.hits if h.publication.id.startswith("a"))
    assert sorted((article.publication.id, *article.copies)) == ["a1", "a2", "a3", "a4"]
    assert found.total == 4
    assert writable.delete(["d1", "a4", "nope"]) == 2
    assert writable.count() == 7 and writable.get("d1") is None
    health = writable.health()
    assert health["stale_lexicon"] is True
    # an edit is not a reindex, and the lexicon of the last one stays in use
    assert health["last_reindex"] == built and writable.words() == words and words


def test_writes_refresh_what_they_wrote_instead_of_waiting_for_a_refresh(writable):
    """A CMS's PUT or DELETE waited for the next scheduled refresh of each index it wrote
    (the live one, the meta index twice): 2-3 s per request. With scheduled refreshes
    off that wait has no end; the writes refresh what they wrote, so they answer, and
    what they did is searchable at once."""
    indexes = (writable.gens.live(), writable.gens.meta_index)
    term = _selection(n.Term("body", "лекторий"))
    fresh = Publication.from_dict({"id": "r1", "title": "Лекторий", "text": "Лекторий краеведа."})

    def edit():
        assert writable.upsert([fresh]) == 1
        assert writable.find(term, "relevance", 0, 10, None).total == 1
        assert writable.delete(["r1"]) == 1
        assert writable.find(term, "relevance", 0, 10, None).total == 0

    def refreshes(interval: str):
        for index in indexes:
            writable.client.indices.put_settings(
                index=index, body={"index": {"refresh_interval": interval}})

    refreshes("-1")
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        pool.submit(edit).result(timeout=10)
    finally:
        refreshes("1s")  # a write left waiting ends, and the fixture can drop the alias
        pool.shutdown()


def test_sync_adds_updates_and_removes_within_its_scopes(writable):
    import time

    built = writable.health()["last_reindex"]
    time.sleep(1.1)  # built_at has whole seconds
    changed = Publication.from_dict({**DOCS[5], "title": "Конкурс поделок: итоги"})
    new = Publication.from_dict({"id": "c3", "title": "Новая заметка", "text": "Заметка о книгах.",
                                 "source_file": "notes/c.jsonl"})
    stats = writable.sync([changed, new], scopes=["notes"])
    assert (stats.indexed, stats.updated, stats.removed) == (1, 1, 1)  # c2 is gone
    assert writable.get("c1").title == "Конкурс поделок: итоги" and writable.get("c2") is None
    assert writable.count() == 7  # a1-a3, b1-b2 from elsewhere stay
    assert "заметка" in writable.words() and writable.health()["stale_lexicon"] is False
    assert writable.health()["last_reindex"] > built  # an incremental reindex is one


def test_sync_of_sources_that_gave_nothing_removes_nothing(writable):
    """An emptied export (nothing read from a scope that holds publications) is refused,
    as a full rebuild of nothing is: it would remove every publication of it."""
    before = writable.count()
    with pytest.raises(EmptyRebuild):
        writable.sync([], scopes=["notes"])
    assert writable.count() == before and writable.get("c1") is not None


def test_sync_whose_removals_are_refused_removes_nothing(writable):
    """`kartoteka reindex --incremental` refuses to remove a fifth of its sources'
    publications (indexer/summary.py's removal_guard): asked before any removal."""
    before = writable.count()

    def refuse(removed: int, held: int) -> None:
        raise RebuildFailed(f"{removed} of {held}")

    with pytest.raises(RebuildFailed, match="1 of 2"):
        writable.sync([writable.get("c1")], scopes=["notes"], accept_removals=refuse)
    assert writable.count() == before  # the one that did not come is still there


def test_sync_sends_only_what_changed(writable):
    """Publications equal to the stored ones are neither analysed nor sent again: their
    documents keep their version; a changed one gets a new version."""
    index = writable.gens.require_live()

    def versions() -> dict[str, int]:
        return {d["id"]: writable.client.get(index=index, id=d["id"])["_version"]
                for d in DOCS}

    before = versions()
    pubs = _pubs()
    changed = Publication.from_dict({**DOCS[0], "title": "Конкурс кинологов: итоги"})
    stats = writable.sync([changed, *pubs[1:]], scopes=[])
    assert (stats.indexed, stats.updated, stats.removed, stats.unchanged) == (
        0, 1, 0, len(DOCS) - 1)
    after = versions()
    assert after[DOCS[0]["id"]] > before[DOCS[0]["id"]]
    assert {k: v for k, v in after.items() if k != DOCS[0]["id"]} == \
        {k: v for k, v in before.items() if k != DOCS[0]["id"]}
    assert writable.get(DOCS[0]["id"]).title == "Конкурс кинологов: итоги"
    stats = writable.sync([changed, *pubs[1:]], scopes=[])
    assert (stats.updated, stats.unchanged) == (0, len(DOCS)) and versions() == after
    assert writable.health()["stale_lexicon"] is False and "кинолог" in writable.words()


def test_sync_keeps_the_last_record_of_a_repeated_id(writable):
    """One id twice in a source: the last record is kept, as a full rebuild keeps it,
    and a second run over the same records counts it unchanged (it had swapped them)."""
    pubs = _pubs()
    first = Publication.from_dict({**DOCS[0], "title": "Первая запись"})
    last = Publication.from_dict({**DOCS[0], "title": "Последняя запись"})
    stats = writable.sync([first, *pubs[1:], last], scopes=[])
    assert (stats.indexed, stats.updated, stats.unchanged) == (0, 1, len(DOCS) - 1)
    assert writable.get(DOCS[0]["id"]).title == "Последняя запись"
    index = writable.gens.require_live()
    version = writable.client.get(index=index, id=DOCS[0]["id"])["_version"]
    stats = writable.sync([first, *pubs[1:], last], scopes=[])
    assert (stats.indexed, stats.updated, stats.unchanged) == (0, 0, len(DOCS))
    assert writable.get(DOCS[0]["id"]).title == "Последняя запись"
    # nothing sent: the first record, held back, gave way to the last, which is stored
    assert writable.client.get(index=index, id=DOCS[0]["id"])["_version"] == version
    assert stats.skipped == [(DOCS[0]["id"], DUPLICATE)]
    assert writable.count() == len(DOCS)


def test_children_are_publications_of_a_parent(writable):
    assert [p.id for p in writable.children("c1")] == ["c2"]


# -- the search policy over either engine ------------------------------------------------
QUERIES = ["библиотека", "детская библиотека", '"детская библиотека"', "библ*",
           "книга -конкурс", "=библиотеке", "Вершинина", "пушкинская карта",
           "как записаться в библиотеку на мастер-класс по рисованию акварелью",
           "библеотека", ",b,kbjntrf", "стали мастером", "квест пушкинская карта тайны"]


@pytest.fixture(scope="module")
def os_service(engine):
    from search.searcher import SearchService

    svc = SearchService(engine.settings, engine=OpenSearchEngine(engine.settings))
    yield svc
    svc.close()


def _summary(result) -> tuple:
    return (result.total, sorted(pid for h in result.hits for pid in (h.id, *h.copies)),
            {k: list(v) for k, v in result.facets.items()}, result.relaxed, result.corrected,
            result.did_you_mean, result.warnings, result.partial_total,
            sorted(h.id for h in result.partial))


@pytest.mark.parametrize("q", QUERIES)
def test_the_search_policy_gives_the_same_answers_over_either_engine(os_service, service, q):
    request = SearchRequest(q=q, per_page=100)
    assert _summary(os_service.search(request)) == _summary(service.search(request))


def test_exports_over_either_engine(os_service, service):
    request = SearchRequest(q="библиотека", sort="date_desc")
    assert [h.id for h in os_service.export_hits(request, batch=7)] == [
        h.id for h in service.export_hits(request)]


def test_ready_describe_and_tidy(writable):
    live = writable.gens.live()
    assert writable.ready() and writable.has_index() and live in writable.describe()
    assert "публикаций: 7" in writable.describe()
    alias = writable.gens.alias
    left = f"{alias}-20000101t000000000000-1-0"  # what a killed rebuild leaves behind
    writable.client.indices.create(index=left)
    assert writable.tidy() == [left] and not writable.client.indices.exists(index=left)
    assert writable.gens.live() == live and writable.tidy() == []
    # a summary a cron job mails: the nodes without the password of their URL (the test
    # cluster has no security plugin and takes any credentials)
    urls = tuple(u.replace("://", "://kartoteka:S3cretPW@") for u in writable.settings.opensearch_url)
    with_password = OpenSearchEngine(dataclasses.replace(writable.settings, opensearch_url=urls))
    said = with_password.describe()
    with_password.close()
    assert "S3cretPW" not in said and "kartoteka:***@" in said and "публикаций: 7" in said


def test_no_index_yet(cluster):
    from search.errors import IndexMissing

    empty = OpenSearchEngine(engine_settings(cluster, "kt-none"))
    assert not empty.ready() and not empty.has_index()
    assert empty.describe().startswith("индекса нет: псевдоним ")
    with pytest.raises(IndexMissing):
        empty.find(_selection(), "relevance", 0, 10, None)
    with pytest.raises(IndexMissing):
        empty.health()
    with pytest.raises(IndexMissing):
        empty.get("x")
    empty.close()


def test_a_misspelt_prefix_names_the_aliases_the_cluster_has(writable, cluster):
    """`kartoteka search` with KARTOTEKA_OPENSEARCH_PREFIX=kartoteca said only that
    nothing was there; it now names the aliases of our generations on the cluster."""
    from search.errors import IndexMissing

    wrong = OpenSearchEngine(engine_settings(cluster, writable.gens.alias + "x"))
    with pytest.raises(IndexMissing) as missing:
        wrong.find(_selection(), "relevance", 0, 10, None)
    wrong.close()
    assert repr(writable.gens.alias) in str(missing.value), missing.value
    assert "KARTOTEKA_OPENSEARCH_PREFIX" in str(missing.value)


def test_sync_keeps_and_changes_groups_of_copies(writable):
    records = [dict(d, source_file="docs.jsonl") for d in DOCS]
    records[1]["text"] = "Совсем другой текст о конкурсе чтецов."  # a2 is no copy any more
    records.append({"id": "a4", "title": "Ещё раз", "text": ARTICLE, "date": "2024-03-01",
                    "source_file": "docs.jsonl"})
    writable.sync(_pubs(records), scopes=["docs.jsonl"])
    found = writable.find(_selection(), "date_asc", 0, 20, None)
    groups = sorted(sorted((h.publication.id, *h.copies)) for h in found.hits)
    assert groups == [["a1", "a3", "a4"], ["a2"], ["b1", "b2"], ["c1"], ["c2"]]
    assert found.total == 5


def test_a_meta_index_not_yet_started_is_unavailable_not_outdated(writable):
    """While a cluster comes back, the meta index's shard starts after the others: for
    those seconds health said `outdated`, «перестройте индекс», and an admin who did
    rebuilt for nothing. A shard that cannot start yet is a cluster not ready."""
    from search.errors import EngineUnavailable

    meta = writable.gens.meta_index
    client = writable.client
    client.indices.close(index=meta)
    client.indices.put_settings(index=meta, body={
        "index.routing.allocation.require._name": "no-such-node"})
    client.indices.open(index=meta, wait_for_active_shards=0)
    try:
        writable.invalidate()
        with pytest.raises(EngineUnavailable):
            writable.health()
    finally:
        client.indices.put_settings(index=meta, body={
            "index.routing.allocation.require._name": None})
    deadline = time.monotonic() + 30
    while True:  # the shard starts once it may: the index answers again
        writable.invalidate()
        try:
            assert writable.health()["documents"] == len(DOCS)
            break
        except EngineUnavailable:
            assert time.monotonic() < deadline
            time.sleep(0.2)


def test_a_live_index_closed_to_writes_is_a_503_and_health_says_why(writable):
    """A node's disk past its flood-stage watermark makes the live index read-only: a
    PUT was a 500 with the client's traceback, a DELETE of a stored publication said it
    did not exist (404), and health said `ok` (a portal admin's trial)."""
    from search.errors import IndexNotWritable

    index = writable.gens.require_live()
    block = {"index.blocks.read_only_allow_delete": True}
    writable.client.indices.put_settings(index=index, body=block)
    try:
        with pytest.raises(IndexNotWritable):
            writable.upsert([Publication("blocked-put", "Заголовок", "Текст.", source="api")])
        with pytest.raises(IndexNotWritable):
            writable.delete([DOCS[0]["id"]])
        assert "flood-stage" in writable.health()["degraded"]
        assert writable.get(DOCS[0]["id"]) is not None
    finally:
        writable.client.indices.put_settings(
            index=index, body={"index.blocks.read_only_allow_delete": None})
    assert "degraded" not in writable.health()
    assert writable.delete([DOCS[0]["id"]]) == 1


def test_a_cluster_that_does_not_answer_is_a_503_with_a_time_to_try_again(tmp_path):
    """No node answering: a search is a 503 saying so, with Retry-After as the refusal of
    a change without a manager has (a CMS's push or a monitor knows when to try again)."""
    from falcon import testing
    from server_helpers import free_port

    from api.app import create_app
    from search.searcher import SearchService
    from search.settings import Settings

    settings = Settings.from_env({}, engine="opensearch", index_dir=tmp_path,
                                 opensearch_url=(f"http://127.0.0.1:{free_port()}",),
                                 opensearch_prefix="kt-nobody", reload_interval=0.0)
    service = SearchService(settings)
    try:
        answer = testing.TestClient(create_app(settings, service)).simulate_get(
            "/api/search", params={"q": "выставка"})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
        assert answer.json["description"] == "поисковый кластер не отвечает; подробности в " \
                                             "журнале сервера"
    finally:
        service.close()
