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

from whoosh.writing import SegmentWriter

from search.engine.whoosh.terms_writer import can_write_terms, write_terms

__all__ = ["CompactPool", "CompactSegmentWriter"]

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


class CompactPool:
    """The pool interface SegmentWriter uses (add, iter_postings, fieldnames, cleanup)."""

    def __init__(self, limit_bytes: int = 256 * 2**20, tempdir: str | None = None):
        self.fieldnames: set[str] = set()
        self.runs: list = []  # anonymous temporary files, each terms in sorted order
        self._fields: dict[str, dict[bytes, _TermBuffer]] = {}
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
        for fieldname in sorted(self._fields):
            terms = self._fields.pop(fieldname)
            for tbytes in sorted(terms):
                yield (fieldname, tbytes), terms.pop(tbytes)

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


class CompactSegmentWriter(SegmentWriter):
    """SegmentWriter with a CompactPool (within the writer's limitmb): for a rebuild's
    new segments, whose postings are written term by term from the pool's arrays
    (search/engine/whoosh/terms_writer.py) instead of posting by posting."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        folder = getattr(self._tempstorage, "folder", None)
        self.pool.cleanup()  # Whoosh's pool, still empty
        self.pool = CompactPool(limitmb * 2**20, folder)

    def _flush_segment(self):
        if self.codec.length_stats or not can_write_terms(self.fieldwriter):
            return super()._flush_segment()
        self.perdocwriter.close()
        write_terms(self.fieldwriter, self.schema, self.pool.iter_terms())
        self.fieldwriter.close()
        return None
