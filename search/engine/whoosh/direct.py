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
from collections.abc import Callable

from whoosh.codec.whoosh3 import STORED_COLUMN

__all__ = ["direct_get", "direct_column", "direct_stored"]

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
