"""A new segment's postings kept per term in arrays, instead of Whoosh's sorting pool.

Whoosh's PostingPool holds every posting as a Python tuple and, past its memory
limit, pickles them one by one into sorted runs that it merges back with a heap at
commit: at 2,000 news documents a third of a sub-writer's time, and at 100,000
publications about 12 GB of runs. A rebuild's sub-writer adds documents in order, so
each term's postings arrive already sorted; kept as arrays per term they take ~25 bytes
a posting instead of a tuple's ~150, and past the writer's memory limit they are written
out as one run of whole terms (a few pickles per term, not one per posting), merged
term by term at commit.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from array import array
from bisect import bisect_right

import numpy as np

from search.engine.whoosh.bulk_postings import FieldPostings, encode_values

__all__ = ["CompactPool", "BulkField"]

_NONE = -1  # the length recorded for a posting without a value (any negative)
_TERM_BYTES = 400  # a new term's dictionary entry and four empty arrays, roughly
_POSTING_BYTES = 16  # document number, weight and value length of one posting


class _TermBuffer:
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
        """Keep one document's postings (weights: freq * boosts[0] * boosts[1]); the
        bytes they take."""
        count = len(postings.terms)
        if not count:
            return 0
        positions = postings.positions
        if positions is not None:
            positions = positions.astype(np.int32)
        self._chunks.append((postings.terms.astype(np.int32), postings.freqs.astype(np.int32),
                             positions, docnum, boosts))
        return 8 * count + (0 if positions is None else 4 * len(positions)) + _CHUNK_BYTES

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
            weights = freqs * boost * fieldboost
        else:
            weights = np.concatenate([c[1] * c[4][0] * c[4][1] for c in chunks])
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


_SPILL_PIECE = 1 << 20  # postings a spilled field is pickled by: what a merge holds of a run
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
            buf = _TermBuffer()
            buf.docnums.frombytes(docnums)
            buf.weights.frombytes(weights)
            buf.lengths.frombytes(lengths)
            buf.values = bytes(values)
            yield tbytes, buf


class CompactPool:
    """The pool interface SegmentWriter uses (add, iter_postings, fieldnames, cleanup)."""

    def __init__(self, limit_bytes: int = 256 * 2**20, tempdir: str | None = None):
        self.fieldnames: set[str] = set()
        self.runs: list = []  # anonymous temporary files, each terms in sorted order
        self._fields: dict[str, dict[bytes, _TermBuffer]] = {}
        self._bulk: dict[str, BulkField] = {}  # fields added a document at a time
        self._limit = limit_bytes
        self._bytes = 0
        self._tempdir = tempdir

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        buf = terms.get(tbytes)
        if buf is None:
            buf = terms[tbytes] = _TermBuffer()
            self._bytes += _TERM_BYTES
        elif docnum < buf.docnums[-1]:
            buf.ordered = False  # a merge added older documents: sorted when read
        buf.docnums.append(docnum)
        buf.weights.append(weight)
        if vbytes is None:
            buf.lengths.append(_NONE)
            self._bytes += _POSTING_BYTES
        else:
            buf.values += vbytes
            buf.lengths.append(len(vbytes))
            self._bytes += _POSTING_BYTES + len(vbytes)
        if self._bytes > self._limit:
            self._spill()

    def add_postings(self, fieldname: str, names: list[str], docnum: int,
                     postings: FieldPostings, boosts: tuple[float, float]) -> None:
        """A document's postings in a field at once; term ids index `names`; each
        posting weighs its frequency times both boosts."""
        bulk = self._bulk.get(fieldname)
        if bulk is None:
            bulk = self._bulk[fieldname] = BulkField(names)
            self.fieldnames.add(fieldname)
        self._bytes += bulk.add(docnum, postings, boosts)
        if self._bytes > self._limit:
            self._spill()

    def _spill(self) -> None:
        """Everything held so far into a new run, whole terms in sorted order: a field
        added a document at a time as one object of sorted arrays, others term by term."""
        run = tempfile.TemporaryFile(dir=self._tempdir)
        for fieldname, pairs in self._sorted_fields():
            if isinstance(pairs, SortedPostings):  # in pieces: merged one piece at a time
                for piece in pairs.pieces(_SPILL_PIECE):
                    pickle.dump(piece, run, pickle.HIGHEST_PROTOCOL)
                continue
            for tbytes, buf in pairs:
                pickle.dump(((fieldname, tbytes), buf.record()), run, pickle.HIGHEST_PROTOCOL)
        run.flush()
        self.runs.append(run)
        self._bytes = 0

    def _sorted_fields(self):
        """(fieldname, its terms) by field: a SortedPostings, or (tbytes, buffer) pairs in
        order; each field freed once handed out."""
        for fieldname in sorted(self._fields.keys() | self._bulk.keys()):
            terms = self._fields.pop(fieldname, {})
            bulk = self._bulk.pop(fieldname, None)
            single = ((tbytes, terms.pop(tbytes)) for tbytes in sorted(terms))
            arrays = bulk.sorted(fieldname) if bulk is not None else None
            if arrays is None:
                yield fieldname, single
            elif not terms:
                yield fieldname, arrays
            else:  # both kinds of adds in one field (a merge): joined per term
                yield fieldname, _joined(heapq.merge(arrays.terms(), single,
                                                     key=lambda p: p[0]))

    def _sorted_terms(self):
        """((fieldname, tbytes), buffer) in sorted order."""
        for fieldname, pairs in self._sorted_fields():
            if isinstance(pairs, SortedPostings):
                pairs = pairs.terms()
            for tbytes, buf in pairs:
                yield (fieldname, tbytes), buf

    def iter_postings(self):
        """(fieldname, tbytes, docnum, weight, vbytes) in the order Whoosh's pool gives:
        by field, term, then document."""
        for fieldname, tbytes, buf in self.iter_terms():
            yield from _postings(fieldname, tbytes, buf)

    def iter_terms(self):
        """(fieldname, tbytes, postings buffer) by field, then term; the runs merged."""
        if not self.runs:
            for (fieldname, tbytes), buf in self._sorted_terms():
                yield fieldname, tbytes, buf
            return
        sources = [_read_run(run) for run in self.runs]
        sources.append(_records(self._sorted_fields()))
        # Runs are in the order documents came: merged per term in that order.
        merged = heapq.merge(*(_tagged(source, i) for i, source in enumerate(sources)))
        current, buf = None, None
        for (key, _), record in merged:
            if key != current:
                if buf is not None:
                    yield current[0], current[1], buf
                current, buf = key, _TermBuffer()
            buf.extend(record)
        if buf is not None:
            yield current[0], current[1], buf

    def cleanup(self) -> None:
        self._fields.clear()
        for run in self.runs:
            run.close()
        self.runs.clear()


def _joined(pairs):
    """(tbytes, buffer) pairs in order, equal terms' buffers joined (in the given order)."""
    current, buf = None, None
    for tbytes, other in pairs:
        if tbytes != current:
            if buf is not None:
                yield current, buf
            current, buf = tbytes, other
        else:
            buf.extend(other.record())
    if buf is not None:
        yield current, buf


def _tagged(source, i: int):
    """(key, record) as ((key, i), record): equal keys come in the order of the sources."""
    for key, record in source:
        yield (key, i), record


def _records(fields):
    """((fieldname, tbytes), record) per term of _sorted_fields()."""
    for fieldname, pairs in fields:
        if isinstance(pairs, SortedPostings):
            yield from pairs.keyed_records()
        else:
            for tbytes, buf in pairs:
                yield (fieldname, tbytes), buf.record()


def _read_run(run):
    run.seek(0)
    while True:
        try:
            item = pickle.load(run)
        except EOFError:
            return
        if isinstance(item, SortedPostings):
            yield from item.keyed_records()
        else:
            yield item


def _postings(fieldname: str, tbytes: bytes, buf: _TermBuffer):
    values, start = bytes(buf.values), 0
    items = []
    for docnum, weight, length in zip(buf.docnums, buf.weights, buf.lengths, strict=True):
        if length == _NONE:
            items.append((fieldname, tbytes, docnum, weight, None))
        else:
            items.append((fieldname, tbytes, docnum, weight, values[start:start + length]))
            start += length
    if not buf.ordered:
        items.sort(key=lambda item: item[2])
    return items
