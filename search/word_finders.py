"""Whole words of a folded text, found for a snippet's marks (search/highlight_patterns.py)
mostly with str.find (in C) and no pattern compiled per query word.

A regular expression per query lemma cost 60-100 µs to compile (re's parser is Python
code), 4 % of a search's CPU over a stream of distinct queries, where most lemmas are
new to the worker. Here a word, or a lemma's one or two word starts, is looked for as a
substring and its edges checked with str.isalnum: the spans a pattern of them finds, in
the same order (tests/test_word_finders.py compares them with regular expressions). A
lemma of more starts (`быть`: был-, буд-, есть, е) still gets a pattern, kept per
lemma: a pass of str.find per start over a long text cost more than one pattern's pass.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Protocol

__all__ = ["MARKS", "Finder", "StartFinder", "WordFinder", "AnyOf", "start_finder"]

MARKS = "\u0300-\u036f\u00ad"  # combining accents (stress marks) and the soft hyphen
# What may not stand next to a whole word besides letters and digits (str.isalnum):
# re's \w is isalnum() or `_`; and the marks.
_JOINING = frozenset("_\u00ad" + "".join(map(chr, range(0x300, 0x370))))
_LETTERS = re.compile(r"[^\W_]*")
# A start this short stands inside most words of a text («е» of «быть»): looked for by a
# pattern, whose checks run in C, compiled once per start.
_FIND_FROM = 3
# More starts than this (after those a shorter one covers) make one pattern of them all.
MAX_FIND_STARTS = 2


class Finder(Protocol):
    def spans(self, text: str) -> Iterable[tuple[int, int]]:
        """(start, end) of the words found (matched_spans orders them and drops overlaps;
        the finders here yield them in text order already)."""


def _starting(start: str) -> str:
    """`start` at the beginning of a word: the check that no word letter stands before
    comes after the letters, so that re looks for the literal (a fast substring search
    in C), not at each position."""
    return rf"{re.escape(start)}(?<![\w{MARKS}][\s\S]{{{len(start)}}})"


@lru_cache(maxsize=1024)
def _short_start(start: str) -> re.Pattern:
    return re.compile(rf"{_starting(start)}[^\W_]*(?![\w{MARKS}])")


def in_text_order(found: Sequence[Iterator[tuple[int, int]]]) -> Iterator[tuple[int, int]]:
    """Spans of several finders merged as one alternation of them finds them: in text
    order, the longest at a place, none overlapping another."""
    if len(found) == 1:
        yield from found[0]
        return
    end = -1
    for start, stop in heapq.merge(*found, key=lambda span: (span[0], -span[1])):
        if start >= end:
            yield start, stop
            end = stop


def _without_longer(starts: Iterable[str]) -> tuple[str, ...]:
    """The starts, less those another of them begins (`мира` when `мир` is there: every
    word `мира` begins, `мир` begins too)."""
    kept: list[str] = []
    for start in sorted({s for s in starts if s}):  # a start comes before its extensions
        if not any(start.startswith(shorter) for shorter in kept):
            kept.append(start)
    return tuple(kept)


class StartFinder:
    """The whole words that begin with one of `starts` (a word start, then letters up
    to the word's end)."""

    __slots__ = ("starts",)

    def __init__(self, starts: Iterable[str]):
        self.starts = _without_longer(starts)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of the words found, in text order."""
        return in_text_order([self._spans(text, start) for start in self.starts])

    @staticmethod
    def _spans(text: str, start: str) -> Iterator[tuple[int, int]]:
        size = len(start)
        if size < _FIND_FROM:
            for match in _short_start(start).finditer(text):
                yield match.span()
            return
        letters, joining, size_of_text = _LETTERS.match, _JOINING, len(text)
        at = text.find(start)
        while at != -1:
            if at:  # inside a word: the most frequent case, passed at once
                before = text[at - 1]
                if before.isalnum() or before in joining:
                    at = text.find(start, at + 1)
                    continue
            end = letters(text, at + size).end()
            # the letters stop at a character that is no letter or digit
            if end == size_of_text or text[end] not in joining:
                yield at, end
                at = text.find(start, end)
            else:
                at = text.find(start, at + 1)


class _PatternFinder:
    """The words one compiled pattern of many starts finds, in one pass."""

    __slots__ = ("pattern",)

    def __init__(self, starts: Sequence[str]):
        # the letters inside each alternative: re scans twice as fast as with them after
        body = "|".join(_starting(start) + r"[^\W_]*" for start in starts)
        self.pattern = re.compile(rf"(?:{body})(?![\w{MARKS}])")

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of the words found, in text order."""
        return (match.span() for match in self.pattern.finditer(text))


def start_finder(starts: Iterable[str]) -> Finder:
    """A finder of the words beginning with one of `starts`: str.find for a few, one
    pattern for many (compiled here: the caller keeps the finder)."""
    finder = StartFinder(starts)
    return finder if len(finder.starts) <= MAX_FIND_STARTS else _PatternFinder(finder.starts)


class WordFinder:
    """The places where one of `words` stands as a whole word."""

    __slots__ = ("words",)

    def __init__(self, words: Iterable[str]):
        self.words = tuple(sorted({w for w in words if w}))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of the words found, in text order, the longest at a place."""
        return in_text_order([self._spans(text, word) for word in self.words])

    @staticmethod
    def _spans(text: str, word: str) -> Iterator[tuple[int, int]]:
        joining, size_of_text, size = _JOINING, len(text), len(word)
        at = text.find(word)
        while at != -1:
            end = at + size
            before = text[at - 1] if at else " "
            after = text[end] if end < size_of_text else " "
            if before.isalnum() or before in joining or after.isalnum() or after in joining:
                at = text.find(word, at + 1)
            else:
                yield at, end
                at = text.find(word, end)


class AnyOf:
    """The words any of `finders` finds, as one alternation of them would."""

    __slots__ = ("finders",)

    def __init__(self, finders: Sequence[Finder]):
        self.finders = tuple(finders)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of the words found, in text order, the longest at a place."""
        return in_text_order([iter(f.spans(text)) for f in self.finders])
