"""The tables of a rebuild's bulk analysis (search/bulk_analysis.py) and how they are
read: strings numbered in the order they first came (`Vocabulary`), growing numpy
columns, and the runs of equal values in sorted arrays (`distinct`, `run_starts`,
`run_lengths`), which the postings encoders and the topic rules read too.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Vocabulary", "Column", "distinct", "run_starts", "run_lengths"]


class Vocabulary:
    """Strings numbered in the order they first came (terms, forms or stems)."""

    def __init__(self):
        self.names: list[str] = []
        self._ids: dict[str, int] = {}

    def id(self, name: str) -> int:
        found = self._ids.get(name)
        if found is None:
            found = self._ids[name] = len(self.names)
            self.names.append(name)
        return found

    def __len__(self) -> int:
        return len(self.names)


class Column:
    """A growing array (int64 unless told): appended to as a list, read as numpy through
    `.view` (which moves what was appended into the array, amortized doubling)."""

    def __init__(self, dtype=np.int64):
        self._data = np.zeros(1024, dtype)
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
                grown = np.zeros(max(end, 2 * len(self._data)), self._data.dtype)
                grown[:start] = self._data[:start]
                self._data = grown
            self._data[start:end] = self._pending
            self._stored, self._pending = end, []
        return self._data[:self._stored]


def distinct(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy 2 hashes small int arrays, several times slower)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[_first_of_runs(ordered)]


def _first_of_runs(ordered: np.ndarray) -> np.ndarray:
    """True where a run of equal values begins (`np.r_[True, a[1:] != a[:-1]]`, without
    np.r_'s few microseconds: a rebuild calls this several times per document)."""
    mask = np.empty(len(ordered), bool)
    if len(ordered):
        mask[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=mask[1:])
    return mask


def run_starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in `ordered` (grouped values)."""
    return np.flatnonzero(_first_of_runs(ordered))


def run_lengths(starts: np.ndarray, size: int) -> np.ndarray:
    """The length of each run beginning at `starts` in an array of `size` values."""
    lengths = np.empty(len(starts), np.int64)
    if len(starts):
        np.subtract(starts[1:], starts[:-1], out=lengths[:-1])
        lengths[-1] = size - starts[-1]
    return lengths
