"""pymorphy3 behind a bounded per-process cache.

The MorphAnalyzer is created lazily once per process (gunicorn preloads it before
forking, so workers share its dictionaries) and never stored on an analyzer object,
because Whoosh pickles the schema, analyzers included, into the index. Which words may
have a wanted lemma, without parsing them, is search/lemma_filter.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from search import parsed_words
from search.dictionary_parse import dictionary_parser
from search.parsed_words import RawReadings

__all__ = [
    "fold_yo", "readings", "index_lemmas", "query_lemmas", "name_lemmas", "is_cyrillic",
    "cache_stats", "get_analyzer", "index_readings", "homonym_weight", "Reading", "NAME_TAGS", "NAME_MARK",
    "preload_readings", "new_readings", "stop_recording", "clear_caches", "RawReadings",
]

# Bounds per process: a gunicorn worker keeps what queries and PUTs parsed (about 0.4 KB
# a word); a rebuild's processes start from the saved lemma cache, which is not bounded.
LEMMA_CACHE_SIZE = 100_000
READINGS_CACHE_SIZE = 100_000
NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
# Prefix of the term for the proper-name reading of a word that is also a common noun:
# `Надежда Круглова` is indexed as `@надежда`, the hope (`надежда`) stays `надежда`.
NAME_MARK = "@"
NAME_DEMOTION = 0.2  # weight of a name reading when the query word is lowercase
# The least a homonym's rarer reading counts toward its term's frequency in a text, as a
# share of one occurrence (index_lemma_weights).
HOMONYM_FLOOR = 0.1
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_analyzer = None


def get_analyzer():
    """The process-wide MorphAnalyzer (created on first use)."""
    global _analyzer
    if _analyzer is None:
        import pymorphy3
        from pymorphy3 import shapes

        # pymorphy3 asks unicodedata.name() whether a letter is Latin, which raises
        # ValueError for a letter Unicode gives no name (U+17000 and 6,000 others): a
        # word starting with one failed a PUT. Its own test, with a default.
        shapes.is_latin_char = _is_latin_char
        _analyzer = pymorphy3.MorphAnalyzer()
    return _analyzer


@lru_cache(maxsize=4096)
def _is_latin_char(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


def fold_yo(text: str) -> str:
    """>>> fold_yo("ёлка Ёж")
    'елка Еж'
    """
    return text.replace("ё", "е").replace("Ё", "Е")


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC.search(word) is not None


class Reading(NamedTuple):
    """One normal form of a word with its summed parse scores (common and as a name).

    A named tuple, not a frozen dataclass: made for every reading of every new word of a
    rebuild, where a dataclass took four times as long to build."""

    lemma: str
    score: float
    is_name: bool
    name_score: float = 0.0

    @property
    def ambiguous_name(self) -> bool:
        """Both a common word and a proper name: `надежда`, `вера`, `любовь`."""
        return 0.0 < self.name_score < self.score


_readings: dict[str, tuple[Reading, ...]] = {}
_preloaded: dict[str, RawReadings] = {}
_new: dict[str, RawReadings] | None = None  # words parsed while a rebuild records them
_counts = {"hits": 0, "misses": 0, "shared": 0}


def readings(word: str) -> tuple[Reading, ...]:
    """Distinct normal forms of a lowercase word, best first, ё folded.

    Latin words and numbers are returned as they are. Cached per process, and warmed
    from the previous rebuild's words when the index writer preloads them.
    """
    found = _readings.get(word)
    if found is not None:
        _counts["hits"] += 1
        return found
    raw = _preloaded.get(word)
    if raw is not None:
        _counts["hits"] += 1
    elif (raw := parsed_words.shared.get(word)) is not None:  # no cache hit, no parse
        _counts["shared"] += 1
    if raw is not None:
        found = tuple(Reading(*r) for r in raw)
    else:
        _counts["misses"] += 1
        found = _parse(word)
        if _new is not None or parsed_words.sharing():
            raw = _raw(found)
            if _new is not None:
                _new[word] = raw
            parsed_words.note_parsed(word, raw)
    if len(_readings) >= READINGS_CACHE_SIZE:
        _readings.clear()
    _readings[word] = found
    return found


def clear_caches() -> None:
    """Forget every parsed word (benchmarks measure a cold start with this)."""
    global _new
    _readings.clear()
    _preloaded.clear()
    parsed_words.forget()
    _new = None
    index_readings.cache_clear()
    _counts.update(hits=0, misses=0, shared=0)


def preload_readings(saved: dict[str, RawReadings]) -> None:
    """Take the readings saved by an earlier rebuild and record every word parsed from now on.

    Processes forked later (the index writer's) inherit both.
    """
    global _new
    _preloaded.clear()  # an earlier rebuild's file (another index) is not this one's
    _preloaded.update(saved)
    _new = {word: _raw(found) for word, found in _readings.items() if word not in _preloaded}
    index_readings.cache_clear()  # so that every word met from now on passes readings()


def new_readings() -> dict[str, RawReadings]:
    """The words parsed since preload_readings() (not preloaded), for saving."""
    return dict(_new or {})


def stop_recording() -> None:
    """Record no more words, for saving or for sharing."""
    global _new
    _new = None
    parsed_words.stop_sharing()


def _raw(found: tuple[Reading, ...]) -> RawReadings:
    return tuple(map(tuple, found))


def _parse(word: str) -> tuple[Reading, ...]:
    if not is_cyrillic(word):
        return (Reading(word, 1.0, False),)
    global _dictionary_parse
    if _dictionary_parse is None:
        _dictionary_parse = dictionary_parser(get_analyzer(), NAME_TAGS)
    parses = _dictionary_parse(word)
    if parses is None:
        parses = [(p.normal_form, p.score, bool(NAME_TAGS & p.tag.grammemes))
                  for p in get_analyzer().parse(word)]
    scores: dict[str, list] = {}
    for normal_form, score, is_name in parses:
        lemma = fold_yo(normal_form)
        entry = scores.get(lemma)
        if entry is None:
            entry = scores[lemma] = [0.0, 0.0]
        entry[1 if is_name else 0] += score
    out = [Reading(lemma, common + name, name > common, name)
           for lemma, (common, name) in scores.items()]
    out += _surname_of_a_name(fold_yo(word), out)
    out.sort(key=_best_first)
    return tuple(out) or (Reading(fold_yo(word), 1.0, False),)


_SURNAME_SUFFIXES = ("ов", "ев", "ин", "ын")


def _surname_of_a_name(word: str, found: list[Reading]) -> list[Reading]:
    """A surname made of a first name (`Пересветов`, `Святославов`) that pymorphy3 reads
    only as that name's genitive plural («пересвет»): its other forms («Пересветовым»,
    «Пересветова») are read as the surname «пересветов», so the nominative found none of
    them. The surname is added as a reading of its own, after the name's."""
    if not word.endswith(_SURNAME_SUFFIXES) or any(r.lemma == word for r in found):
        return []
    stem = word[:-2]
    return [Reading(word, r.score / 2, True, r.score / 2) for r in found[:1]
            if r.is_name and r.lemma in (stem, stem + "ь", stem + "й")]


