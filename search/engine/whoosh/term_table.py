"""A segment's terms table looked up with `os.pread`, not through Whoosh's file layers.

Whoosh finds a term in a segment's table (whoosh.filedb.filetables.HashReader) with
three or four reads through StructFile, SubFile and a buffered reader: 14-16 µs a
term. A similar-publications request looks up every distinct word of a text in every
segment (700 lookups, half of the request), and a search a few dozen. Here the same
hash table is probed with one pread for the slots and one for the entry, about 5 µs.
A table not laid out as expected is read by Whoosh itself.
tests/test_scoring.py compares both on every term of an index of several segments.
"""

from __future__ import annotations

import struct
import weakref

from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort

from search.engine.whoosh.direct import direct_get

__all__ = ["term_value", "term_weight", "term_doc_frequency", "doc_frequency", "terms_with_prefix"]

_SLOT = struct.Struct("!Iq")  # filetables._pointer: the key's hash, the entry's position
_LENGTHS = struct.Struct("!ii")  # filetables._lengths: key and value lengths
_SLOTS_PER_READ = 8
_VALUE_GUESS = 48  # a W3TermInfo is 28-40 bytes: the entry mostly comes in one read
# W3TermInfo._struct "!BfIBBfII": flags, then the weight and the document frequency
_WEIGHT_AT, _DOC_FREQ_AT = 1, 5
_FLOAT, _UINT = struct.Struct("!f"), struct.Struct("!I")
# OrderedHashWriter's array of the entries' positions, in key order (big-endian)
_INDEX_TYPES = {code: struct.Struct("!" + code) for code in "BHiIq"}
_SCAN_BYTES = 8192  # entries read at once when listing the terms after a prefix


