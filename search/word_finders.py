"""Whole words of a folded text found with str.find (in C), with no pattern compiled per
word: what a snippet marks (search/highlight_patterns.py).

A regular expression per query lemma cost 60-100 µs to compile (re's parser is Python
code), 4 % of a search's CPU over a stream of distinct queries, where most lemmas are
new to the worker. Here each word or word start is looked for as a substring, and its
edges are checked with two patterns compiled once: the same spans a pattern of them
would find, which tests/test_scoring.py compares with one flat regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

__all__ = ["MARKS", "StartFinder", "WordFinder"]

MARKS = "\u0300-\u036f\u00ad"  # combining accents (stress marks) and the soft hyphen
# What may not stand next to a whole word besides letters and digits (str.isalnum):
# re's \w is isalnum() or `_`; and the marks.
_JOINING = frozenset("_\u00ad" + "".join(map(chr, range(0x300, 0x370))))
_LETTERS = re.compile(r"[^\W_]*")
# A start this short stands inside most words of a text («е» of «быть»): looked for by a
# pattern, whose checks run in C, compiled once per start.
_FIND_FROM = 3


@lru_cache(maxsize=1024)
def _short_start(start: str) -> re.Pattern:
    """The check that no word letter stands before comes after the letters, so that re
    looks for the literal (a fast substring search in C), not for each position."""
    before = rf"(?<![\w{MARKS}][\s\S]{{{len(start)}}})"
    return re.compile(rf"{re.escape(start)}{before}[^\W_]*(?![\w{MARKS}])")


class StartFinder:
    """The whole words that begin with one of `starts` (a word start, then letters up
    to the word's end), as (start, end) spans, each start's in text order."""

    __slots__ = ("starts",)

    def __init__(self, starts: Iterable[str]):
        self.starts = tuple(s for s in starts if s)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        letters, joining, size_of_text = _LETTERS.match, _JOINING, len(text)
        for start in self.starts:
            size = len(start)
            if size < _FIND_FROM:
                for match in _short_start(start).finditer(text):
                    yield match.span()
                continue
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


class WordFinder:
    """The places where one of `words` stands as a whole word, as (start, end) spans,
    each word's in text order."""

    __slots__ = ("words",)

    def __init__(self, words: Iterable[str]):
        self.words = tuple(sorted(w for w in words if w))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        joining, size_of_text = _JOINING, len(text)
        for word in self.words:
            size = len(word)
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
