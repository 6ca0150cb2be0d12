"""Derivational families of Snowball stems (search/derivation.py), which words they join
and which they keep apart, and which queries use them (one plain word only)."""

from __future__ import annotations

import doctest

import pytest

import search.derivation
from search.derivation import family
from search.facet_hints import topic_hints
from search.query import QueryParser
from search.stems import FIELD, stem
from search.synonyms import SynonymDictionary

JOINED = [  # (query word, a word of the same family a text holds)
    ("краеведение", "краеведческие"),
    ("краеведение", "краеведов"),
    ("краеведческий", "краеведение"),
    ("шахматы", "шахматист"),
    ("шахматы", "шахматный"),
    ("рукодельный", "рукоделие"),
    ("детективный", "детективы"),
    ("экранизации", "экранизировали"),
    ("волонтёрский", "волонтеры"),
    ("писатель", "писательница"),  # the masculine finds the feminine (search/feminine.py)
    ("театр", "театральный"),  # a stem of 5 letters is a root
]
APART = [
    ("гостиная", "гостиница"),  # a root of 5 letters left by a suffix taken off
    ("праздник", "праздный"),  # -ик is no suffix here
    ("писательница", "писатель"),  # it asks for women
    ("поэт", "поэтический"),  # a stem under 5 letters has no family
]


def test_the_module_examples():
    assert doctest.testmod(search.derivation).failed == 0


@pytest.mark.parametrize(("typed", "written"), JOINED)
def test_a_family_joins_derivations(typed, written):
    assert stem(written) in family(stem(typed)), (stem(typed), stem(written))


@pytest.mark.parametrize(("typed", "written"), APART)
def test_a_family_keeps_apart_what_only_looks_related(typed, written):
    assert stem(written) not in family(stem(typed))


def _stem_terms(text: str) -> set[str]:
    query = QueryParser(SynonymDictionary.load()).parse(text).query
    found, todo = set(), [query]
    while todo:
        node = todo.pop()
        todo.extend(getattr(node, "children", ()))
        for part in ("positive", "negative", "child"):
            if getattr(node, part, None) is not None:
                todo.append(getattr(node, part))
        if getattr(node, "field", None) == FIELD and hasattr(node, "text"):
            found.add(node.text)
    return found


@pytest.mark.parametrize("text", ["краеведение", "для краеведения",
                                  "краеведение -выставка", "краеведение НЕ выставка"])
def test_one_word_matches_its_family(text):
    assert "краеведческ" in _stem_terms(text)


@pytest.mark.parametrize("text", ["краеведение выставка", '"краеведение"', "краевед*",
                                  "=краеведение", "краеведение OR выставка"])
def test_other_queries_match_no_family(text):
    assert "краеведческ" not in _stem_terms(text)


def test_a_topic_named_by_a_query_that_found_nothing():
    """The topic list's own names: each word of the query in some form."""
    facets = {"topic": [type("V", (), {"value": v, "count": 7})()
                        for v in ("Краеведение", "Отчёты и итоги", "Выставки")]}
    assert [t.value for t in topic_hints(["краеведение"], lambda: facets)] == ["Краеведение"]
    assert [t.value for t in topic_hints(["итогам", "отчётов"], lambda: facets)] == [
        "Отчёты и итоги"]
    assert topic_hints(["краеведение", "выставка"], lambda: facets) == []
