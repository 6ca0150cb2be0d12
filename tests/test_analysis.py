"""The Russian analysis chain: lemmas, ё = е, hyphenated words, stop words, pickling.

Search behaviour is checked on a tiny index built from JSON Lines by the real CLI.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import STOP_WORDS, WORD_RE
from search.engine.whoosh.analyzers import RU_ANALYZER, RuTokenizer
from search.models import SearchRequest
from search.morph import fold_yo, index_lemmas
from search.searcher import SearchService
from search.settings import SAMPLE_DIR
from tests.conftest import service_over

DATA = Path(__file__).parent / "data"

DOCS = [
    {"id": "lib", "title": "Новая библиотека", "text": "В микрорайоне открылась новая библиотека."},
    {"id": "yo", "title": "Ёлка в читальном зале", "text": "Читатели нарядили ёлку игрушками."},
    {"id": "ye", "title": "Зимняя елка", "text": "Дети водили хоровод вокруг елки."},
    {"id": "hyph", "title": "Мастер-класс по рисованию", "text": "Художник провёл мастер-класс."},
    {"id": "space", "title": "Мастер класс по лепке", "text": "Скульптор показал мастер класс."},
    {"id": "latin", "title": "Цифровые сервисы", "text": "Сервис LitRes и Covid-19 в 2024 году."},
]


def _tokens(text: str, **kwargs) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in RU_ANALYZER(text, positions=True, **kwargs)]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> SearchService:
    yield from service_over(DOCS, tmp_path_factory.mktemp("analysis"))


def _ids(service: SearchService, q: str) -> set[str]:
    return {hit.id for hit in service.search(SearchRequest(q=q, per_page=50)).hits}


# -- search through the index -------------------------------------------------------
def test_inflected_query_finds_lemma(tiny):
    assert _ids(tiny, "библиотеками") == {"lib"}


@pytest.mark.parametrize("query", ["елка", "ёлка", "ЁЛКИ", "елкой"])
def test_yo_and_ye_meet(tiny, query):
    assert _ids(tiny, query) == {"yo", "ye"}


@pytest.mark.parametrize("query", ["мастер класс", "мастер-класс", "мастер-классы"])
def test_hyphen_variants_meet(tiny, query):
    assert _ids(tiny, query) == {"hyph", "space"}


def test_latin_and_numbers_are_searchable(tiny):
    assert _ids(tiny, "litres") == {"latin"}
    assert _ids(tiny, "COVID-19") == {"latin"}
    assert _ids(tiny, "2024") == {"latin"}


def test_phrase_runs_across_a_compound(tiny):
    assert _ids(tiny, '"мастер-класс по рисованию"') == {"hyph"}
    assert _ids(tiny, '"мастер класс рисование"') == {"hyph"}


# -- the analyzer itself ------------------------------------------------------------
def test_latin_and_numbers_are_only_lowercased():
    assert _tokens("iPhone 15 Pro LitRes") == [
        ("iphone", 0), ("15", 1), ("pro", 2), ("litres", 3)]


def test_cyrillic_words_become_lemmas_with_yo_folded():
    assert _tokens("Ёлки читателям") == [("елка", 0), ("читатель", 1)]


def test_stop_words_removed_and_positions_closed():
    assert _tokens("и в на по ёлка для детей") == [("елка", 0), ("ребенок", 1)]
    assert _tokens("и в на") == []
    assert {"и", "в", "на", "для"} <= STOP_WORDS


def test_compound_positions():
    assert _tokens("Мастер-класс в ЦГБ") == [
        ("мастер-класс", 0), ("мастер", 0), ("класс", 1), ("цгб", 2)]
    assert _tokens("COVID-19 прошёл") == [
        ("covid-19", 0), ("covid", 0), ("19", 1), ("пройти", 2)]


def test_compound_char_offsets():
    tokens = [(t.text, t.startchar, t.endchar)
              for t in RU_ANALYZER("Наш мастер-класс", positions=True, chars=True)]
    assert tokens == [("наш", 0, 3), ("мастер-класс", 4, 16), ("мастер", 4, 10),
                      ("класс", 11, 16)]


def test_index_terms_collect_forms_as_written():
    forms: set[str] = set()
    assert RU_ANALYZER.index_terms("Ёлки и Библиотеками", forms) == {"елка": [0], "библиотека": [1]}
    assert forms == {"елки", "библиотеками"}


def test_query_mode_weights_sum_to_one():
    boosts = [t.boost for t in RU_ANALYZER("стали", mode="query")]
    assert len(boosts) >= 1
    assert sum(boosts) == pytest.approx(1.0)


def test_analyzer_pickles_small_without_morph_analyzer():
    import pymorphy3

    data = pickle.dumps(RU_ANALYZER)
    assert len(data) < 5000
    assert b"MorphAnalyzer" not in data
    assert b"pymorphy" not in data
    restored = pickle.loads(data)
    assert not any(isinstance(v, pymorphy3.MorphAnalyzer)
                   for item in restored.items for v in vars(item).values())
    assert [t.text for t in restored("Библиотеками")] == ["библиотека"]


# -- the lemma table ----------------------------------------------------------------
def _lemma_rows() -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / "lemmas.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, lemma = line.split()
            rows.append((word, lemma))
    return rows


def test_lemma_table_is_big_enough():
    rows = _lemma_rows()
    assert len(rows) >= 30
    assert any("ё" in word for word, _ in rows)


@pytest.mark.parametrize(("word", "lemma"), _lemma_rows())
def test_lemma_table(word, lemma):
    lemmas = index_lemmas(word)
    assert lemma in lemmas
    assert all("ё" not in form for form in lemmas)


# -- the index writer's fast path -----------------------------------------------------
def _chain_terms(text: str) -> tuple[dict[str, list[int]], dict[str, float], set[str]]:
    terms: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    for t in RU_ANALYZER(text, positions=True, mode="index"):
        terms.setdefault(t.text, []).append(t.pos)
        weights[t.text] = weights.get(t.text, 0.0) + t.boost
    forms = {fold_yo(t.text.lower()) for t in RuTokenizer()(text)} - STOP_WORDS
    return terms, _rounded(weights), forms


def _fast_terms(text: str) -> tuple[dict[str, list[int]], dict[str, float], set[str]]:
    forms: set[str] = set()
    weights: dict[str, float] = {}
    return RU_ANALYZER.index_terms(text, forms, weights), _rounded(weights), forms


def _rounded(weights: dict[str, float]) -> dict[str, float]:
    return {term: round(weight, 6) for term, weight in weights.items()}


def test_a_homonyms_rarer_reading_weighs_less_in_the_index():
    """`стали` is mostly the verb: its steel reading adds a fraction to the term weight."""
    terms, weights, _forms = _fast_terms("Они стали мастерами. Булатная сталь")
    assert terms["сталь"] == [0, 3] and terms["стать"] == [0]  # «они», a stop word
    assert weights["стать"] == 1.0 and 1.0 < weights["сталь"] < 1.5


_SAMPLE_TEXTS = [json.loads(line) for line in
                 (SAMPLE_DIR / "publications.jsonl")
                 .read_text(encoding="utf-8").splitlines() if line.strip()]


def test_fast_index_path_equals_token_chain_on_sample():
    for record in _SAMPLE_TEXTS:
        for text in (record.get("title", ""), record.get("text", "")):
            assert _fast_terms(text) == _chain_terms(text)


_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁЖЦГМНabcXYZ019 -‐.!?…\n,«»\u0301\u00ad"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80)
       | st.lists(st.sampled_from(["Надежда", "надежда", "Вера", "ЦГБ", "мастер-класс",
                                   "Ёлки", "и", "в", ".", "\n", "COVID-19", "сто́ит", "Мастер-Класс",
                                   "из-за", "Кое-как", "по-моему", "Из-за", "а-в-б", "х" * 70]),
                  max_size=12).map(" ".join))
def test_fast_index_path_equals_token_chain(text):
    assert _fast_terms(text) == _chain_terms(text)


_WORDS = (st.text(alphabet=_ALPHABET, max_size=80)
          | st.lists(st.sampled_from(["Надежда", "надежда", "Вера", "ЦГБ", "мастер-класс",
                                      "Ёлки", "и", "в", ".", "COVID-19", "сто́ит", "стали",
                                      "из-за", "Кое-как", "по-моему", "а-в-б", "х" * 70]),
                     max_size=12).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(_WORDS)
def test_query_terms_equal_the_token_chain_in_query_mode(text):
    from search.analysis import query_terms

    chain = [(t.text, t.boost, t.pos, bool(getattr(t, "compound", False)),
              bool(getattr(t, "part", False)))
             for t in RU_ANALYZER(text, positions=True, mode="query")]
    assert [(t.text, t.boost, t.pos, t.compound, t.part) for t in query_terms(text)] == chain


@settings(max_examples=300, deadline=None)
@given(_WORDS)
def test_stem_terms_equal_the_whoosh_stem_analyzer(text):
    from search.engine.whoosh.analyzers import stem_analyzer
    from search.stems import stem_terms

    assert stem_terms(text) == [t.text for t in stem_analyzer()(text)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40, unique=True))
def test_positions_encoded_as_whoosh_encodes_them(positions):
    from whoosh.formats import Positions

    from search.engine.whoosh.schema import _encode_positions

    positions.sort()
    assert _encode_positions(positions) == Positions().encode(positions)


# The word pattern as first written: a letter or digit, then letters, digits, combining
# accents and soft hyphens in any order; parts joined by hyphens.
_PLAIN_PART = r"[^\W_](?:[^\W_]|[\u0300-\u036f\u00ad])*"
_PLAIN_WORD = re.compile(rf"{_PLAIN_PART}(?:[-\u2010\u2011]{_PLAIN_PART})*")


@given(st.text(alphabet=st.sampled_from("аБ1x_ \u0301\u0300\u00ad-\u2010\u2011.,\nё²"),
               max_size=40))
def test_the_word_pattern_finds_what_the_plain_one_does(text):
    assert WORD_RE.findall(text) == _PLAIN_WORD.findall(text)
    assert [m.span() for m in WORD_RE.finditer(text)] == \
        [m.span() for m in _PLAIN_WORD.finditer(text)]
