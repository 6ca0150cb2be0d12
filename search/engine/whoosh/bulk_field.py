"""A field's postings added a document at a time, kept as arrays and sorted by term at
the end (the rebuild's pool, pool.py, holds one per text field).

Each document's postings in a field (search/engine/whoosh/bulk_postings.py) are kept as
they came: term ids, frequencies and positions. Sorted, a field's postings are gathered
by term with numpy and their values encoded for all of them at once; the result
(SortedPostings) is written term by term (terms_writer.py) or, past the pool's memory
limit, pickled in pieces into a run that the commit merges term by term.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right

import numpy as np

from search.engine.whoosh.bulk_postings import FieldPostings, encode_values

__all__ = ["TermBuffer", "BulkField", "SortedPostings", "SPILL_PIECE"]

class TermBuffer:
    """One term's postings: document numbers, weights, values (joined) and their lengths."""

    __slots__ = ("docnums", "weights", "values", "lengths", "ordered")

    def __init__(self):
        self.docnums = array("I")
        self.weights = array("d")
        self.values = bytearray()
        self.lengths = array("i")
        self.ordered = True

    def record(self) -> tuple:
        return (self.docnums.tobytes(), self.weights.tobytes(), bytes(self.values),
                self.lengths.tobytes(), self.ordered)

    def extend(self, record: tuple) -> None:
        docnums, weights, values, lengths, ordered = record
        before = self.docnums[-1] if self.docnums else -1
        self.docnums.frombytes(docnums)
        self.weights.frombytes(weights)
        self.values += values
        self.lengths.frombytes(lengths)
        first = memoryview(docnums).cast("I")[0]  # a record holds one posting at least
        self.ordered = self.ordered and ordered and first > before


_CHUNK_BYTES = 400  # one document's arrays in a field, besides their contents


class BulkField:
    """A field's postings added a document at a time, as arrays; sorted by term at the end."""

    def __init__(self, names: list[str]):
        self.names = names  # term id -> text, shared with the analysis (it grows)
        self._chunks: list[tuple] = []

    def add(self, docnum: int, postings: FieldPostings, boosts: tuple[float, float]) -> int:
        """Keep one document's postings (weights: the postings' own, else their
        frequencies, times boosts[0] * boosts[1]); the bytes they take."""
        count = len(postings.terms)
        if not count:
            return 0
        positions = postings.positions
        if positions is not None:
            positions = positions.astype(np.int32)
        freqs = postings.freqs.astype(np.int32)
        weights = freqs if postings.weights is None else postings.weights
        self._chunks.append((postings.terms.astype(np.int32), freqs, positions, docnum,
                             boosts, weights))
        return 16 * count + (0 if positions is None else 4 * len(positions)) + _CHUNK_BYTES

    def sorted(self, fieldname: str) -> SortedPostings | None:
        """Everything added so far, sorted by term (then document), and forgotten here."""
        if not self._chunks:
            return None
        chunks, self._chunks = self._chunks, []
        ids = np.concatenate([c[0] for c in chunks])
        freqs = np.concatenate([c[1] for c in chunks])
        counts = np.array([len(c[0]) for c in chunks], np.int64)
        docnums = np.repeat(np.array([c[3] for c in chunks], np.uint32), counts)
        boosts = {c[4] for c in chunks}
        if len(boosts) == 1:
            (boost, fieldboost), = boosts
            weights = np.concatenate([c[5] for c in chunks]) * (boost * fieldboost)
        else:
            weights = np.concatenate([c[5] * c[4][0] * c[4][1] for c in chunks])
        positions = (None if chunks[0][2] is None
                     else np.concatenate([c[2] for c in chunks]))
        del chunks
        present = np.flatnonzero(np.bincount(ids))
        keys = sorted((self.names[i].encode("utf-8"), i) for i in present.tolist())
        rank = np.zeros(int(present[-1]) + 1, np.int32)
        rank[[i for _, i in keys]] = np.arange(len(keys), dtype=np.int32)
        order = np.argsort(rank[ids], kind="stable")  # documents stay in the order added
        if positions is not None:
            positions = _gather_runs(positions, freqs, order)
        ids, docnums, weights, freqs = ids[order], docnums[order], weights[order], freqs[order]
        blob, lengths = _encoded(freqs, positions)
        bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
        value_bounds = np.r_[0, np.cumsum(lengths, dtype=np.int64)][bounds]
        return SortedPostings(fieldname, [k for k, _ in keys], bounds.tolist(), docnums,
                              weights, lengths, blob, value_bounds.tolist())


