"""A new segment's postings written term by term from arrays, not posting by posting.

Whoosh's field writer takes one posting at a time (base.FieldWriter.add_postings:
a tuple, a length lookup and four appends each), which was a quarter of a rebuild's
analysis processes. A CompactPool (search/engine/whoosh/pool.py) already holds each
term's postings in arrays; here each block of BLOCK_LIMIT is handed to the codec's
block writer at once, with the statistics W3PostingsWriter.add_posting would have
kept. tests/test_scoring.py checks that the segment is Whoosh's, byte for byte.
"""

from __future__ import annotations

from array import array
from itertools import accumulate

import numpy as np

from search.engine.whoosh.codec import ARRAY_MIN, PackedValues
from search.engine.whoosh.small_terms import SmallTermWriter

__all__ = ["can_write_terms", "write_terms"]


def can_write_terms(fieldwriter) -> bool:
    """Whether `fieldwriter` is the W3 field writer this module knows the inside of."""
    return type(fieldwriter).__name__ == "W3FieldWriter" and hasattr(fieldwriter, "_postfile")


def write_terms(fieldwriter, schema, terms) -> None:
    """Write (fieldname, tbytes, buffer) terms, in order, through `fieldwriter` (what its
    add_postings does with the same postings one by one, without length statistics)."""
    current, small = None, None
    for fieldname, tbytes, buf in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            small = SmallTermWriter(fieldwriter, schema[fieldname].format.fixed_value_size())
            blocklimit = fieldwriter._postwriter._blocklimit
            current = fieldname
        if buf.ordered and SmallTermWriter.takes(len(buf.docnums), blocklimit):
            values = _small_values(buf)
            if values is not False:
                small.write(tbytes, buf.docnums.tolist(), buf.weights.tolist(), values)
                continue
        small.forget_positions()
        fieldwriter.start_term(tbytes)
        _write_postings(fieldwriter._postwriter, buf)
        fieldwriter.finish_term()
    if current is not None:
        fieldwriter.finish_field()


def _small_values(buf) -> list[bytes] | None | bool:
    """A few postings' values: None if none has one, False if only some have (the
    general path's case)."""
    lengths = buf.lengths
    if min(lengths) > 0:
        blob, cuts = bytes(buf.values), [0, *accumulate(lengths)]
        return [blob[a:b] for a, b in zip(cuts, cuts[1:])]  # noqa: B905
    return None if max(lengths) < 0 else False


def _write_postings(writer, buf) -> None:
    """One term's postings into `writer` (a W3PostingsWriter between start_postings and
    finish_postings), block by block."""
    ids, weights = buf.docnums, buf.weights
    lengths = np.frombuffer(buf.lengths, np.int32)
    if buf.ordered and len(lengths) and lengths.min() > 0:
        return _write_valued(writer, buf, lengths)
    values = _values(buf)
    if not buf.ordered:  # a merge added older documents: by document, stably
        order = np.argsort(np.frombuffer(ids, np.uint32), kind="stable").tolist()
        ids = array("I", [ids[i] for i in order])
        weights = array("d", [weights[i] for i in order])
        values = [values[i] for i in order] if values is not None else None
    limit, count = writer._blocklimit, len(ids)
    for start in range(0, count, limit):
        stop = start + limit
        _set_block(writer, ids[start:stop], weights[start:stop],
                   [v for v in values[start:stop] if v] if values is not None else [])
        writer._write_block(last=stop >= count)


def _write_valued(writer, buf, lengths: np.ndarray) -> None:
    """_write_postings for postings in order that all have a value: each block's values
    cut from the blob by their ends, and a large block's handed to the codec packed
    (codec.py's PackedValues) without being split and joined again."""
    ids, weights, blob = buf.docnums, buf.weights, bytes(buf.values)
    ends = np.cumsum(lengths, dtype=np.int64)
    fixed = writer._format.fixed_value_size()
    limit, count = writer._blocklimit, len(ids)
    for start in range(0, count, limit):
        stop = min(start + limit, count)
        first = int(ends[start - 1]) if start else 0
        if fixed is not None and fixed >= 0:  # the codec joins fixed-size values anyway
            values = [blob[first:int(ends[stop - 1])]] if fixed else []
        elif stop - start >= ARRAY_MIN:
            block_ends = array("I", (ends[start:stop] - first).astype(np.uint32).tobytes())
            values = PackedValues(blob[first:int(ends[stop - 1])], block_ends)
        else:
            cuts = [first, *ends[start:stop].tolist()]
            values = [blob[a:b] for a, b in zip(cuts, cuts[1:])]  # noqa: B905
        _set_block(writer, ids[start:stop], weights[start:stop], values)
        writer._write_block(last=stop >= count)


def _set_block(writer, ids, weights, values) -> None:
    """What W3PostingsWriter.add_posting would have left for these postings."""
    writer._ids = ids
    writer._weights = array("f", weights)  # add_posting keeps weights as float32
    writer._maxweight = max(0, max(weights))  # ... but its maximum as given
    writer._values = values
    writer._minlength, writer._maxlength = None, 0  # no length statistics


def _values(buf) -> list[bytes] | None:
    """Each posting's value (b"" for none), or None when no posting has one."""
    lengths = buf.lengths
    if not buf.values:
        return None
    blob, out, start = bytes(buf.values), [], 0
    for length in lengths:
        if length < 0:
            out.append(b"")
        else:
            out.append(blob[start:start + length])
            start += length
    return out
