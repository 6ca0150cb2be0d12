"""Reads of segment parts straight from the segment file, one `os.pread` each.

An index is opened without mmap (search/engine/whoosh/store.py), so every read Whoosh
makes goes through three Python file layers (StructFile, SubFile, a buffered reader),
a seek and a read, and the buffered reader fetches more than asked. At 100,000
publications a cold search makes thousands of them (posting blocks, the forms column
of the top candidates). A pread at the part's offset in the segment file does the
same in one system call, reads what was asked only, and keeps no file position.
Anything not laid out as expected keeps Whoosh's own reads.
"""

from __future__ import annotations

import os
import pickle
from bisect import bisect_right
from collections.abc import Callable, Iterator

import numpy as np
from whoosh.codec.whoosh3 import STORED_COLUMN

__all__ = ["direct_get", "direct_column", "direct_column_many", "direct_stored"]

Get = Callable[[int, int], bytes]


def direct_get(structfile) -> Get:
    """`get(position, length)` for a StructFile: a pread into its segment file when it
    is a part of one (whoosh.filedb.compound.SubFile), else the StructFile's own get."""
    sub = getattr(structfile, "file", None)
    raw = getattr(sub, "_file", None)
    offset, size = getattr(sub, "_offset", None), getattr(sub, "_length", None)
    if (type(sub).__name__ != "SubFile" or not isinstance(offset, int)
            or not isinstance(size, int) or not hasattr(raw, "fileno")):
        return structfile.get
    try:
        fd = raw.fileno()
    except (OSError, ValueError):
        return structfile.get
    pread = os.pread

    def get(position: int, length: int) -> bytes:
        return pread(fd, max(0, min(length, size - position)), offset + position)

    return get


def direct_column(column) -> Callable[[int], bytes]:
    """`value(docnum)` for a column of byte strings (whoosh.columns.VarBytesColumn),
    through MultiColumnReader and TranslatingColumnReader when the translation is the
    identity; anything else is read by the column itself."""
    kind = type(column).__name__
    if kind == "TranslatingColumnReader" and _identity(column._translate):
        return direct_column(column.raw_column())
    if kind == "MultiColumnReader":
        parts = [direct_column(r) for r in column._readers]
        starts = list(column._doc_offsets)

        def value(docnum: int) -> bytes:
            i = max(0, bisect_right(starts, docnum) - 1)
            return parts[i](docnum - starts[i])

        return value
    if kind == "Reader" and hasattr(column, "_offsets") and hasattr(column, "_lengths") \
            and hasattr(column, "_dbfile"):
        get, base = direct_get(column._dbfile), column._basepos
        offsets, lengths = column._offsets, column._lengths

        def value(docnum: int) -> bytes:
            length = lengths[docnum]
            return get(base + offsets[docnum], length) if length else b""

        return value
    return column.__getitem__


# (bytes read, the documents' places among those asked, each value's start in the
# bytes, each value's length): one read of neighbouring values
Chunk = tuple[bytes, np.ndarray, np.ndarray, np.ndarray]
Many = Callable[[np.ndarray], Iterator[Chunk]]
_GAP = 1 << 16  # bytes of other documents' values read rather than a new pread
_SPAN = 8 << 20  # bytes read by one pread at most


def direct_column_many(column) -> Many | None:
    """`many(docnums)` for a column of byte strings, like direct_column: the values of
    many documents (sorted numbers) read together, neighbours in one pread, yielded a
    read at a time (a Chunk). None: a column laid out otherwise (read values one by
    one)."""
    kind = type(column).__name__
    if kind == "TranslatingColumnReader" and _identity(column._translate):
        return direct_column_many(column.raw_column())
    if kind == "MultiColumnReader":
        parts = [direct_column_many(r) for r in column._readers]
        if any(part is None for part in parts):
            return None
        starts = np.array(column._doc_offsets, np.int64)

        def many_of_segments(docnums: np.ndarray) -> Iterator[Chunk]:
            segment = np.searchsorted(starts, docnums, side="right") - 1
            for i in np.unique(segment).tolist():
                places = np.flatnonzero(segment == i)
                for blob, which, at, length in parts[i](docnums[places] - starts[i]):
                    yield blob, places[which], at, length

        return many_of_segments
    if kind == "Reader" and hasattr(column, "_offsets") and hasattr(column, "_lengths") \
            and hasattr(column, "_dbfile"):
        get, base = direct_get(column._dbfile), column._basepos
        offsets = np.array(column._offsets, np.int64)
        sizes = np.array(column._lengths, np.int64)

        def many(docnums: np.ndarray) -> Iterator[Chunk]:
            begin, length = offsets[docnums], sizes[docnums]
            end = begin + length  # values are laid out in document order
            for first, last in _reads(begin, end):
                low, high = int(begin[first]), int(end[last - 1])
                yield (get(base + low, high - low), np.arange(first, last),
                       begin[first:last] - low, length[first:last])

        return many
    return None


def _reads(begin: np.ndarray, end: np.ndarray) -> list[tuple[int, int]]:
    """[first, last) runs of sorted values read together: a new read where the gap to
    the value before is wider than _GAP, or the read would pass _SPAN."""
    n = len(begin)
    if not n:
        return []
    cut = (np.flatnonzero(begin[1:] - end[:-1] > _GAP) + 1).tolist()
    runs = []
    for first, last in zip([0, *cut], [*cut, n], strict=True):
        piece = (begin[first:last] - begin[first]) // _SPAN
        inner = (np.flatnonzero(piece[1:] != piece[:-1]) + 1 + first).tolist()
        edges = [first, *inner, last]
        runs += list(zip(edges[:-1], edges[1:], strict=True))
    return runs


def _identity(translate) -> bool:
    """Whether a column translation returns its value unchanged (our fields' columns)."""
    try:
        probe = b"\x01\x02"
        return translate(probe) is probe
    except Exception:  # noqa: BLE001 - any failure: not the identity
        return False


def direct_stored(searcher) -> Callable[[int], dict]:
    """`stored_fields(docnum)` of a searcher, each document's value in one pread.

    Whoosh keeps a segment's stored fields as a column of pickled, zlib-compressed
    values and reads one through four wrappers in about ten small reads; at 100,000
    publications the hits of a request cost a millisecond that way. Here the value's
    bytes are read straight (direct_column of the compressed column), then
    decompressed and unpickled, and, as Whoosh's SegmentReader does, only fields of
    the schema are kept. A segment laid out otherwise is read by Whoosh."""
    leaves = searcher.leaf_searchers()
    starts = [offset for _, offset in leaves]
    readers = [_segment_stored(leaf.reader()) for leaf, _ in leaves]
    schema = searcher.schema

    def stored(docnum: int) -> dict:
        i = max(0, bisect_right(starts, docnum) - 1)
        read = readers[i]
        if read is None:
            return searcher.stored_fields(docnum)
        return {k: v for k, v in read(docnum - starts[i]).items() if k in schema}

    return stored


def _segment_stored(reader) -> Callable[[int], dict] | None:
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    column = perdoc._cached_reader("_stored", STORED_COLUMN)
    child = getattr(column, "_child", None)
    decompress = getattr(child, "_decompress", None)
    if type(column).__name__ != "Reader" or decompress is None:
        return None
    raw = direct_column(child)
    if getattr(raw, "__self__", None) is child:  # not read directly: values come decompressed
        return None

    def read(docnum: int) -> dict:
        value = raw(docnum)
        return (pickle.loads(decompress(value)) if value else None) or {}

    return read
