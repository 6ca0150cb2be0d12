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

import numpy as np

from search.engine.whoosh.bulk_postings import FieldPostings

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


class BulkField:
    """A field's postings added a document at a time, as arrays; sorted by term at the end."""

    def __init__(self, names: list[str]):
        self.names = names  # term id -> text, shared with the analysis (it grows)
        self._chunks: list[tuple] = []

    def add(self, docnum: int, postings: FieldPostings, weights: np.ndarray) -> int:
        """Keep one document's postings; the bytes they take."""
        count = len(postings.terms)
        if count:
            self._chunks.append((postings.terms, np.full(count, docnum, np.uint32), weights,
                                 postings.lengths, postings.blob))
        return count * (_POSTING_BYTES + 8) + len(postings.blob)

    def sorted_terms(self):
        """(tbytes, buffer) per term in byte order, each term's documents in order."""
        if not self._chunks:
            return
        chunks, self._chunks = self._chunks, []
        ids = np.concatenate([c[0] for c in chunks])
        docnums = np.concatenate([c[1] for c in chunks])
        weights = np.concatenate([c[2] for c in chunks]).astype(np.float64)
        lengths = np.concatenate([c[3] for c in chunks]).astype(np.int64)
        blob = np.frombuffer(b"".join(c[4] for c in chunks), np.uint8)
        del chunks
        present = np.flatnonzero(np.bincount(ids))
        keys = sorted((self.names[i].encode("utf-8"), i) for i in present.tolist())
        rank = np.zeros(len(present) and int(present[-1]) + 1, np.int64)
        rank[[i for _, i in keys]] = np.arange(len(keys))
        order = np.argsort(rank[ids], kind="stable")  # documents stay in the order added
        ids, docnums, weights = ids[order], docnums[order], weights[order]
        value_starts = (np.cumsum(lengths) - lengths)[order]
        lengths = lengths[order]
        ends = np.cumsum(lengths)
        blob = blob[np.arange(int(ends[-1]) if len(ends) else 0)
                    + np.repeat(value_starts - (ends - lengths), lengths)]
        bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
        value_bounds = np.r_[0, ends][bounds]
        for k, (tbytes, _) in enumerate(keys):
            a, b = int(bounds[k]), int(bounds[k + 1])
            buf = _TermBuffer()
            buf.docnums.frombytes(docnums[a:b].tobytes())
            buf.weights.frombytes(weights[a:b].tobytes())
            buf.lengths.frombytes(lengths[a:b].astype(np.int32).tobytes())
            buf.values = blob[int(value_bounds[k]):int(value_bounds[k + 1])].tobytes()
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
                     postings: FieldPostings, weights: np.ndarray) -> None:
        """A document's postings in a field at once; term ids index `names`."""
        bulk = self._bulk.get(fieldname)
        if bulk is None:
            bulk = self._bulk[fieldname] = BulkField(names)
            self.fieldnames.add(fieldname)
        self._bytes += bulk.add(docnum, postings, weights)
        if self._bytes > self._limit:
            self._spill()

    def _spill(self) -> None:
        """Everything held so far into a new run, whole terms in sorted order."""
        run = tempfile.TemporaryFile(dir=self._tempdir)
        for key, buf in self._sorted_terms():
            pickle.dump((key, buf.record()), run, pickle.HIGHEST_PROTOCOL)
        run.flush()
        self.runs.append(run)
        self._bytes = 0

    def _sorted_terms(self):
        """((fieldname, tbytes), buffer) in sorted order, each freed once handed out."""
        for fieldname in sorted(self._fields.keys() | self._bulk.keys()):
            terms = self._fields.pop(fieldname, {})
            bulk = self._bulk.pop(fieldname, None)
            single = ((tbytes, terms.pop(tbytes)) for tbytes in sorted(terms))
            if bulk is None:
                pairs = single
            elif not terms:
                pairs = bulk.sorted_terms()
            else:  # both kinds of adds in one field (a merge): joined per term
                pairs = _joined(heapq.merge(bulk.sorted_terms(), single, key=lambda p: p[0]))
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
        sources.append((key, buf.record()) for key, buf in self._sorted_terms())
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


def _read_run(run):
    run.seek(0)
    while True:
        try:
            yield pickle.load(run)
        except EOFError:
            return


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
