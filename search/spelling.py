"""Did-you-mean from the index's own vocabulary: typos and wrong keyboard layout."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search.analysis import STOP_WORDS, WORD_RE
from search.morph import NAME_MARK, fold_yo, get_analyzer, index_lemmas, is_cyrillic, readings
from search.transliteration import readings as latin_readings

__all__ = ["is_lexicon_word", "Correction", "SpellingLexicon", "suggest_correction", "needs_correction",
           "from_latin_layout", "edit_distance", "unknown_word"]

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


_LAYOUT_PUNCTUATION = ",.;'[]`"  # the Latin keys of б ю ж э х ъ ё


def _on_latin_layout(text: str) -> bool:
    """Every character a key of the Latin layout that stands for a Russian letter."""
    return all(c.isascii() and (c.isalpha() or c in _LAYOUT_PUNCTUATION) for c in text)


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), in C."""
    return OSA.distance(a, b)


@dataclass(frozen=True)
class Correction:
    text: str
    confident: bool
    layout: bool = False
    latin: bool = False  # Russian words typed in Latin letters (transliterated)

    @property
    def retyped(self) -> bool:
        """Words typed on the Latin layout or in Latin letters: never meant as typed, so
        the correction is shown even when the typed query found something."""
        return self.layout or self.latin


# A word in one publication only, and unknown to the dictionary, is as likely a typo
# (or a rare name) as the fix: `ковид` is not corrected to `коид`.
MIN_CORRECTION_DOCS = 2
INFLECT_AT_MOST = 6
_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_NEIGHBOURS = {(a, b) for row in _ROWS for a, b in zip(row, row[1:], strict=False)}
_NEIGHBOURS |= {(b, a) for a, b in _NEIGHBOURS}


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

    def knows(self, word: str) -> bool:
        """Known through any of its lemmas (a rarer inflection is not a typo)."""
        return any(self.reader.doc_frequency(field, lemma) > 0
                   for lemma in index_lemmas(word) for field in (_FIELD, "title"))

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


def is_dictionary_word(word: str) -> bool:
    """pymorphy3 knows the word from its dictionary (not only guessed from its ending)."""
    return get_analyzer().word_is_known(word)


def is_proper_name(word: str) -> bool:
    """A capitalized word that parses as a first name, surname, patronymic or place."""
    if not word[:1].isupper():
        return False
    return any(parse.tag.grammemes & _NAME_TAGS for parse in get_analyzer().parse(word))


def _inflected_like(lemma: str, word: str) -> str:
    """The form of `lemma` closest to `word`: `библиотека` for `библеотеками` -> `библиотеками`."""
    if not is_cyrillic(lemma):
        return lemma
    forms = {lemma}
    for parse in get_analyzer().parse(lemma):
        if fold_yo(parse.normal_form) == lemma:
            forms.update(fold_yo(p.word) for p in parse.lexeme)
            break
    return min(sorted(forms), key=lambda form: edit_distance(word, form))


def _cost(word: str, form: str) -> float:
    """Edits from the word typed, a slip to a neighbouring key counting a little less."""
    dist = edit_distance(word, form)
    if len(word) == len(form):
        slips = sum((a, b) in _NEIGHBOURS for a, b in zip(word, form, strict=True))
        return dist - 0.25 * min(slips, dist)
    return float(dist)


def _best_typo_fix(lexicon: SpellingLexicon, word: str,
                   capitalized: bool = False) -> tuple[str, int] | None:
    """The nearest word the index knows, then the most frequent: lemmas near the word or
    near its guessed lemmas, inflected back like the word typed. The surnames of the
    signatures are candidates too, and for a `capitalized` word they come first among
    the equally near (`Марихна`: the library's «Марихина» before «Марина»)."""
    maxdist = 1 if len(word) <= 5 else 2
    probes = [word] + [r.lemma for r in readings(word) if r.lemma != word][:1]
    found = _typo_candidates(lexicon, word, probes, maxdist, maxdist, capitalized)
    if found is None:  # a lemma one edit farther may still inflect to a form this near:
        # `кнги` is 2 from «книга» and 1 from «книги»
        found = _typo_candidates(lexicon, word, probes, maxdist + 1, maxdist, capitalized)
    return found


