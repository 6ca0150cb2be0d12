"""A term's posting blocks read straight from a segment: (ids, weights, values) per block.

Whoosh reads a term through a matcher: a lookup in the terms table, then the matcher's
constructor reads the postings header and the first block header in about twenty-five
small reads. At 100,000 publications a cold query reads a few dozen terms, and for the
rare ones (most of them) the constructor was two thirds of the read. Here the terms
table gives the term's extent (whoosh3's W3TermInfo), the whole extent comes in one
`pread`, and its blocks are parsed from that buffer. The layout is whoosh3's
W3PostingsWriter: the 4-byte header tag, then per block a signed int length (negative
on the last block), the pickled info tuple and the (maybe zlib-compressed) pickled data.
Anything not laid out as expected goes through Whoosh's own matcher.
"""

from __future__ import annotations

import io
import pickle
import zlib
from array import array
from collections.abc import Iterator

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.matching import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE, unpack_int

from search.engine.whoosh.direct import direct_get
from search.engine.whoosh.term_table import term_value

__all__ = ["term_blocks"]

Block = tuple[np.ndarray, np.ndarray, object]

_HEADER = 4  # whoosh3's WHOOSH3_HEADER_MAGIC before a term's first block


def term_blocks(reader, fieldname: str, btext: bytes, values: bool) -> Iterator[Block]:
    """A term's blocks in one segment reader; nothing when the segment lacks the term.

    Deleted documents are not filtered out: the scorer gives them -inf in the end."""
    terms = getattr(reader, "_terms", None)
    fieldobj = reader.schema[fieldname] if fieldname in reader.schema else None
    if (type(terms).__name__ == "W3TermsReader" and fieldobj is not None
            and hasattr(terms, "_postfile")
            and (not values or not _fixed_size(fieldobj.format))):
        packed = term_value(reader, fieldname, btext)
        if packed is None:
            return
        info = W3TermInfo.from_bytes(packed)
        if not info.is_inlined():  # (whoosh3 inlines no term: its limit test is off by one)
            offset, length = info.extent()
            if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves unpack_int's tuple
                (length,) = length
            buf = direct_get(terms._postfile)(offset, length)
            if len(buf) == length:
                yield from _parse(buf, _HEADER, values)
                return
    try:
        m = reader.postings(fieldname, btext)
    except TermNotFound:
        return
    if isinstance(m, FilterMatcher):
        m = m.child
    yield from _matcher_blocks(m, values)


def _fixed_size(format_) -> bool:
    """Whether the format stores fixed-size values (W3 then packs them differently)."""
    size = format_.fixed_value_size()
    return size is not None and size >= 0


def _parse(buf: bytes, pos: int, values: bool) -> Iterator[Block]:
    """Every block of a term's postings held whole in `buf`, from `pos`."""
    view = memoryview(buf)
    while True:
        (length,) = unpack_int(buf[pos:pos + _INT_SIZE])
        last = length < 0
        body = io.BytesIO(view[pos + _INT_SIZE:pos + _INT_SIZE + abs(length)])
        count, _maxid, _maxweight, compression = pickle.load(body)[:4]
        data = body.read()
        if compression:
            data = zlib.decompress(data)
        if count:
            yield _arrays(count, *pickle.loads(data), values)
        if last:
            return
        pos += _INT_SIZE + abs(length)


def _arrays(count: int, raw_ids, raw_weights, raw_values, values: bool) -> Block:
    """One block's ids (un-delta-coded) and weights as numpy, its values as stored."""
    if isinstance(raw_ids, array):  # KartotekaCodec's blocks
        ids = np.frombuffer(raw_ids, np.uint32).cumsum(dtype=np.int64)
    else:  # W3's tuples
        ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64))
    if raw_weights is None:
        weights = np.ones(count)
    elif isinstance(raw_weights, float):
        weights = np.full(count, raw_weights)
    elif isinstance(raw_weights, array):
        weights = np.frombuffer(raw_weights, np.float64)
    else:
        weights = np.asarray(raw_weights, dtype=np.float64)
    return ids, weights, (raw_values if values else ())


def _matcher_blocks(m, values: bool) -> Iterator[Block]:
    """(ids, weights, values) per posting block of a leaf matcher (or all at once): the
    way for what term_blocks does not read itself (fixed-size values, other codecs)."""
    if hasattr(m, "_goto") and hasattr(m, "_read_weights"):  # whoosh3's W3LeafMatcher
        while not m._atend:
            if m._blocklength:
                m._read_ids()
                m._read_weights()
                if values:
                    m._read_values()
                yield (np.asarray(m._ids, np.int64), np.asarray(m._weights, np.float64),
                       m._values if values else ())
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        return
    ids, weights, vals = [], [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if values:
            vals.append(m.value())
        m.next()
    if ids:
        yield np.asarray(ids, np.int64), np.asarray(weights, np.float64), vals
