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

__all__ = ["MARKS", "StartFinder", "WordFinder"]

MARKS = "\u0300-\u036f\u00ad"  # combining accents (stress marks) and the soft hyphen
_WORD_OR_MARK = re.compile(rf"[\w{MARKS}]")  # what may not stand next to a whole word
_LETTERS = re.compile(r"[^\W_]*")


def _free_before(text: str, at: int) -> bool:
    return at == 0 or _WORD_OR_MARK.match(text, at - 1) is None


class StartFinder:
    """The whole words that begin with one of `starts` (a word start, then letters up
    to the word's end), as (start, end) spans, each start's in text order."""

    __slots__ = ("starts",)

    def __init__(self, starts: Iterable[str]):
        self.starts = tuple(s for s in starts if s)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        after, letters = _WORD_OR_MARK.match, _LETTERS.match
        for start in self.starts:
            size = len(start)
            at = text.find(start)
            while at != -1:
                if _free_before(text, at):
                    end = letters(text, at + size).end()
                    if after(text, end) is None:
                        yield at, end
                        at = text.find(start, end)
                        continue
                at = text.find(start, at + 1)


class WordFinder:
    """The places where one of `words` stands as a whole word, as (start, end) spans,
    each word's in text order."""

    __slots__ = ("words",)

    def __init__(self, words: Iterable[str]):
        self.words = tuple(sorted(w for w in words if w))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        after = _WORD_OR_MARK.match
        for word in self.words:
            size = len(word)
            at = text.find(word)
            while at != -1:
                end = at + size
                if _free_before(text, at) and after(text, end) is None:
                    yield at, end
                    at = text.find(word, end)
                else:
                    at = text.find(word, at + 1)
