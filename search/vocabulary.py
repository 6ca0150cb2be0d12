"""The written word forms of an index generation's titles, for search-box completions.

Every title becomes a sequence of word forms (lowercase, ё folded, each with an id in
the sorted list of forms, so a typed prefix is a range of ids) with breaks where
punctuation stands; each form keeps how it is written (names and abbreviations in their
case) and where it occurs. Words no title has are found among the index's lemmas and
shown through the forms the documents really contain (the forms columns).
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import islice
from pathlib import Path
from typing import Protocol

from search import derived
from search.analysis import STOP_WORDS, WORD_RE
from search.morph import NAME_MARK, fold_yo, get_analyzer, index_lemmas, is_cyrillic
from search.spelling import edit_distance
from search.title_phrases import BREAK, TitleArrays

__all__ = ["Vocabulary", "TermSource", "BREAK", "fold", "inflections", "proper_case"]

MAX_LEMMAS = 1000  # index lemmas looked at per completion
MAX_TITLE_WORDS = 255  # positions are packed in 8 bits
_FILE_PREFIX = "vocabulary-"
_PROPER_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr", "Trad"})
_GAP_BREAK = re.compile(r"[^\s]")  # anything but spaces between two words breaks a phrase
_STARTS = re.compile(r"[.!?…:;«„“\"(]\s*$")  # after these a capital letter says nothing


def fold(word: str) -> str:
    """Lowercase, ё as е: how forms are compared."""
    return fold_yo(word.lower())


class TermSource(Protocol):
    """What completions ask of an engine's index beyond the titles (lemma fields)."""

    def expand_prefix(self, field: str, prefix: str) -> Iterable[str]:
        """The field's terms starting with `prefix`."""

    def doc_frequency(self, field: str, term: str) -> int: ...

    def written_forms(self, lemma: str) -> Counter:
        """How documents holding `lemma` write it (folded forms), from a sample of them."""