def _typo_candidates(lexicon: SpellingLexicon, word: str, probes: list[str], lemma_dist: int,
                     maxdist: int, capitalized: bool) -> tuple[str, int] | None:
    """_best_typo_fix over the lemmas within `lemma_dist` of the probes, inflected like
    `word`, kept within `maxdist` of it."""
    near: dict[str, int] = {}
    for names in (False, True):
        table = lexicon.names if names else lexicon.freqs
        for probe in probes:
            for term, dist in lexicon.near(probe, lemma_dist, names=names):
                if table[term] >= MIN_CORRECTION_DOCS or is_dictionary_word(term):
                    near[term] = min(dist, near.get(term, dist))
    # Inflecting a lemma like the word typed costs ~1 ms: only for the likeliest few.
    frequency = lexicon.frequency
    likeliest = sorted(near, key=lambda t: (near[t], -frequency(t), t))[:INFLECT_AT_MOST]
    candidates = []
    for term in likeliest:
        form = _inflected_like(term, word)
        dist = edit_distance(word, form)
        if 0 < dist <= maxdist:
            signed = capitalized and term in lexicon.names
            candidates.append((_cost(word, form), not signed, -math.log1p(frequency(term)),
                               form, dist))
    if not candidates:
        return None
    *_, form, dist = min(candidates)
    return form, dist


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


