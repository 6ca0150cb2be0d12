"""Phrase matching from cached posting arrays: Whoosh's Phrase, for chosen documents only.

Whoosh's Phrase matcher steps every posting of its words through a Python matcher tree,
up to 5 ms a phrase. Here numpy intersects the words' documents first, and positions
are decoded only there (or only for the few rerank candidates of the proximity bonus).
The span test and the order of the score sum are Whoosh's, so the scores are equal.
"""

from __future__ import annotations

import numpy as np
from whoosh.query.spans import Span, bisect_spans

from search.postings import Postings

__all__ = ["phrase_scores", "near", "tree_sum"]


def phrase_scores(postings: Postings, fieldname: str, btexts: list[bytes], slop: int,
                  docnums: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, scores) where the words stand in order, each within `slop` of the last.

    The score is Whoosh's Phrase's: the sum of the words' BM25F. `docnums` (sorted)
    limits the documents looked at; None looks at every document holding all the words.
    """
    terms = {b: postings.term(fieldname, b, positions=True) for b in set(btexts)}
    common = docnums
    for ids, _, _ in terms.values():
        common = ids if common is None else np.intersect1d(common, ids, assume_unique=True)
    if common is None or not len(common):
        return np.zeros(0, np.int64), np.zeros(0)
    decode = postings.searcher.schema[fieldname].format.decoder("positions")
    at = {b: np.searchsorted(ids, common) for b, (ids, _, _) in terms.items()}
    found, scores = [], []
    for k, docnum in enumerate(common.tolist()):
        positions = [decode(terms[b][2][at[b][k]]) for b in btexts]
        if near(positions, slop):
            found.append(docnum)
            scores.append(tree_sum([float(terms[b][1][at[b][k]]) for b in btexts]))
    return np.array(found, np.int64), np.array(scores)


def near(positions: list[list[int]], slop: int) -> bool:
    """Whoosh's SpanNear2(ordered=True, mindist=1) test over each word's positions."""
    spans = [Span(p) for p in positions[0]]
    for following in positions[1:]:
        bspans = [Span(p) for p in following]
        joined = set()
        for a in spans:
            for j in range(bisect_spans(bspans, a.start), len(bspans)):
                b = bspans[j]
                if b.start > a.end + slop:
                    break
                if 1 <= a.distance_to(b) <= slop:
                    joined.add(a.to(b))
        spans = sorted(joined)
        if not spans:
            return False
    return bool(spans)


def tree_sum(values: list[float]) -> float:
    """Sum in the order of Whoosh's binary tree of IntersectionMatchers (equal floats)."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return tree_sum(values[:half]) + tree_sum(values[half:])
