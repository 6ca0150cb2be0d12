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
from bisect import bisect_right
from collections.abc import Callable

__all__ = ["direct_get", "direct_column"]

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
