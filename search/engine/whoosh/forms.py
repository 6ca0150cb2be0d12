"""Word forms as written, kept per document as a column of hashes instead of postings.

A second inverted index of every word as written (`библиотеками`) cost as much to
write as the lemma postings, close to half of a rebuild. Only two things need the
forms: the `=word` operator and the exact-form bonus on the top candidates, and both
only ask "does document d contain form f?". A sorted array of the CRC-32 hashes of a
field's forms per document answers that, stored as a Whoosh column of the field.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np
from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher

from search.engine.whoosh.direct import direct_column, direct_column_many

__all__ = ["form_hash", "pack_forms", "FormLookup", "ExactForm", "FORM_FIELDS"]

FORM_FIELDS = ("title", "body")  # the text fields that carry a forms column


def form_hash(form: str) -> int:
    """A stable 32-bit hash of a lowercased, ё-folded form (the same in every process)."""
    return zlib.crc32(form.encode("utf-8"))


def pack_forms(forms: Iterable[str]) -> bytes:
    """The column value: sorted unique hashes as little-endian uint32."""
    packed = array("I", sorted({form_hash(f) for f in forms}))
    if packed.itemsize != 4:  # pragma: no cover - every platform we run on has 4-byte I
        raise RuntimeError("array('I') is not 32-bit here")
    return packed.tobytes()


# Column values kept per lookup: reading one through Whoosh's column reader is a few
# file reads (a third of the exact-form bonus); a document's body forms are ~1.6 KB, so
# the real corpus fits whole and a 100,000-publication index keeps its ~20,000 most asked.
FORMS_CACHE_BYTES = 32 * 2**20
BULK_FROM = 500  # documents from which `holding` reads their forms in bulk
BULK_BATCH = 8192  # documents whose forms are held in memory at once (~13 MB)


class FormLookup:
    """The forms columns of one reader: which forms a document contains.

    Opening a column reader reads its whole offsets table (a millisecond), so a
    lookup is built once per reader and kept (search/engine/whoosh/postings.py keeps one
    per view), with the values it read (FORMS_CACHE_BYTES).
    """

    def __init__(self, reader, fieldnames: Iterable[str] = FORM_FIELDS,
                 cache_bytes: int = FORMS_CACHE_BYTES):
        readers = [reader.column_reader(name) for name in fieldnames if reader.has_column(name)]
        self._columns = [direct_column(column) for column in readers]
        self._many = [direct_column_many(column) for column in readers]
        self._cache: OrderedDict[int, tuple[memoryview, ...]] = OrderedDict()
        self._cached_bytes = 0
        self._budget = cache_bytes

    def _values(self, docnum: int) -> tuple[memoryview, ...]:
        found = self._cache.get(docnum)
        if found is not None:
            self._cache.move_to_end(docnum)
            return found
        found = tuple(memoryview(column(docnum) or b"\0\0\0\0").cast("I")
                      for column in self._columns)
        self._cache[docnum] = found
        self._cached_bytes += sum(v.nbytes for v in found)
        while self._cached_bytes > self._budget and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._cached_bytes -= sum(v.nbytes for v in old)
        return found

    def counts(self, docnum: int, hashes: tuple[int, ...]) -> list[int]:
        """In how many forms columns (title, body) of `docnum` each hash occurs."""
        out = [0] * len(hashes)
        for values in self._values(docnum):
            for i, h in enumerate(hashes):
                j = bisect_left(values, h)
                out[i] += j < len(values) and values[j] == h
        return out

    def counts_many(self, docnums: Sequence[int], hashes: tuple[int, ...]) -> np.ndarray:
        """counts() for many documents at once, one row per document: their columns'
        values joined into one array and compared in numpy, instead of a Python bisect
        per hash, column and document (the exact-form bonus on 100 candidates)."""
        out = np.zeros((len(docnums), len(hashes)), np.int64)
        if not len(docnums) or not hashes:
            return out
        views = [v for d in docnums for v in self._values(d)]
        lengths = np.fromiter(map(len, views), np.int64, len(views))
        owner = np.repeat(np.arange(len(docnums)).repeat(len(self._columns)), lengths)
        values = np.frombuffer(b"".join(views), np.uint32)
        for j, h in enumerate(hashes):
            out[:, j] = np.bincount(owner[values == h], minlength=len(docnums))
        return out

    def holding(self, docnums: np.ndarray, form: int) -> np.ndarray:
        """Which of `docnums` (sorted) hold the form `form` (form_hash) in a forms column:
        for many documents their values are read in bulk, neighbours in one read, and
        not kept (an exact form of a common word at 100,000 publications asked 50,000
        documents, each a read: 1 s)."""
        if len(docnums) < BULK_FROM or any(many is None for many in self._many):
            return self.counts_many(docnums.tolist(), (form,))[:, 0] > 0
        out = np.zeros(len(docnums), bool)
        for start in range(0, len(docnums), BULK_BATCH):
            batch = docnums[start:start + BULK_BATCH]
            for many in self._many:
                for blob, which, at, length in many(batch):
                    found = np.flatnonzero(np.frombuffer(blob, "<u4") == form) * 4
                    owner = np.searchsorted(at, found, side="right") - 1
                    inside = found < at[owner] + length[owner]
                    out[start + which[owner[inside]]] = True
        return out


class ExactForm(wq.WrappingQuery):
    """The documents of `child` (the form's lemmas) that contain `form` exactly as written."""

    def __init__(self, child: wq.Query, form: str):
        super().__init__(child)
        self.form = form

    def __repr__(self):
        return f"ExactForm({self.child!r}, {self.form!r})"

    def __eq__(self, other):
        return type(other) is type(self) and (other.child, other.form) == (self.child, self.form)

    def __hash__(self):
        return hash((type(self).__name__, self.child, self.form))

    def _rewrap(self, child):
        return type(self)(child, self.form)

    def matcher(self, searcher, context=None):
        inner = self.child.matcher(searcher, context)
        lookup = FormLookup(searcher.reader())
        h = form_hash(self.form)
        ids, scores = [], []
        while inner.is_active():
            docnum = inner.id()
            if lookup.counts(docnum, (h,))[0]:
                ids.append(docnum)
                scores.append(inner.score())
            inner.next()
        return ListMatcher(ids, weights=scores) if ids else NullMatcher()
