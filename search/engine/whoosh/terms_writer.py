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

import numpy as np

__all__ = ["can_write_terms", "write_terms"]


def can_write_terms(fieldwriter) -> bool:
    """Whether `fieldwriter` is the W3 field writer this module knows the inside of."""
    return type(fieldwriter).__name__ == "W3FieldWriter" and hasattr(fieldwriter, "_postfile")


def write_terms(fieldwriter, schema, terms) -> None:
    """Write (fieldname, tbytes, buffer) terms, in order, through `fieldwriter` (what its
    add_postings does with the same postings one by one, without length statistics)."""
    current = None
    for fieldname, tbytes, buf in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            current = fieldname
        fieldwriter.start_term(tbytes)
        _write_postings(fieldwriter._postwriter, buf)
        fieldwriter.finish_term()
    if current is not None:
        fieldwriter.finish_field()


def _write_postings(writer, buf) -> None:
    """One term's postings into `writer` (a W3PostingsWriter between start_postings and
    finish_postings), block by block."""
    ids, weights = buf.docnums, buf.weights
    values = _values(buf)
    if not buf.ordered:  # a merge added older documents: by document, stably
        order = np.argsort(np.frombuffer(ids, np.uint32), kind="stable").tolist()
        ids = array("I", [ids[i] for i in order])
        weights = array("d", [weights[i] for i in order])
        values = [values[i] for i in order] if values is not None else None
    limit, count = writer._blocklimit, len(ids)
    for start in range(0, count, limit):
        stop = start + limit
        chunk = weights[start:stop]
        writer._ids = ids[start:stop]
        writer._weights = array("f", chunk)  # add_posting keeps weights as float32
        writer._maxweight = max(0, max(chunk))  # ... but its maximum as given
        writer._values = [v for v in values[start:stop] if v] if values is not None else []
        writer._minlength, writer._maxlength = None, 0  # no length statistics
        if stop >= count:
            writer._write_block(last=True)
        else:
            writer._write_block()


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
