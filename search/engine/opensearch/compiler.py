"""The neutral query tree (search/nodes.py) as OpenSearch query DSL, and the ranking.

Matching follows the Whoosh engine node for node. Scores are Lucene's BM25 (k1 1.2,
b 0.75) with the nodes' boosts; they are not Whoosh's numbers (Lucene's idf and its
BM25 without the (k1 + 1) factor differ), only their order is meant to agree. The
bonuses of search/engine/whoosh/ranking.py become optional clauses: an exact form as typed, pairs of
neighbouring content lemmas side by side or within a window, and a publication the
query names (quoting its words as a name, or holding them in order in its title), far
ahead of the rest. Recency multiplies the whole score.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from search import nodes as n
from search.engine import RankHints
from search.morph import readings
from search.quoted import naming
from search.weights import EXACT_BONUS, LIBRARY_LEMMAS, ORDERED_WEIGHT, WINDOW, WINDOW_WEIGHT

__all__ = ["compile_node", "ranked", "NAMED_BOOST", "MATCH_NONE"]

MATCH_NONE = {"match_none": {}}
# Far above any BM25 sum here (tens), so that publications the query names come first
# (search/weights.py NAMED_WEIGHT: the Whoosh engine lifts them by the others' best score).
NAMED_BOOST = 10_000.0
_SATURATED_ONCE = 0.5  # n / (n + 1) of search/engine/whoosh/proximity.py for one occurrence

DocFreq = Callable[[str], int]  # body document frequency of a lemma


def compile_node(node: n.Node) -> dict:
    """The query matching what `node` matches in the Whoosh engine."""
    if isinstance(node, n.Term):
        return {"term": {node.field: {"value": node.text, "boost": node.boost}}}
    if isinstance(node, n.Prefix):
        return {"prefix": {node.field: {"value": node.text, "boost": node.boost}}}
    if isinstance(node, n.Phrase):
        return _slots(node.field, tuple((w,) for w in node.words), node.slop, node.boost)
    if isinstance(node, n.Sequence):
        return _slots(node.field, node.slots, node.slop, node.boost)
    if isinstance(node, n.Or):
        if not node.children:
            return MATCH_NONE
        return {"bool": {"should": [compile_node(c) for c in node.children],
                         "minimum_should_match": max(1, node.minmatch), "boost": node.boost}}
    if isinstance(node, n.And):
        if not node.children:
            return MATCH_NONE
        return {"bool": {"must": [compile_node(c) for c in node.children], "boost": node.boost}}
    if isinstance(node, n.AndNot):
        return {"bool": {"must": [compile_node(node.positive)],
                         "must_not": [compile_node(node.negative)]}}
    if isinstance(node, n.Every):
        return {"match_all": {"boost": node.boost}}
    if isinstance(node, n.Nothing):
        return MATCH_NONE
    if isinstance(node, n.Dated):
        return {"constant_score": {"filter": {"range": {"published": {
            "gte": node.first.isoformat(), "lte": node.last.isoformat()}}},
            "boost": node.boost}}
    if isinstance(node, n.ExactForm):
        return {"bool": {"must": [compile_node(node.child)],
                         "filter": [{"term": {"forms": node.form}}]}}
    raise TypeError(f"not a query node: {node!r}")


def _slots(field: str, slots: tuple[tuple[str, ...], ...], slop: int, boost: float) -> dict:
    """Words at consecutive places, each place any of its lemmas (search/phrases.py):
    in order, each within `slop` of the last; with a slop of 2 or more and no place
    repeated, also Lucene's sloppy phrase in any order."""
    slots = tuple(s for s in slots if s)
    if len(slots) != len(set(slots)) and slop >= 2:
        # A word repeated would meet itself out of order: in order only, as Whoosh does.
        clauses = [{"span_or": {"clauses": [{"span_term": {field: w}} for w in slot]}}
                   for slot in slots]
        return {"span_near": {"clauses": clauses, "slop": (slop - 1) * (len(slots) - 1),
                              "in_order": True, "boost": boost}}
    text = " ".join("|".join(slot) for slot in slots)
    return {"match_phrase": {field: {"query": text, "slop": slop if slop >= 2 else 0,
                                     "boost": boost}}}


