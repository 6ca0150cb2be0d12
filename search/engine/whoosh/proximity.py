"""Term proximity in the spirit of the sequential dependence model (Metzler and Croft).

Besides each word on its own (BM25F), each pair of neighbouring query words earns a
bonus in every document holding both: once for standing side by side in the query's
order (an ordered window of one), and once for standing within a window of eight in
any order. Counts saturate (n / (n + 1)) and are weighted by the pair's mean idf, so a
pair of rare words close together counts most. Positions are decoded for the documents
that hold both words only, among the candidates given.
"""

from __future__ import annotations

import numpy as np

from search.engine.whoosh.arrays import intersect
from search.engine.whoosh.postings import Postings
from search.weights import ORDERED_WEIGHT, WINDOW, WINDOW_WEIGHT

__all__ = ["pair_proximity", "ORDERED_WEIGHT", "WINDOW_WEIGHT", "WINDOW"]




def pair_proximity(postings: Postings, fieldname: str, lemmas: tuple[str, ...],
                   docnums: np.ndarray) -> dict[int, float]:
    """Bonus per document of `docnums` (sorted) for each neighbouring pair of `lemmas`.

    The counts of `_windows`, for all documents at once: each occurrence is a key,
    document * span + position, and the other word's keys in its window are counted
    with two binary searches.
    """
    field = postings.searcher.schema[fieldname]
    span = np.int64(1 << 32)  # more than any position plus WINDOW: documents never mix
    out: dict[int, float] = {}
    for a, b in zip(lemmas, lemmas[1:], strict=False):
        if a == b:
            continue
        ba, bb = field.to_bytes(a), field.to_bytes(b)
        pa, pb = postings.term(fieldname, ba, True), postings.term(fieldname, bb, True)
        common = intersect(pa.ids, pb.ids, docnums)
        if not len(common):
            continue
        weight = (postings.idf(fieldname, ba) + postings.idf(fieldname, bb)) / 2
        first, second = _keys(pa, common, span), _keys(pb, common, span)
        near_each = (np.searchsorted(second, first + WINDOW - 1, "right")
                     - np.searchsorted(second, first - WINDOW + 1, "left"))
        j = np.minimum(np.searchsorted(second, first + 1), len(second) - 1)
        ordered_each = second[j] == first + 1
        owner = np.searchsorted(common, first // span)
        near = np.bincount(owner, near_each, len(common))
        ordered = np.bincount(owner, ordered_each, len(common))
        bonus = weight * (ORDERED_WEIGHT * ordered / (ordered + 1)
                          + WINDOW_WEIGHT * near / (near + 1))
        for docnum, value in zip(common.tolist(), bonus.tolist(), strict=True):
            if value:
                out[docnum] = out.get(docnum, 0.0) + value
    return out


def _keys(term, docs: np.ndarray, span: np.int64) -> np.ndarray:
    """document * span + position of each occurrence of `term` in `docs` (which all hold
    it), sorted."""
    counts, positions = term.values.positions(np.searchsorted(term.ids, docs))
    return np.repeat(docs, counts) * span + positions


def _windows(first: list[int], second: list[int]) -> tuple[int, int]:
    """(times `second` follows `first` at once, times they stand within WINDOW either way)."""
    ordered = near = 0
    j = 0
    for p in first:
        while j < len(second) and second[j] < p - WINDOW + 1:
            j += 1
        k = j
        while k < len(second) and second[k] <= p + WINDOW - 1:
            near += 1
            ordered += second[k] == p + 1
            k += 1
    return ordered, near
