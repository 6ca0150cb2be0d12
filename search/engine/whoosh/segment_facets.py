"""Each segment's facet data as arrays, made once per segment and kept by the next table.

A PUT commits a small segment and leaves the others as they were (a deletion changes no
stored column), but every worker's first search after it read and decoded the facet
column of every document again: 0.1 s on the real corpus, 2 s at 100,000 publications.
A segment's part is made from its own column once; a table of the next commit takes
the parts of the segments it still has from the table before it (facets.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

__all__ = ["SegmentFacets", "segment_facets", "SINGLE"]

SINGLE = {"author": "a", "library": "l"}  # a facet of one value, and its key in the column


@dataclass(frozen=True)
class SegmentFacets:
    """One segment's facet data, its values numbered in the order they first appear."""

    days: np.ndarray  # int32 day ordinals, 0: undated
    single: dict[str, tuple[list[str], np.ndarray]]  # facet -> (values, int32 codes, -1: none)
    topic_values: list[str]
    topic_docs: np.ndarray  # int64, segment document numbers, in document order
    topic_codes: np.ndarray  # int64
    keys: list[tuple[str | None, str | None]]  # the copy keys of each document

    @property
    def size(self) -> int:
        return len(self.days)


def segment_facets(reader, size: int) -> SegmentFacets:
    """The part of one segment's `reader` (of `size` documents)."""
    raw = _column_values(reader, size)
    days = np.zeros(size, dtype=np.int32)
    single = {name: ({}, np.full(size, -1, dtype=np.int32)) for name in SINGLE}
    topic_values: dict[str, int] = {}
    t_docs, t_codes = [], []
    for docnum, data in enumerate(raw):
        if not data:
            continue
        days[docnum] = data.get("d") or 0
        for name, key in SINGLE.items():
            if data.get(key):
                vocab, codes = single[name]
                codes[docnum] = vocab.setdefault(data[key], len(vocab))
        for topic in data.get("t") or ():
            t_docs.append(docnum)
            t_codes.append(topic_values.setdefault(topic, len(topic_values)))
    return SegmentFacets(
        days, {name: (list(vocab), codes) for name, (vocab, codes) in single.items()},
        list(topic_values), np.array(t_docs, dtype=np.int64), np.array(t_codes, dtype=np.int64),
        [(d.get("k"), d.get("u")) if d else (None, None) for d in raw])


def _column_values(reader, size: int) -> list[dict | None]:
    if not reader.has_column("facet_data"):
        return [None] * size
    return [json.loads(value) if value else None for value in reader.column_reader("facet_data")]