@dataclass
class Vocabulary:
    """The written word forms of one generation's titles, and its body lemmas."""

    forms: list[str]  # sorted folded forms; form id = index + 1
    display: list[str]  # per form: as written (names, abbreviations) or lowercase
    known_case: list[bool]  # display was seen inside a sentence (else decided by pymorphy)
    places: list[array]  # per form: title number << 8 | position
    sequences: list[array]  # per title: form ids with BREAK between phrases
    titles: list[tuple[str, str]]  # (title, id)
    terms: TermSource | None = None
    _freqs: dict[str, int] = field(default_factory=dict)
    _written: dict[str, Counter] = field(default_factory=dict)

    @classmethod
    def saved(cls, generation: Path | None, key: int,
              terms: TermSource | None) -> Vocabulary | None:
        """The vocabulary saved in `generation` for this state of it, or None."""
        data = derived.load(generation / f"{_FILE_PREFIX}{key}.pickle" if generation else None)
        return cls(*data, terms=terms) if isinstance(data, tuple) and len(data) == 6 else None

    def over(self, terms: TermSource | None) -> Vocabulary:
        """The same titles over another state of the index's terms (its caches anew)."""
        return Vocabulary(self.forms, self.display, self.known_case, self.places,
                          self.sequences, self.titles, terms=terms)

    @classmethod
    def load_or_build(cls, generation: Path | None, key: int,
                      titles: Callable[[], list[tuple[str, str]]],
                      terms: TermSource | None) -> Vocabulary:
        """The vocabulary saved in `generation` for this state of it (`key`: a write makes a
        new one), else built from `titles()` now and saved there."""
        path = generation / f"{_FILE_PREFIX}{key}.pickle" if generation else None
        saved = cls.saved(generation, key, terms)
        if saved is not None:
            return saved
        built = cls.build(titles(), terms)
        if path is not None:
            built.save(path)
        return built

    def save(self, path: Path) -> None:
        """Write the data part (not the caches) next to the index; old states removed."""
        data = (self.forms, self.display, self.known_case, self.places, self.sequences,
                self.titles)
        if derived.save(path, data):
            for old in path.parent.glob(f"{_FILE_PREFIX}*.pickle"):
                if old != path:
                    old.unlink(missing_ok=True)

    @classmethod
    def build(cls, titles: list[tuple[str, str]], terms: TermSource | None = None) -> Vocabulary:
        """From the (title, id) of every publication that is not an attachment.

        Titles repeat their words: each distinct word (as written, and whether it starts a
        sentence) is split and folded once, its occurrences counted in one go.
        """
        tokenized = [_title_words(title) for title, _ in titles]
        occurrences = Counter(w for words in tokenized for w in words if w[0] is not None)
        variants: dict[str, Counter] = {}
        for (written, start), count in occurrences.items():
            for n, piece in enumerate(_pieces(written)):
                variants.setdefault(fold(piece), Counter())[(piece, start and n < 2)] += count
        forms = sorted(variants)
        ids = {form: n for n, form in enumerate(forms, 1)}
        whole_id: dict[str | None, int] = {None: BREAK}
        piece_ids: dict[str | None, tuple[int, ...]] = {None: ()}
        for written, _ in occurrences:
            if written not in whole_id:
                whole_id[written] = ids[fold(written)]
                piece_ids[written] = tuple(ids[p] for p in set(map(fold, _pieces(written))))
        places = [array("I") for _ in range(len(forms) + 1)]
        sequences = []
        for number, words in enumerate(tokenized):
            sequences.append(array("I", [whole_id[w] for w, _ in words]))
            for pos, (written, _) in enumerate(words[:MAX_TITLE_WORDS]):
                for form_id in piece_ids[written]:  # a compound and its parts
                    places[form_id].append(number << 8 | pos)
        display, known = [""], [True]
        for form in forms:
            shown, seen = _display(variants[form])
            display.append(shown)
            known.append(seen)
        return cls(forms, display, known, places, sequences, titles, terms=terms)

    @cached_property
    def arrays(self) -> TitleArrays:
        """The titles and places in numpy (search/title_phrases.py), made when first asked."""
        return TitleArrays.build(self.forms, self.places, self.sequences)

    # -- lookups -----------------------------------------------------------------------
    def prefix_range(self, prefix: str) -> range:
        """The ids of the forms starting with `prefix` (folded)."""
        lo = bisect.bisect_left(self.forms, prefix)
        hi = bisect.bisect_left(self.forms, prefix + "\uffff")
        return range(lo + 1, hi + 1)

    def same_word(self, word: str) -> set[int]:
        """The ids of the forms of `word` (folded): the form itself and its inflections."""
        return {i for form in inflections(word) for i in self.prefix_range(form)
                if self.forms[i - 1] == form}

    def same_form(self, form: str) -> int | None:
        """The id of a folded form, if some title has it."""
        i = bisect.bisect_left(self.forms, form)
        return i + 1 if i < len(self.forms) and self.forms[i] == form else None

    def shown(self, form_id: int) -> str:
        """How a form is written in a suggestion."""
        text = self.display[form_id]
        if not self.known_case[form_id] and not _proper(text):
            return text.lower()
        return text

    def count(self, ids) -> int:
        return sum(len(self.places[i]) for i in ids)

    def lemmas_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """The most frequent index lemmas starting with `prefix` (the body's words)."""
        if self.terms is None:
            return []
        found: set[str] = set()
        for fieldname in ("body", "title"):
            for term in islice(self.terms.expand_prefix(fieldname, prefix), MAX_LEMMAS):
                word = term.decode("utf-8") if isinstance(term, bytes) else term
                if not word.startswith(NAME_MARK) and not word.isdigit():
                    found.add(word)
        return sorted(found, key=lambda w: (-self._frequency(w), w))[:limit]

    def _frequency(self, lemma: str) -> int:
        if lemma not in self._freqs:
            self._freqs[lemma] = sum(self.terms.doc_frequency(f, lemma) for f in ("body", "title"))
        return self._freqs[lemma]

    def written_forms(self, lemma: str) -> Counter:
        """The forms of `lemma` written in the documents that have it (a sample of them)."""
        if lemma not in self._written:
            self._written[lemma] = (self.terms.written_forms(lemma) if self.terms is not None
                                    else Counter())
        return self._written[lemma]

    def near_prefix(self, prefix: str, limit: int) -> list[int]:
        """Forms whose beginning is one edit away from `prefix` (a typo after 4 letters)."""
        found = [i for i in self.prefix_range(prefix[:2])
                 if edit_distance(prefix, self.forms[i - 1][:len(prefix)]) <= 1]
        found.sort(key=lambda i: -len(self.places[i]))
        return found[:limit]


