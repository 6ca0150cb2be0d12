"""Set operations on integer arrays by sorting.

numpy 2.x's `np.unique` (and `np.union1d`, built on it) hashes its input when asked
for nothing but the values: on 2,000,000 distinct int64 keys that took 1.7 s here,
against 13 ms for a sort. The phrase and proximity tests handle arrays that large
(every occurrence of two common words at 100,000 publications).
"""

from __future__ import annotations

import numpy as np

__all__ = ["unique", "union"]


def unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of `values` (what np.unique returns)."""
    ordered = np.sort(values, kind="stable") if len(values) else values
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def union(*arrays: np.ndarray) -> np.ndarray:
    """The sorted distinct values of all `arrays` (what np.union1d returns for two)."""
    return unique(np.concatenate(arrays))
