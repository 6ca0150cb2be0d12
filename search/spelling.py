"""The index's own vocabulary for did-you-mean: which words are unknown (the nearest
known word to a typo is search/typo_fix.py; search/correction.py builds the corrected
query from them)."""

from __future__ import annotations

import copy
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search.analysis import STOP_WORDS
from search.morph import NAME_MARK, fold_yo, get_analyzer, index_lemmas, is_cyrillic

__all__ = ["is_lexicon_word", "SpellingLexicon", "needs_correction", "from_latin_layout",
           "edit_distance", "unknown_word", "is_dictionary_word",
           "is_proper_name", "has_reading_outside", "cased_like", "on_latin_layout",
           "LAYOUT_PUNCTUATION"]

_LAT = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYR = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LAYOUT = str.maketrans(
    _LAT + "".join(c.upper() for c in _LAT if c.isalpha()),
    _CYR + "".join(r.upper() for c, r in zip(_LAT, _CYR, strict=True) if c.isalpha()))
_FIELD = "body"  # the lemma vocabulary; corrections are inflected back like the word typed


def is_lexicon_word(word: str) -> bool:
    """A word the spelling lexicon keeps: longer than two letters, letters only, not a
    name reading (names are never corrections)."""
    return len(word) > 2 and word.isalpha() and not word.startswith(NAME_MARK)


def from_latin_layout(text: str) -> str:
    """Text typed on a Latin layout meaning Russian: `,b,kbjntrf` -> `библиотека`."""
    return text.translate(_LAYOUT)


LAYOUT_PUNCTUATION = ",.;'[]`"  # the Latin keys of б ю ж э х ъ ё