SPILL_PIECE = 1 << 20  # postings a spilled field is pickled by: what a merge holds of a run
_ENCODE_BATCH = 1 << 20  # postings encoded at once: bounds numpy's temporary arrays


def _encoded(freqs: np.ndarray, positions: np.ndarray | None) -> tuple[bytes, np.ndarray]:
    """encode_values, a batch of postings at a time."""
    if len(freqs) <= _ENCODE_BATCH:
        return encode_values(freqs, positions)
    ends = np.cumsum(freqs, dtype=np.int64)
    blobs, lengths = [], []
    for a in range(0, len(freqs), _ENCODE_BATCH):
        b = min(a + _ENCODE_BATCH, len(freqs))
        part = None if positions is None else positions[ends[a] - freqs[a]:ends[b - 1]]
        blob, sizes = encode_values(freqs[a:b], part)
        blobs.append(blob)
        lengths.append(sizes)
    return b"".join(blobs), np.concatenate(lengths)


def _gather_runs(values: np.ndarray, sizes: np.ndarray, order: np.ndarray) -> np.ndarray:
    """`values`, consecutive runs of `sizes` (each > 0), with the runs in the given order."""
    if not len(order):
        return values[:0]
    starts = (np.cumsum(sizes, dtype=np.int64) - sizes)[order]
    taken = sizes[order].astype(np.int64)
    index_type = np.int32 if len(values) < 2**31 else np.int64
    # One step per value, and at each run's first value a jump from the previous run's
    # last: a running sum gives every value's place in `values`.
    steps = np.ones(int(taken.sum()), index_type)
    steps[0] = starts[0]
    steps[(np.cumsum(taken) - taken)[1:]] = starts[1:] - (starts[:-1] + taken[:-1] - 1)
    return values[np.cumsum(steps, dtype=index_type)]


class SortedPostings:
    """One field's postings sorted by term: term k's are rows bounds[k]:bounds[k + 1]."""

    def __init__(self, fieldname, keys, bounds, docnums, weights, lengths, blob, value_bounds):
        self.fieldname = fieldname
        self.keys, self.bounds, self.value_bounds = keys, bounds, value_bounds
        self.docnums, self.weights, self.lengths, self.blob = docnums, weights, lengths, blob

    def pieces(self, limit: int):
        """This field's postings as consecutive SortedPostings of whole terms, each of at
        most `limit` postings (or one term)."""
        bounds, value_bounds, count = self.bounds, self.value_bounds, len(self.keys)
        k = 0
        while k < count:
            e = max(k + 1, bisect_right(bounds, bounds[k] + limit, k + 1, count + 1) - 1)
            a, b, va, vb = bounds[k], bounds[e], value_bounds[k], value_bounds[e]
            yield SortedPostings(self.fieldname, self.keys[k:e], [x - a for x in bounds[k:e + 1]],
                                 self.docnums[a:b], self.weights[a:b], self.lengths[a:b],
                                 self.blob[va:vb], [x - va for x in value_bounds[k:e + 1]])
            k = e

    def records(self):
        """(tbytes, record) per term, records as _TermBuffer.record() gives them."""
        docnums = memoryview(self.docnums.tobytes())
        weights = memoryview(self.weights.tobytes())
        lengths = memoryview(self.lengths.astype(np.int32).tobytes())
        blob, bounds, value_bounds = memoryview(self.blob), self.bounds, self.value_bounds
        for k, tbytes in enumerate(self.keys):
            a, b = bounds[k], bounds[k + 1]
            yield tbytes, (docnums[4 * a:4 * b], weights[8 * a:8 * b],
                           blob[value_bounds[k]:value_bounds[k + 1]], lengths[4 * a:4 * b],
                           True)

    def keyed_records(self):
        """((fieldname, tbytes), record) per term, in bytes (as runs are merged)."""
        fieldname = self.fieldname
        for tbytes, (docnums, weights, values, lengths, ordered) in self.records():
            yield (fieldname, tbytes), (bytes(docnums), bytes(weights), bytes(values),
                                        bytes(lengths), ordered)

    def terms(self):
        """(tbytes, _TermBuffer) per term."""
        for tbytes, (docnums, weights, values, lengths, _) in self.records():
            buf = TermBuffer()
            buf.docnums.frombytes(docnums)
            buf.weights.frombytes(weights)
            buf.lengths.frombytes(lengths)
            buf.values = bytes(values)
            yield tbytes, buf