class _Table:
    """One segment's terms table (a W3TermsReader's HashReader), probed as Whoosh does."""

    def __init__(self, terms):
        table = terms._tindex
        self.fieldmap = terms._fieldmap
        self.hash = table.hashfn
        self.tables = table.tables
        self.get = direct_get(table.dbfile)
        index_type = _INDEX_TYPES.get(getattr(table, "extras", {}).get("indextype"))
        self.ordered = None if index_type is None or not all(
            hasattr(table, a) for a in ("indexbase", "indexlen", "endofdata")) else (
            table.indexbase, table.indexlen, index_type, table.endofdata)

    def value(self, fieldname: str, btext: bytes) -> bytes | None:
        """HashReader.ranges_for_key's probe, its first value."""
        fnum = self.fieldmap.get(fieldname)
        if fnum is None:
            return None
        key = pack_ushort(fnum) + btext
        keyhash = self.hash(key)
        start, numslots = self.tables[keyhash & 255]
        if not numslots:
            return None
        slot = (keyhash >> 8) % numslots
        seen = 0
        while seen < numslots:
            count = min(_SLOTS_PER_READ, numslots - slot, numslots - seen)
            buf = self.get(start + slot * _SLOT.size, count * _SLOT.size)
            for i in range(len(buf) // _SLOT.size):
                slothash, itempos = _SLOT.unpack_from(buf, i * _SLOT.size)
                if not itempos:
                    return None
                if slothash == keyhash:
                    found = self._entry(itempos, key)
                    if found is not None:
                        return found
            seen += count
            slot = (slot + count) % numslots
        return None

    def with_prefix(self, fieldname: str, prefix: bytes) -> list[bytes] | None:
        """The field's terms that start with `prefix`, in order (None: not laid out as
        OrderedHashReader reads it): its binary search over the entries' positions, then
        the entries from there a block at a time. Whoosh reads each key and value through
        three file layers (iter_prefix: 163,000 reads in 1,200 queries)."""
        if self.ordered is None:
            return None
        fnum = self.fieldmap.get(fieldname)
        if fnum is None:
            return []
        key = pack_ushort(fnum) + prefix
        first = self._first_at_least(key)
        return [] if first is None else self._keys_from(first, key)

    def _position(self, i: int) -> int:
        """Where the table's i-th entry in key order is."""
        base, _count, index_type, _end = self.ordered
        return index_type.unpack(self.get(base + i * index_type.size, index_type.size))[0]

    def _first_at_least(self, key: bytes) -> int | None:
        """The position of the first entry whose key is not below `key` (None: none)."""
        lo, hi = 0, self.ordered[1]
        while lo < hi:
            mid = (lo + hi) // 2
            if self._key_at(self._position(mid)) < key:
                lo = mid + 1
            else:
                hi = mid
        return None if lo == self.ordered[1] else self._position(lo)

    def _keys_from(self, pos: int, prefix: bytes) -> list[bytes]:
        """The terms of the entries from `pos` on, while their keys start with `prefix`."""
        end_of_data = self.ordered[3]
        found: list[bytes] = []
        while pos < end_of_data:
            buf = self.get(pos, min(_SCAN_BYTES, end_of_data - pos))
            at = 0
            while at + _LENGTHS.size <= len(buf):
                keylen, datalen = _LENGTHS.unpack_from(buf, at)
                if at + _LENGTHS.size + keylen > len(buf):
                    break
                term = buf[at + _LENGTHS.size:at + _LENGTHS.size + keylen]
                if not term.startswith(prefix):
                    return found
                found.append(term[2:])
                at += _LENGTHS.size + keylen + datalen
            if not at:  # an entry longer than a block
                keylen, datalen = _LENGTHS.unpack_from(buf)
                term = self._key_at(pos)
                if not term.startswith(prefix):
                    return found
                found.append(term[2:])
                at = _LENGTHS.size + keylen + datalen
            pos += at
        return found

    def _key_at(self, pos: int) -> bytes:
        buf = self.get(pos, _LENGTHS.size + _VALUE_GUESS)
        keylen = _LENGTHS.unpack_from(buf)[0]
        if len(buf) < _LENGTHS.size + keylen:
            buf = self.get(pos, _LENGTHS.size + keylen)
        return buf[_LENGTHS.size:_LENGTHS.size + keylen]

    def _entry(self, itempos: int, key: bytes) -> bytes | None:
        """The value of the entry at `itempos` if its key is `key`."""
        head = _LENGTHS.size + len(key)
        buf = self.get(itempos, head + _VALUE_GUESS)
        keylen, datalen = _LENGTHS.unpack_from(buf)
        if keylen != len(key) or buf[_LENGTHS.size:head] != key:
            return None
        if len(buf) < head + datalen:
            buf = self.get(itempos, head + datalen)
        return buf[head:head + datalen]


_tables: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _table(reader) -> _Table | None:
    """The fast table of a segment reader, or None when it is not Whoosh's W3 layout."""
    terms = getattr(reader, "_terms", None)
    found = _tables.get(terms) if terms is not None else None
    if found is None:
        if (type(terms).__name__ != "W3TermsReader"
                or not hasattr(getattr(terms, "_tindex", None), "tables")):
            return None
        found = _tables[terms] = _Table(terms)
    return found


def term_value(reader, fieldname: str, btext: bytes) -> bytes | None:
    """The packed W3TermInfo of a term in one segment reader of Whoosh's W3 codec, None
    when the segment lacks it (what `reader._terms._tindex[key]` holds)."""
    table = _table(reader)
    if table is not None:
        return table.value(fieldname, btext)
    terms = reader._terms
    try:
        return terms._tindex[terms._keycoder(fieldname, btext)]
    except KeyError:
        return None


def terms_with_prefix(reader, fieldname: str, prefix: str) -> list[bytes]:
    """The terms of one segment reader's field that start with `prefix`, in order (what
    `reader.iter_prefix` yields, without their term infos)."""
    table = _table(reader)
    found = None if table is None else table.with_prefix(fieldname, prefix.encode("utf-8"))
    if found is None:
        return [b for b, _ in reader.iter_prefix(fieldname, prefix)]
    return found


def term_weight(reader, fieldname: str, btext: bytes) -> float | None:
    """The term's total weight in one segment reader (its TermInfo's weight()), None
    when the segment lacks it."""
    table = _table(reader)
    if table is None:
        try:
            return reader.term_info(fieldname, btext).weight()
        except TermNotFound:
            return None
    value = table.value(fieldname, btext)
    return None if value is None else _FLOAT.unpack_from(value, _WEIGHT_AT)[0]


def term_doc_frequency(reader, fieldname: str, btext: bytes) -> int:
    """How many of one segment reader's documents hold the term (0 if none)."""
    table = _table(reader)
    if table is None:
        return reader.doc_frequency(fieldname, btext)
    value = table.value(fieldname, btext)
    return 0 if value is None else _UINT.unpack_from(value, _DOC_FREQ_AT)[0]


def doc_frequency(searcher, fieldname: str, btext: bytes) -> int:
    """How many of the searcher's documents hold the term, over all its segments (what
    its reader's doc_frequency gives)."""
    return sum(term_doc_frequency(leaf.reader(), fieldname, btext)
               for leaf, _ in searcher.leaf_searchers())