def on_latin_layout(text: str) -> bool:
    """Every character a key of the Latin layout that stands for a Russian letter."""
    return all(c.isascii() and (c.isalpha() or c in LAYOUT_PUNCTUATION) for c in text)


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), in C."""
    return OSA.distance(a, b)


KNOWN_CACHE_SIZE = 50_000  # words kept by SpellingLexicon.knows (per index generation)
_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})


class SpellingLexicon:
    """The index's lemmas with document frequencies (search/engine/whoosh/lexicon.py), bucketed by
    length: a lookup compares a word with the lemmas within two letters of its length
    in C (rapidfuzz), about a millisecond on the real corpus."""

    def __init__(self, reader, freqs: Mapping[str, int]):
        self.reader = reader
        self.freqs = freqs
        # Surnames people signed with (the people field), marked NAME_MARK in `freqs`: a
        # misspelled name is only offered them (search/engine/whoosh/lexicon.py).
        self.names = {w[1:]: n for w, n in freqs.items() if w.startswith(NAME_MARK)}
        self._buckets = _buckets(w for w in freqs if not w.startswith(NAME_MARK))
        self._name_buckets = _buckets(self.names)
        self._known: dict[str, bool] = {}  # knows(), per word as typed
        self._sorted: list[str] | None = None  # has_prefix()
        self._also: frozenset[str] = frozenset()  # knowing()

    def knowing(self, words: Iterable[str]) -> SpellingLexicon:
        """The same lexicon knowing `words` too (lowercase, ё folded): the synonyms
        dictionary's (`КРСБ`, a library's own abbreviation, had been "corrected" to
        «КРАБ»)."""
        other = copy.copy(self)
        other._known, other._also = {}, frozenset(words)
        return other

    def over(self, reader) -> SpellingLexicon:
        """The same words over another reader (the next commit's, after a PUT): its
        buckets shared, the answers of `knows` asked anew (a PUT may bring a word)."""
        other = copy.copy(self)
        other.reader, other._known = reader, {}
        return other

    def grown(self, reader, freqs: Mapping[str, int]) -> SpellingLexicon | None:
        """This lexicon over the `freqs` of a later commit that holds every word of this
        one and a few more (a PUT's): the length buckets shared but where a new word goes
        (making them all took 0.4 s on the real corpus). None when a word of this one is
        gone: then it is made anew."""
        if any(word not in freqs for word in self.freqs):
            return None
        new = [word for word in freqs if word not in self.freqs]
        other = self.over(reader)
        other.freqs, other._sorted = freqs, None if new else self._sorted
        other.names = {w[1:]: n for w, n in freqs.items() if w.startswith(NAME_MARK)}
        other._buckets = _grown(self._buckets, [w for w in new if not w.startswith(NAME_MARK)])
        other._name_buckets = _grown(self._name_buckets,
                                     [w[1:] for w in new if w.startswith(NAME_MARK)])
        return other

    def knows(self, word: str) -> bool:
        """Known through any of its lemmas (a rarer inflection is not a typo).

        Asked several times a search for each word (is it a typo, a run-together pair);
        each time it was the reader's lookups in every segment, a twentieth of a
        worker's time under a stream of new queries: so the lexicon first, the reader
        for what it lacks (numbers, words a PUT brought), and the answer kept."""
        known = self._known.get(word)
        if known is None and word in self._also:
            known = True
        if known is None:
            lemmas = index_lemmas(word)
            known = any(self.freqs.get(lemma, 0) > 0 for lemma in lemmas) or any(
                self.reader.doc_frequency(field, lemma) > 0
                for lemma in lemmas for field in (_FIELD, "title"))
            if len(self._known) >= KNOWN_CACHE_SIZE:
                self._known.clear()
            self._known[word] = known
        return known

    def has_prefix(self, prefix: str) -> bool:
        """Whether a lexicon word begins with `prefix` (a bisection of its sorted words,
        sorted on first use)."""
        if self._sorted is None:
            self._sorted = sorted(w for w in self.freqs if not w.startswith(NAME_MARK))
        at = bisect_left(self._sorted, prefix)
        return at < len(self._sorted) and self._sorted[at].startswith(prefix)

    def knows_name(self, word: str) -> bool:
        """A surname someone signed with, through any of its lemmas."""
        return any(lemma in self.names for lemma in index_lemmas(word))

    def frequency(self, term: str) -> int:
        """Documents holding the lemma, as a word or as a signature's surname."""
        return max(self.freqs.get(term, 0), self.names.get(term, 0))

    def near(self, probe: str, maxdist: int, names: bool = False) -> list[tuple[str, int]]:
        """(lemma, edits) within `maxdist` edits (adjacent swaps count one) of `probe`:
        words of the texts, or with `names` the surnames of the signatures."""
        buckets = self._name_buckets if names else self._buckets
        found: dict[str, int] = {}
        for length in range(len(probe) - maxdist, len(probe) + maxdist + 1):
            for place in range(min(2, len(probe))):
                bucket = buckets.get((length, place, probe[place]))
                if bucket:
                    found.update((m[0], int(m[1])) for m in process.extract(
                        probe, bucket, scorer=OSA.distance, score_cutoff=maxdist, limit=None))
        return list(found.items())


def _buckets(words: Iterable[str]) -> dict[tuple[int, int, str], list[str]]:
    """A word is filed under its length with its first letter and with its second: a
    typo in both of them at once is rare, and each list is ~1/20 of the words."""
    buckets: dict[tuple[int, int, str], list[str]] = {}
    for word in words:
        for place in (0, 1):
            buckets.setdefault((len(word), place, word[place]), []).append(word)
    return buckets


def _grown(buckets: dict[tuple[int, int, str], list[str]],
           words: list[str]) -> dict[tuple[int, int, str], list[str]]:
    """`buckets` with `words` filed as well; the lists they go in are new ones."""
    if not words:
        return buckets
    out = dict(buckets)
    for key, bucket in _buckets(words).items():
        out[key] = [*out.get(key, ()), *bucket]
    return out


def is_dictionary_word(word: str) -> bool:
    """pymorphy3 knows the word from its dictionary (not only guessed from its ending).

    What MorphAnalyzer.word_is_known answers, asked of its word list directly: a word as
    written first (0.2 µs), then with `е` read as `ё` too, only for a word that has an
    `е` (0.7 µs). A typo's neighbours ask it ~500 times (search/typo_fix.py)."""
    global _words, _substitutes
    if _words is None:
        analyzer = get_analyzer()
        _words, _substitutes = analyzer.dictionary.words, analyzer.char_substitutes
    word = word.lower()
    if word in _words:
        return True
    return "е" in word and bool(_words.similar_keys(word, _substitutes))


_words = _substitutes = None  # pymorphy3's word list and its е/ё substitutes


@lru_cache(maxsize=20_000)  # asked per query word, and per place a run-together word splits
def has_reading_outside(word: str, tags: frozenset[str]) -> bool:
    """Whether the dictionary (not a guess) reads `word` in some reading with none of
    `tags`: as a common word, when `tags` are those of names (`Толстой`: «толстый»)."""
    return any(p.is_known and not (tags & p.tag.grammemes) for p in get_analyzer().parse(word))


def is_proper_name(word: str) -> bool:
    """A capitalized word that parses as a first name, surname, patronymic or place."""
    if not word[:1].isupper():
        return False
    return any(parse.tag.grammemes & _NAME_TAGS for parse in get_analyzer().parse(word))


def unknown_word(lexicon: SpellingLexicon, word: str) -> str | None:
    """How a word typed is unknown: "word" (not in the index, not a dictionary word, not
    a name: corrected), "name" (capitalized and taken for a name, but neither the index,
    the dictionary nor a signature knows it: `Вершинена`, `Празник` typed first on a
    phone; the nearest word or surname is only offered), or None (known)."""
    low = fold_yo(word.lower())
    if len(low) < 4 or low in STOP_WORDS or not is_cyrillic(low):
        return None  # stop words are never indexed, so they are not typos
    if lexicon.knows(low) or is_dictionary_word(low):
        return None
    if not is_proper_name(word):
        return "word"
    return None if lexicon.knows_name(low) else "name"


def needs_correction(lexicon: SpellingLexicon, word: str) -> bool:
    """Only a word that is unknown: not in the index, not a dictionary word, not a name."""
    return unknown_word(lexicon, word) == "word"


def cased_like(typed: str, word: str) -> str:
    """The correction written as the word typed: `Празник` -> `Праздник`."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word