def _best_first(r: Reading) -> tuple[float, str]:
    return -r.score, r.lemma


_dictionary_parse = None  # search/dictionary_parse.py, made on first use


def index_lemmas(word: str, case: str = "lower") -> tuple[str, ...]:
    """Every normal form of `word`, indexed at the same position (recall first).

    `case` is how the word was written: "lower", "name" (capitalized inside a sentence:
    a common noun that is also a first name is indexed as the name only) or "start"
    (capitalized at a sentence start: both readings).
    """
    return index_readings(word, case)[0]


@lru_cache(maxsize=LEMMA_CACHE_SIZE)
def index_readings(word: str, case: str = "lower") -> tuple[tuple[str, ...], tuple[float, ...]]:
    """`index_lemmas(word, case)`, and the weight each adds to its term's frequency: 1
    for the likeliest reading, less for a rarer homonym (`стали`: «стать» 1, «сталь» 0.1)."""
    found = readings(word)
    best = found[0].score if found and found[0].score > 0 else 1.0
    lemmas: list[str] = []
    weights: list[float] = []
    for r in found:
        weight = homonym_weight(r.score / best)
        if r.ambiguous_name and case != "lower":
            if case == "start":
                lemmas.append(r.lemma)
                weights.append(weight)
            lemmas.append(NAME_MARK + r.lemma)
        else:
            lemmas.append(r.lemma)
        weights.append(weight)
    return tuple(lemmas), tuple(weights)


def homonym_weight(share: float) -> float:
    """A reading's weight from its score relative to the word's likeliest reading's:
    pymorphy3's P(tag|word) is the corpus's, not the text's, so a rare reading keeps at
    least HOMONYM_FLOOR (a steel article's «стали» is still steel)."""
    return 1.0 if share >= 1.0 else round(max(HOMONYM_FLOOR, share), 3)


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


def name_lemmas(word: str) -> frozenset[str]:
    """The lemmas a lowercase word has only as a proper name (`пушкиным`: «пушкин»).

    Another form of the same name may also be a common word (`Пушкин`, `Чехов`), and
    written capitalized inside a sentence it is indexed under NAME_MARK + lemma alone
    (index_readings): a query of this form asks for that term too, or `Пушкиным` found
    half of what `Пушкин` found.
    """
    if not is_cyrillic(word):
        return frozenset()
    return frozenset(r.lemma for r in readings(fold_yo(word)) if r.is_name and not r.ambiguous_name)


def name_marks(word: str) -> tuple[str, ...]:
    """NAME_MARK + each lemma a lowercase word has both as a common word and as a name.

    Written capitalized inside a sentence such a word is indexed under the marked lemma
    alone (index_readings): «в Таганайской тропе», «в Краснопольской библиотеке» (the
    adjective is a surname too). A phrase must stand at those positions whatever case
    it was typed in: `"таганайской тропы"` had found nothing there.
    """
    if not is_cyrillic(word):
        return ()
    return tuple(NAME_MARK + r.lemma for r in readings(fold_yo(word)) if r.ambiguous_name)


def cache_stats() -> dict[str, float]:
    """Hits, misses (words pymorphy3 had to parse) and hit rate of the lemma cache here."""
    # Index-time lookups go through index_lemmas() (and the analyzer's per-word cache
    # before it), query-time ones straight to readings().
    hits = index_readings.cache_info().hits + _counts["hits"]
    misses = _counts["misses"]
    total = hits + misses
    return {"hits": hits, "misses": misses, "size": len(_readings),
            "hit_rate": hits / total if total else 0.0}