def _cased_like(typed: str, word: str) -> str:
    """The correction written as the word typed: `Празник` -> `Праздник`."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def suggest_correction(lexicon: SpellingLexicon, query: str) -> Correction | None:
    """A corrected query when some words are unknown, else None; each word on its own.
    A misspelled name is only suggested (never `confident`): it may be a real name the
    index does not hold."""
    words = [m.group() for m in WORD_RE.finditer(query)]
    if not words and any(c in query for c in _LAYOUT_PUNCTUATION):
        words = [query.strip()]
    whole = query.strip()
    if whole and not is_cyrillic(whole) and _on_latin_layout(whole.replace(" ", "")):
        mapped = from_latin_layout(whole)
        mapped_words = [fold_yo(w.lower()) for w in WORD_RE.findall(mapped)]
        content = [w for w in mapped_words if w not in STOP_WORDS]  # stop words are not indexed
        # `x` is no Russian word typed on the wrong layout, though `ч` is indexed (initials)
        if sum(map(len, content)) >= 3 and all(lexicon.knows(w) for w in content):
            return Correction(mapped, True, layout=True)
    confident = True
    out, layout_words = _latin_layout_words(lexicon, query)
    latin_words = 0
    if not layout_words:
        out, latin_words = _transliterated(lexicon, out)
    typos = 0
    for word in words:
        kind = unknown_word(lexicon, word)
        if kind is None:
            continue
        sure = kind == "word"
        low = fold_yo(word.lower())
        fix = _best_typo_fix(lexicon, low, capitalized=word[:1].isupper())
        if fix is None:
            continue
        term, dist = fix
        written = _cased_like(word, term)
        if word[:1].isupper() and is_proper_name(written):
            sure = False  # a capitalized word taken for another name: offered, not applied
        out = out.replace(word, written, 1)
        typos += 1
        confident = confident and sure and (dist == 1 or len(low) >= 8)
    if not typos and not layout_words and not latin_words:
        return _joined_words(lexicon, query, words)
    return Correction(out, confident, layout=not typos and bool(layout_words),
                      latin=not typos and bool(latin_words))


def _latin_layout_words(lexicon: SpellingLexicon, query: str) -> tuple[str, int]:
    """The query with each word typed on the Latin layout among Russian words put back
    (`выставка rjyrehc` -> `выставка конкурс`) when the index knows the Russian word and
    not the Latin one; and how many were."""
    if not any(is_cyrillic(c) for c in query if c.isalpha()):
        return query, 0  # all Latin: suggest_correction maps the whole query or nothing
    out, count = query, 0
    for token in query.split():
        if not _on_latin_layout(token):
            continue
        mapped = from_latin_layout(token)
        low = fold_yo(mapped.lower())
        if (len(low) >= 3 and low not in STOP_WORDS and is_cyrillic(low)
                and lexicon.knows(low) and not lexicon.knows(token.lower())):
            out, count = out.replace(token, mapped, 1), count + 1
    return out, count


def _transliterated(lexicon: SpellingLexicon, query: str) -> tuple[str, int]:
    """The query with its Latin words that spell a Russian word the index knows put in
    Cyrillic (`pushkin skazki` -> `пушкин сказки`), and how many such words of three or
    more letters there were. When the index holds no reading, the usual one may be one
    edit from a word it holds (`chitalnyy`: «читалный» -> «читальный»). Short words are put
    back only when they spell a stop word (`knigi o voyne`: «о»); a Latin word the index
    knows stays (`Excel`)."""
    out, count = query, 0
    for token in query.split():
        word = token.strip(".,;:!?\"()«»")
        if not word.isascii() or not word.replace("'", "").isalpha():
            continue
        best = _best_reading(lexicon, word)
        if best is None:
            continue
        out = out.replace(word, _cased_like(word, best), 1)
        count += best not in STOP_WORDS
    return out, count


def _best_reading(lexicon: SpellingLexicon, word: str) -> str | None:
    """The Cyrillic reading of a Latin word that the index knows best, or a stop word,
    or the word one edit from its usual reading."""
    low = word.lower()
    if lexicon.knows(low):
        return None
    spellings = latin_readings(low)
    if spellings and spellings[0] in STOP_WORDS:
        return spellings[0]
    if len(low) < 3:
        return None
    known = [(_reading_frequency(lexicon, s, parse=n < PARSED_READINGS), -n, s)
             for n, s in enumerate(spellings)]
    known = [k for k in known if k[0]]
    if known:
        return max(known)[2]
    if len(spellings[0]) < 4 or is_dictionary_word(spellings[0]):
        return None  # a real word the index lacks is no typo
    fix = _best_typo_fix(lexicon, spellings[0])  # a soft sign left out, say
    return fix[0] if fix and fix[1] <= 1 else None


# The likeliest readings of a Latin word are parsed even when the dictionary does not
# know them (`avtoportretnoy`: «автопортретной»); the others only when it does (most are
# no words at all, and a parse costs ~0.1 ms).
PARSED_READINGS = 4


def _reading_frequency(lexicon: SpellingLexicon, spelling: str, parse: bool) -> int:
    """How many documents hold a Cyrillic reading of a Latin word (0: none). Unparsed,
    it must be a lemma or surname of the index as it is."""
    if not parse and not is_dictionary_word(spelling):
        return lexicon.frequency(spelling)
    if not (lexicon.knows(spelling) or lexicon.knows_name(spelling)):
        return 0
    return max((lexicon.frequency(lemma) for lemma in index_lemmas(spelling)), default=0) or 1


def _joined_words(lexicon: SpellingLexicon, query: str,
                  words: list[str]) -> Correction | None:
    """Two words the index knows as one: `медиа грамотность` -> `медиаграмотность`."""
    for first, second in zip(words, words[1:], strict=False):
        for glue in ("", "-"):
            joined = fold_yo(f"{first}{glue}{second}".lower())
            if len(joined) >= 6 and is_cyrillic(joined) and lexicon.knows(joined):
                fixed = query.replace(f"{first} {second}", f"{first}{glue}{second}", 1)
                if fixed != query:
                    return Correction(fixed, True)
    return None
