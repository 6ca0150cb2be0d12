"""A new segment's postings kept per term in arrays, instead of Whoosh's sorting pool.

Whoosh's PostingPool holds every posting as a Python tuple and, past its memory
limit, pickles them one by one into sorted runs that it merges back with a heap at
commit: at 2,000 news documents a third of a sub-writer's time, and at 100,000
publications about 12 GB of runs. A rebuild's sub-writer adds documents in order, so
each term's postings arrive already sorted; kept as arrays per term they take ~25 bytes
a posting instead of a tuple's ~150, and past the writer's memory limit they are written
out as one run of whole terms (a few pickles per term, not one per posting), merged
term by term at commit. The rebuild's text fields come a document at a time as arrays
and are kept as such (bulk_field.py).
"""

from __future__ import annotations

import heapq
import pickle
import tempfile

from search.engine.whoosh.bulk_field import SPILL_PIECE, BulkField, SortedPostings, TermBuffer
from search.engine.whoosh.bulk_postings import FieldPostings

__all__ = ["CompactPool"]

_NONE = -1  # the length recorded for a posting without a value (any negative)
_TERM_BYTES = 400  # a new term's dictionary entry and four empty arrays, roughly
_POSTING_BYTES = 16  # document number, weight and value length of one posting


class CompactPool:
    """The pool interface SegmentWriter uses (add, iter_postings, fieldnames, cleanup)."""

    def __init__(self, limit_bytes: int = 256 * 2**20, tempdir: str | None = None):
        self.fieldnames: set[str] = set()
        self.runs: list = []  # anonymous temporary files, each terms in sorted order
        self._fields: dict[str, dict[bytes, TermBuffer]] = {}
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
            buf = terms[tbytes] = TermBuffer()
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
                for piece in pairs.pieces(SPILL_PIECE):
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
                current, buf = key, TermBuffer()
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


def _postings(fieldname: str, tbytes: bytes, buf: TermBuffer):
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