def _title_words(title: str) -> list[tuple[str | None, bool]]:
    """(word as written, whether it starts a sentence or a quote), None for a break."""
    out: list[tuple[str | None, bool]] = []
    last = 0
    for match in WORD_RE.finditer(title):
        gap = title[last:match.start()]
        if out and _GAP_BREAK.search(gap):
            out.append((None, False))
        start = last == 0 or bool(_STARTS.search(gap))
        out.append((match.group(), start))
        last = match.end()
    return out


def _pieces(written: str | None) -> list[str]:
    """A word and, for a compound (`Онлайн-викторина`), its parts."""
    if written is None:
        return []
    parts = [p for p in re.split(r"[-\u2010\u2011]", written) if p]
    return [written] + parts if len(parts) > 1 else [written]


def _display(variants: Counter) -> tuple[str, bool]:
    """The written form to show, and whether it was seen inside a sentence."""
    inside = Counter()
    for (written, start), n in variants.items():
        if len(written) > 4 and written.isupper():  # shouted, not an abbreviation
            written, start = written.capitalize(), True
        if not start:
            inside[written if written[:1].isupper() else written.lower()] += n
    if inside:
        return inside.most_common(1)[0][0], True
    written = variants.most_common(1)[0][0][0]
    return (written.capitalize() if len(written) > 4 and written.isupper() else written), False


@lru_cache(maxsize=10_000)
def inflections(word: str) -> frozenset[str]:
    """`word` and every form of its lexemes (`день` -> `дню`, `дня`, ...), folded."""
    forms = {word}
    if word in STOP_WORDS or not is_cyrillic(word) or len(word) < 3:
        return frozenset(forms)
    lemmas = set(index_lemmas(word))
    for parse in get_analyzer().parse(word):
        if fold_yo(parse.normal_form) in lemmas:
            forms.update(fold_yo(p.word) for p in parse.lexeme)
    return frozenset(forms)


def proper_case(word: str) -> str:
    """A lowercase `word` with its capital when pymorphy reads it first as a name, a
    surname, a place or an organisation (`пушкарев`: «Пушкарев»); a hyphenated one
    so with each part but the short ones (`брест-литовске`: «Брест-Литовске»,
    `ростов-на-дону`: «Ростов-на-Дону»)."""
    if not word.islower():
        return word
    capital = word[:1].upper() + word[1:]
    parts = re.split(r"([-\u2010\u2011])", word)
    if len(parts) == 1:
        return capital if _proper(capital) else word
    if not (_proper(capital) or _proper(parts[0].capitalize())):
        return word
    return "".join(p.capitalize() if i % 2 == 0 and len(p) > 2 else p
                   for i, p in enumerate(parts))


@lru_cache(maxsize=20_000)
def _proper(word: str) -> bool:
    """A name or an abbreviation, by its letters or pymorphy's best reading."""
    if len(word) > 1 and word.isupper():
        return True
    if not word[:1].isupper() or not is_cyrillic(word):
        return word[:1].isupper() and not is_cyrillic(word)
    parses = get_analyzer().parse(word.lower())
    return bool(parses) and bool(_PROPER_TAGS & parses[0].tag.grammemes)