def _idf(doc_freq: DocFreq, documents: int, lemma: str) -> float:
    """Whoosh's idf, which search/engine/whoosh/ranking.py weighs its bonuses with."""
    return math.log(max(documents, 1) / (doc_freq(lemma) + 1)) + 1


def _bonuses(hints: RankHints, doc_freq: DocFreq, documents: int) -> list[dict]:
    out = []
    for form in sorted(hints.forms):
        found = readings(form)
        weight = EXACT_BONUS * _idf(doc_freq, documents, found[0].lemma if found else form)
        if weight > 0:
            out.append({"constant_score": {"filter": {"term": {"forms": form}},
                                           "boost": weight}})
    lemmas = hints.content_lemmas
    for a, b in zip(lemmas, lemmas[1:], strict=False):
        if a == b:
            continue
        weight = (_idf(doc_freq, documents, a) + _idf(doc_freq, documents, b)) / 2
        pair = [{"span_term": {"body": a}}, {"span_term": {"body": b}}]
        out.append({"constant_score": {"filter": {"span_near": {
            "clauses": pair, "slop": 0, "in_order": True}},
            "boost": weight * ORDERED_WEIGHT * _SATURATED_ONCE}})
        out.append({"constant_score": {"filter": {"span_near": {
            "clauses": pair, "slop": WINDOW - 2, "in_order": False}},
            "boost": weight * WINDOW_WEIGHT * _SATURATED_ONCE}})
    return out


def _named(hints: RankHints) -> dict | None:
    """Publications the query names (search/quoted.py `naming`), lifted above the rest
    after recency, as search/engine/whoosh/ranking.py does: quoting its words as a name,
    or holding its content lemmas side by side, in order, in the title."""
    key, lemmas = naming(hints.plain, hints.words, hints.content_lemmas)
    clauses = ([{"term": {"quoted": key}}] if key is not None else []) + (
        [_slots("title", tuple((w,) for w in lemmas), 1, 1.0)] if lemmas else [])
    if not clauses:
        return None
    return {"constant_score": {"filter": {"bool": {"should": clauses}}, "boost": NAMED_BOOST}}


def ranked(query: dict, hints: RankHints, doc_freq: DocFreq, documents: int,
           recency_weight: float, half_life_days: float, today: dt.date,
           library_weight: float = 0.0) -> dict:
    """`query` scored for the relevance order: bonuses added, recency multiplied in
    (1 + weight * 0.5 ** (age / half-life), 1 for an undated publication), and the
    library prior (1 + library_weight for a publication naming the library)."""
    bonuses = _bonuses(hints, doc_freq, documents)
    scored = {"bool": {"must": [query], "should": bonuses}} if bonuses else query
    if recency_weight > 0:
        scored = _recency(scored, recency_weight, half_life_days, today)
    if library_weight > 0:
        scored = _library(scored, library_weight)
    named = _named(hints)
    return {"bool": {"must": [scored], "should": [named]}} if named else scored


def _library(scored: dict, library_weight: float) -> dict:
    names = {"bool": {"should": [{"terms": {field: list(LIBRARY_LEMMAS)}}
                                 for field in ("title", "body")]}}
    return {"function_score": {
        "query": scored,
        "functions": [{"weight": 1}, {"filter": names, "weight": library_weight}],
        "score_mode": "sum",
        "boost_mode": "multiply",
    }}


def _recency(scored: dict, recency_weight: float, half_life_days: float,
             today: dt.date) -> dict:
    scale_ms = max(1, round(half_life_days * 86_400_000))
    return {"function_score": {
        "query": scored,
        "functions": [
            {"weight": 1},
            {"filter": {"exists": {"field": "published"}}, "weight": recency_weight,
             "exp": {"published": {"origin": today.isoformat(), "scale": f"{scale_ms}ms",
                                   "decay": 0.5}}},
        ],
        "score_mode": "sum",
        "boost_mode": "multiply",
    }}
