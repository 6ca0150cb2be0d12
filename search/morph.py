"""pymorphy3 behind a bounded per-process cache.

The MorphAnalyzer is created lazily once per process (gunicorn preloads it before
forking, so workers share its dictionaries) and never stored on an analyzer object,
because Whoosh pickles the schema, analyzers included, into the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "fold_yo", "readings", "index_lemmas", "query_lemmas", "is_cyrillic",
    "cache_stats", "get_analyzer", "Reading", "NAME_TAGS", "NAME_MARK",
]

LEMMA_CACHE_SIZE = 300_000
NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
# Prefix of the term for the proper-name reading of a word that is also a common noun:
# `Надежда Круглова` is indexed as `@надежда`, the hope (`надежда`) stays `надежда`.
NAME_MARK = "@"
NAME_DEMOTION = 0.2  # weight of a name reading when the query word is lowercase
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_analyzer = None


def get_analyzer():
    """The process-wide MorphAnalyzer (created on first use)."""
    global _analyzer
    if _analyzer is None:
        import pymorphy3

        _analyzer = pymorphy3.MorphAnalyzer()
    return _analyzer


def fold_yo(text: str) -> str:
    """>>> fold_yo("ёлка Ёж")
    'елка Еж'
    """
    return text.replace("ё", "е").replace("Ё", "Е")


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC.search(word) is not None


@dataclass(frozen=True)
class Reading:
    """One normal form of a word with its summed parse scores (common and as a name)."""

    lemma: str
    score: float
    is_name: bool
    name_score: float = 0.0

    @property
    def ambiguous_name(self) -> bool:
        """Both a common word and a proper name: `надежда`, `вера`, `любовь`."""
        return 0.0 < self.name_score < self.score


@lru_cache(maxsize=LEMMA_CACHE_SIZE)
def readings(word: str) -> tuple[Reading, ...]:
    """Distinct normal forms of a lowercase word, best first, ё folded.

    Latin words and numbers are returned as they are.
    """
    if not is_cyrillic(word):
        return (Reading(word, 1.0, False),)
    scores: dict[str, list] = {}
    for parse in get_analyzer().parse(word):
        lemma = fold_yo(parse.normal_form)
        entry = scores.setdefault(lemma, [0.0, 0.0])
        if NAME_TAGS & parse.tag.grammemes:
            entry[1] += parse.score
        else:
            entry[0] += parse.score
    out = [Reading(lemma, common + name, name > common, name)
           for lemma, (common, name) in scores.items()]
    out.sort(key=lambda r: (-r.score, r.lemma))
    return tuple(out) or (Reading(fold_yo(word), 1.0, False),)


@lru_cache(maxsize=LEMMA_CACHE_SIZE)
def index_lemmas(word: str, case: str = "lower") -> tuple[str, ...]:
    """Every normal form of `word`, indexed at the same position (recall first).

    `case` is how the word was written: "lower", "name" (capitalized inside a sentence:
    a common noun that is also a first name is indexed as the name only) or "start"
    (capitalized at a sentence start: both readings).
    """
    out: list[str] = []
    for r in readings(word):
        if r.ambiguous_name and case != "lower":
            if case == "start":
                out.append(r.lemma)
            out.append(NAME_MARK + r.lemma)
        else:
            out.append(r.lemma)
    return tuple(out)


def query_lemmas(word: str, capitalized: bool = False,
                 min_weight: float = 0.02) -> tuple[tuple[str, float], ...]:
    """Likely normal forms of a query word with weights summing to 1.

    Readings that are proper names are demoted when the user typed the word in
    lowercase (`надежда` the hope, not Nadezhda); weak readings are dropped.
    """
    weighted = []
    for r in readings(word):
        if r.ambiguous_name:
            name = r.name_score * (1.0 if capitalized else NAME_DEMOTION)
            weighted.append((r.lemma, r.score - r.name_score))
            weighted.append((NAME_MARK + r.lemma, max(name, 1e-6)))
            continue
        weight = r.score if (capitalized or not r.is_name) else r.score * NAME_DEMOTION
        weighted.append((r.lemma, max(weight, 1e-6)))
    total = sum(w for _, w in weighted)
    weighted = [(lemma, w / total) for lemma, w in weighted]
    kept = [(lemma, w) for lemma, w in weighted if w >= min_weight] or weighted[:1]
    return tuple(kept)


def cache_stats() -> dict[str, float]:
    """Hits, misses and hit rate of the lemma cache in this process."""
    outer, inner = index_lemmas.cache_info(), readings.cache_info()
    # Query-time lookups go straight to readings(); index-time ones through index_lemmas().
    hits = outer.hits + inner.hits
    misses = inner.misses
    total = hits + misses
    return {"hits": hits, "misses": misses, "size": inner.currsize,
            "hit_rate": hits / total if total else 0.0}
