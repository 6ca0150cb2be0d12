"""`index_terms` and `stem_terms` for a rebuild: each distinct token analysed once, each
text in numpy.

A rebuild analyses millions of words, but only a few hundred thousand distinct ones.
`index_terms` walks every word in Python (a dictionary lookup, a branch, a list append
per reading: ~3 µs a word, the largest share of a rebuild). Here each distinct token, as
the tokenizer finds it, becomes an *entry* once: the positions it takes, its readings at a
sentence start and elsewhere, its forms and its stem. A text is then its tokens' entry
numbers, and its terms, positions, forms and stems are gathered from the entries' tables
by numpy. tests/test_bulk_analysis.py checks that the result equals `index_terms` and
`stem_terms` on any text. The tables and their numpy helpers are search/bulk_tables.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from search.analysis import (
    _SENTENCE_END,
    STOP_WORDS,
    WORD_RE,
    _word_info,
    plain_word,
    word_spans,
)
from search.bulk_tables import Column, Vocabulary, distinct
from search.morph import fold_yo, is_cyrillic
from search.stems import word_stem

__all__ = ["BulkAnalyzer", "AnalyzedText"]

# The tokenizer of index_terms, with no groups: findall gives the matched strings.
_TOKENS = re.compile(rf"{_SENTENCE_END.pattern}|{WORD_RE.pattern}")
_EMPTY = np.zeros(0, np.int64)
_EMPTY_WEIGHTS = np.zeros(0, np.float64)
_NOT_STEMMED = -2  # an entry's stem until a text asks for it (-1: none)


@dataclass(frozen=True)
class AnalyzedText:
    """A text's index-mode analysis, as arrays of vocabulary ids.

    `terms` and `positions` are its postings sorted by term, then position (what
    `index_terms` gives as a dict of position lists), `weights` what each posting adds
    to its term's weight (`index_terms`'s `weights`: a homonym's rarer reading less than
    1); `forms` its distinct forms as written (lowercased, ё folded); `stems` the stem of
    each whole word, in order; `words` how many positions the text takes (its words but
    stop words).
    """

    terms: np.ndarray
    positions: np.ndarray
    forms: np.ndarray
    stems: np.ndarray
    words: int = 0
    weights: np.ndarray = field(default_factory=lambda: _EMPTY_WEIGHTS)


class BulkAnalyzer:
    """The per-process tables of a rebuild's analysis (they only grow). Not thread-safe:
    one thread at a time (search/topics.py holds a lock around it).

    `wanted`, if given, is a cheap test of whether a Cyrillic word (lowercase, ё folded)
    may have a lemma the caller wants (search/lemma_filter.py): a word it rejects is
    not parsed, and takes its position with no terms. All such words share one entry
    (most of a text's words, each made an entry of a dozen columns otherwise), so an
    analyzer with `wanted` gives lemmas only: no forms, no stems.
    """

    def __init__(self, wanted: Callable[[str], bool] | None = None):
        self._wanted = wanted
        self._rejected: int | None = None  # the entry of every word `wanted` rejects
        self.terms, self.forms, self.stems = Vocabulary(), Vocabulary(), Vocabulary()
        self._entry_of: dict[str, int] = {}
        self._tokens: list[str] = []  # entry -> token
        # per entry
        self._punct, self._capital, self._slots, self._stem = (Column() for _ in range(4))
        self._start_at, self._start_len, self._other_at, self._other_len = (
            Column() for _ in range(4))
        self._forms_at, self._forms_len = Column(), Column()
        # readings of all entries, one after another: (slot within the token, term id)
        self._reading_slot, self._reading_term = Column(), Column()
        self._reading_weight = Column(np.float64)
        self._form_ids = Column()

    @property
    def size(self) -> int:
        """How many distinct tokens the tables hold."""
        return len(self._entry_of)

    def analyze(self, value: str, stems: bool = True, forms: bool = True) -> AnalyzedText:
        """`value`'s analysis (`stems=False`, `forms=False`: without them, empty arrays)."""
        if self._wanted is not None and (stems or forms):
            raise ValueError("an analyzer with `wanted` gives lemmas only")
        tokens = _TOKENS.findall(value)
        if not tokens:
            return AnalyzedText(_EMPTY, _EMPTY, _EMPTY, _EMPTY, 0)
        get = self._entry_of.get
        codes = list(map(get, tokens))
        if None in codes:
            codes = [self._entry(tok) if code is None else code
                     for tok, code in zip(tokens, codes, strict=True)]
        entries = np.array(codes, np.int64)
        terms, positions, weights, words = self._postings(entries)
        return AnalyzedText(terms, positions, self._text_forms(entries) if forms else _EMPTY,
                            self._text_stems(entries) if stems else _EMPTY, words, weights)

    def _postings(self, entries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        punct = self._punct.view[entries]
        at_start = np.empty(len(entries), bool)  # after a sentence end, or first
        at_start[0] = True
        at_start[1:] = punct[:-1] != 0
        start = at_start & (self._capital.view[entries] != 0)
        slots = self._slots.view[entries]
        first_position = np.cumsum(slots) - slots
        at = np.where(start, self._start_at.view[entries], self._other_at.view[entries])
        count = np.where(start, self._start_len.view[entries], self._other_len.view[entries])
        total = int(count.sum())
        words = int(first_position[-1] + slots[-1])
        if not total:
            return _EMPTY, _EMPTY, _EMPTY_WEIGHTS, words
        ends = np.cumsum(count)
        owner = np.repeat(np.arange(len(entries)), count)
        flat = np.arange(total) + np.repeat(at - (ends - count), count)
        terms = self._reading_term.view[flat]
        positions = first_position[owner] + self._reading_slot.view[flat]
        keys = (terms << 32) | positions
        order = np.argsort(keys)
        keys = keys[order]
        return keys >> 32, keys & 0xFFFFFFFF, self._reading_weight.view[flat][order], words

    def _text_forms(self, entries: np.ndarray) -> np.ndarray:
        present = distinct(entries)
        count = self._forms_len.view[present]
        total = int(count.sum())
        if not total:
            return _EMPTY
        ends = np.cumsum(count)
        flat = np.arange(total) + np.repeat(self._forms_at.view[present] - (ends - count), count)
        return distinct(self._form_ids.view[flat])

    def _text_stems(self, entries: np.ndarray) -> np.ndarray:
        stems = self._stem.view[entries]
        unknown = stems == _NOT_STEMMED
        if unknown.any():  # stemmed the first time a text asks
            table = self._stem.view
            for entry in distinct(entries[unknown]).tolist():
                table[entry] = self._stem_of(self._tokens[entry])
            stems = table[entries]
        return stems[stems >= 0]

    def _entry(self, token: str) -> int:
        """The entry of a token as `_TOKENS` found it (made on first sight)."""
        found = self._entry_of.get(token)
        if found is not None:
            return found
        if plain_word(token):
            return self._word_entry(token)
        entry = len(self._tokens)  # a row of the columns (rejected words share one)
        self._entry_of[token] = entry
        self._tokens.append(token)
        punct = _SENTENCE_END.fullmatch(token) is not None
        start: list[tuple[int, int, float]] = []
        other: list[tuple[int, int, float]] = []
        forms: list[int] = []
        slots = 0
        stem_id = -1
        if not punct:
            slots = self._readings(token, start, other, forms)
            stem_id = _NOT_STEMMED
        self._punct.append(int(punct))
        self._capital.append(int(not punct and token[0].isupper()))
        self._slots.append(slots)
        self._stem.append(stem_id)
        for readings, at, length in ((start, self._start_at, self._start_len),
                                     (other, self._other_at, self._other_len)):
            at.append(self._reading_slot.size)
            length.append(len(readings))
            self._reading_slot.extend([slot for slot, _, _ in readings])
            self._reading_term.extend([term for _, term, _ in readings])
            self._reading_weight.extend([weight for _, _, weight in readings])
        self._forms_at.append(self._form_ids.size)
        self._forms_len.append(len(forms))
        self._form_ids.extend(forms)
        return entry

    def _word_entry(self, token: str) -> int:
        """_entry of a plain word (most tokens), in fewer steps: one piece, one slot, its
        stem taken at once from the form _word_info gives (what _stem_of would compute;
        with `wanted`, none: such an analyzer gives lemmas only)."""
        info = _word_info(token) if self._wanted is None else self._info(token)
        if self._wanted is not None and info and not info[1] and not info[2]:
            if self._rejected is not None:
                self._entry_of[token] = self._rejected
                return self._rejected
            self._rejected = len(self._tokens)  # made below, shared from now on
        entry = len(self._tokens)  # a row of the columns (rejected words share one)
        self._entry_of[token] = entry
        self._tokens.append(token)
        self._punct.append(0)
        self._capital.append(1 if token[0].isupper() else 0)
        if info:
            form, start, other, start_weights, other_weights = info
            term_id = self.terms.id
            start_ids = [term_id(lemma) for lemma in start]
            other_ids = start_ids if other is start else [term_id(lemma) for lemma in other]
            self._slots.append(1)
            self._stem.append(self.stems.id(word_stem(form)) if self._wanted is None
                              else _NOT_STEMMED)
            self._forms_at.append(self._form_ids.size)
            self._forms_len.append(1)
            self._form_ids.append(self.forms.id(form))
        else:  # a stop word
            start_ids = other_ids = []
            start_weights = other_weights = ()
            self._slots.append(0)
            self._stem.append(-1)
            self._forms_at.append(self._form_ids.size)
            self._forms_len.append(0)
        slot, term, weight = self._reading_slot, self._reading_term, self._reading_weight
        self._start_at.append(slot.size)
        self._start_len.append(len(start_ids))
        slot.extend([0] * len(start_ids))
        term.extend(start_ids)
        weight.extend(start_weights)
        self._other_at.append(slot.size)
        self._other_len.append(len(other_ids))
        slot.extend([0] * len(other_ids))
        term.extend(other_ids)
        weight.extend(other_weights)
        return entry

    def _readings(self, token: str, start: list, other: list, forms: list) -> int:
        """What index_terms does with one word token: fills its readings at a sentence
        start and elsewhere as (slot, term id, weight), its form ids; returns the slots
        it takes."""
        if plain_word(token):
            pieces = [(token, 0, True)]
        else:  # a compound, accents or an overlong word: the tokenizer's own rules
            pieces = [(span[0], span[3], span[1] == 0) for span in word_spans(token)]
        taken = 0
        for piece, offset, first in pieces:
            info = self._info(piece)
            if not info:  # a stop word
                continue
            forms.append(self.forms.id(info[0]))
            if 1 + offset > taken:
                taken += 1
            slot = taken - 1
            for lemma, weight in zip(*((info[1], info[3]) if first else (info[2], info[4])),
                                     strict=True):
                start.append((slot, self.terms.id(lemma), weight))
            for lemma, weight in zip(info[2], info[4], strict=True):
                other.append((slot, self.terms.id(lemma), weight))
        return taken

    def _info(self, piece: str):
        """_word_info, or for a word `wanted` rejects its form with no lemmas."""
        if self._wanted is not None:
            word = piece.lower()
            folded = fold_yo(word)
            if folded not in STOP_WORDS and is_cyrillic(word) and not self._wanted(folded):
                return folded, (), (), (), ()
        return _word_info(piece)

    def _stem_of(self, token: str) -> int:
        """The stem stem_terms gives for the token's whole word, or -1."""
        if plain_word(token):  # word_spans yields it as is
            word = token.lower()
            return -1 if fold_yo(word) in STOP_WORDS else self.stems.id(word_stem(word))
        found = -1
        for text, *_rest, part, _sentence_start in word_spans(token):
            word = text.lower()
            if not part and fold_yo(word) not in STOP_WORDS:
                found = self.stems.id(word_stem(word))
        return found
