"""A text's tokens as entry numbers, looked up a whitespace-separated chunk at a time.

The rebuild's analysis (search/bulk_analysis.py) numbers each distinct token once; a text
is then the entry numbers of its tokens. Finding the tokens with the tokenizer's regex and
looking each up was a quarter of an analysis process's CPU at 100,000 publications: the
regex scans every character in Python's engine (~35 ns each). A token never holds
whitespace, so a text's tokens are the tokens of its whitespace-separated chunks, in
order; `str.split` finds those in C, and each distinct chunk ("слово", "слово,",
"«Война") is tokenized once and remembered as its run of entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

__all__ = ["ChunkTable", "GrowingColumn"]

# Stands for a line break while a text is split on whitespace: a line break is a token
# (it ends a sentence), and str.split would drop it. A text holding this character
# itself takes the regex path.
_LINE_MARK = "\x00"


class GrowingColumn:
    """A growing int64 array: appended to as a list, read as numpy through `.view`
    (which moves what was appended into the array, amortized doubling)."""

    def __init__(self):
        self._data = np.zeros(1024, np.int64)
        self._stored = 0
        self._pending: list[int] = []

    @property
    def size(self) -> int:
        return self._stored + len(self._pending)

    def append(self, value: int) -> None:
        self._pending.append(value)

    def extend(self, values: list[int]) -> None:
        self._pending.extend(values)

    @property
    def view(self) -> np.ndarray:
        if self._pending:
            start, end = self._stored, self._stored + len(self._pending)
            if end > len(self._data):
                grown = np.zeros(max(end, 2 * len(self._data)), np.int64)
                grown[:start] = self._data[:start]
                self._data = grown
            self._data[start:end] = self._pending
            self._stored, self._pending = end, []
        return self._data[:self._stored]


class ChunkTable:
    """Entry numbers of a text's tokens, as `[entry(t) for t in tokens.findall(text)]`
    gives them (tests/test_bulk_analysis.py), with each distinct chunk tokenized once.

    `tokens` is the tokenizer (its matches never hold whitespace, and a line break is a
    token of its own); `entry` numbers a token.
    """

    def __init__(self, tokens: re.Pattern, entry: Callable[[str], int]):
        self._tokens = tokens
        self._entry = entry
        self._chunk_of: dict[str, int] = {}
        self._at, self._length, self._entries = GrowingColumn(), GrowingColumn(), GrowingColumn()

    def __len__(self) -> int:
        return len(self._chunk_of)

    def entries(self, text: str) -> np.ndarray:
        """The entry number of each token of `text`, in order."""
        if _LINE_MARK in text:
            return np.array([self._entry(t) for t in self._tokens.findall(text)], np.int64)
        chunks = text.replace("\n", f" {_LINE_MARK} ").split()
        if not chunks:
            return np.zeros(0, np.int64)
        get = self._chunk_of.get
        ids = list(map(get, chunks))
        if None in ids:
            ids = [self._chunk(c) if i is None else i for c, i in zip(chunks, ids, strict=True)]
        chosen = np.array(ids, np.int64)
        count = self._length.view[chosen]
        ends = np.cumsum(count)
        total = int(ends[-1])
        flat = np.arange(total) + np.repeat(self._at.view[chosen] - (ends - count), count)
        return self._entries.view[flat]

    def _chunk(self, chunk: str) -> int:
        found = self._chunk_of.get(chunk)
        if found is not None:  # the same new chunk twice in one text
            return found
        tokens = ["\n"] if chunk == _LINE_MARK else self._tokens.findall(chunk)
        number = self._chunk_of[chunk] = len(self._chunk_of)
        self._at.append(self._entries.size)
        self._length.append(len(tokens))
        self._entries.extend([self._entry(t) for t in tokens])
        return number
