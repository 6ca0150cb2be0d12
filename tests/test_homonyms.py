"""Words read as other words. A homonym's rarer reading still finds its texts, but ranks
them below the word itself: `стали` is nearly always the verb «стать» ("they became"),
rarely a form of «сталь» (steel), so a search for `сталь` must not open with texts where
only the verb stands. An abbreviation is not a word's stem: `СВО` is not «своего».
"""

from __future__ import annotations

import json

import pytest
from conftest import hit_ids, service_over

from indexer.cli import main
from search.models import SearchRequest
from search.searcher import SearchService
from search.settings import Settings

STEEL = {"id": "steel", "title": "Вечер краеведения", "date": "2024-03-01",
         "text": "Осенним вечером в библиотеке рассказали о булатной стали: как мастера Златоуста "
                 "варили сталь и ковали клинки. Читатели увидели образцы клинков."}
VERB = [{"id": f"verb-{i}", "title": "Читатели стали чаще приходить", "date": "2024-03-02",
         "text": f"Дети стали читать больше. Взрослые стали брать журналы. Мы стали "
                 f"работать дольше, и посетители стали приходить по вечерам ({i})."}
        for i in range(3)]
OWN = {"id": "own", "title": "Каждому своё", "date": "2024-03-03",
       "text": "Каждый читатель нашёл своего автора и свою книгу."}
MARSHAL = {"id": "marshal", "title": "Урок мужества", "date": "2024-03-04",
           "text": "Урок мужества посвятили Маршалу Советского Союза Леониду Говорову."}
TALK = {"id": "talk", "title": "Разговор о книгах", "date": "2024-03-05",
        "text": "Читатели говорили о новых книгах, а библиотекарь говорила о старых."}
SUMMIT = {"id": "summit", "title": "Поход", "date": "2024-03-06",
          "text": "Туристы поднялись к вершине горы и вернулись к вечеру."}
DOCS = [*VERB, STEEL, OWN, MARSHAL, TALK, SUMMIT]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over(DOCS, tmp_path_factory.mktemp("homonyms"))

_ids = hit_ids


def test_the_word_itself_ranks_above_a_rarer_readings_texts(service):
    ids = _ids(service, "сталь")
    assert ids[0] == "steel"
    assert sorted(ids[1:]) == ["verb-0", "verb-1", "verb-2"]  # still found: recall first


def test_the_likelier_reading_keeps_its_weight(service):
    ids = _ids(service, "стать")
    assert sorted(ids[:3]) == ["verb-0", "verb-1", "verb-2"] and ids[3:] == ["steel"]


def test_documents_added_one_by_one_weigh_homonyms_the_same(tmp_path, service):
    """The incremental writer (Whoosh's own, per document) and the rebuild agree."""
    first, rest = tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    first.write_text(json.dumps(VERB[0], ensure_ascii=False) + "\n", encoding="utf-8")
    rest.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in DOCS[1:]),
                    encoding="utf-8")
    index = tmp_path / "index"
    for args in ([str(first)], ["--incremental", str(first), str(rest)]):
        assert main(["--quiet", "--index-dir", str(index), "reindex", "--no-progress",
                     *args]) == 0
    added = SearchService(Settings.from_env({}, index_dir=index))
    try:
        for q in ("сталь", "стать"):
            built = service.search(SearchRequest(q=q)).hits
            grown = added.search(SearchRequest(q=q)).hits
            assert [h.id for h in grown] == [h.id for h in built]
            assert [h.score for h in grown] == pytest.approx([h.score for h in built])
    finally:
        added.close()


@pytest.mark.parametrize("q", ["СВО", "сво"])
def test_an_abbreviation_or_a_short_stem_is_no_derivation(service, q):
    assert _ids(service, q) == []


def test_a_derivation_still_matches_through_its_stem(service):
    assert _ids(service, "осень") == ["steel"]  # «осенним»: another lemma, one stem


def test_a_capitalized_surname_is_no_stem_of_common_words(service):
    """`Говоров` is the marshal, not every text holding «говорили» (stem «говор»)."""
    assert _ids(service, "Говоров") == ["marshal"]
    assert _ids(service, "Вершинена") == []  # a surname mistyped: no «вершине»


def test_a_match_through_the_stem_is_marked_in_the_snippet(service):
    [hit] = service.search(SearchRequest(q="осень")).hits
    assert "<mark>Осенним</mark>" in hit.snippet
