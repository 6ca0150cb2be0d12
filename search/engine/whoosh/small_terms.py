"""A term of a few postings written in one go: the bytes Whoosh's W3 writer would write.

Most terms of a segment are rare (a name, a misspelling, a document's id): one block
of fewer than ARRAY_MIN postings. W3 writes each through start_term, start_postings,
the block writer, the term info's statistics, finish_postings and finish_term, the
term table's add: about fifteen calls and ten small writes a term, a third of a
rebuild's commit. Here the same bytes are made with a few pickles and struct packs and
written with one write to each file. terms_writer.py takes this path for such terms,
and tests/test_scoring.py checks the segment against Whoosh's own, byte for byte.
"""

from __future__ import annotations

import pickle
import struct
from array import array

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

from search.engine.whoosh.codec import ARRAY_MIN, PROTOCOL

__all__ = ["SmallTermWriter"]

_TERM_INFO = struct.Struct("!BfIBBfII")  # W3TermInfo._struct
_KEY_VALUE_LENGTHS = struct.Struct("!ii")  # filetables._lengths
_NO_LENGTH = length_to_byte(None)  # what the block and the term info record without lengths
_MAX_LENGTH = length_to_byte(0)


class SmallTermWriter:
    """Writes single-block terms of one field through a W3FieldWriter's files."""

    def __init__(self, fieldwriter, fixed_size: int | None):
        self._postfile = fieldwriter._postfile
        self._tindex = fieldwriter._tindex
        self._prefix = pack_ushort(fieldwriter._fieldid)
        self._fixed = fixed_size  # the format's fixed value size (None: variable)
        # Where the next write to each file lands, while only this writer writes to them
        # (a buffered file's tell() is a system call: a tenth of a rebuild's commit).
        self._post_at: int | None = None
        self._db_at: int | None = None

    def forget_positions(self) -> None:
        """Another writer is about to write to the files: ask them next time."""
        self._post_at = self._db_at = None

    @staticmethod
    def takes(count: int, blocklimit: int) -> bool:
        return 0 < count < ARRAY_MIN and count <= blocklimit

    def write(self, tbytes: bytes, ids: list[int], weights: list[float],
              values: list[bytes] | None) -> None:
        """What start_term, one block of these postings and finish_term write; `values`
        None for a format without values."""
        floats = array("f", weights)  # add_posting keeps weights as float32
        maxweight = max(0, max(weights))  # ... but the block's maximum as given
        if all(w == 1.0 for w in floats):
            mini_weights = None
        elif all(w == floats[0] for w in floats):
            mini_weights = floats[0]
        else:
            mini_weights = tuple(floats)
        fixed = self._fixed
        if fixed is None or fixed < 0:
            mini_values = tuple(values or ())
        elif fixed == 0:
            mini_values = None
        else:
            mini_values = b"".join(values or ())
        deltas = tuple(b - a for a, b in zip([0, *ids[:-1]], ids))  # noqa: B905
        databytes = pickle.dumps((deltas, mini_weights, mini_values), PROTOCOL)
        infobytes = pickle.dumps((len(ids), ids[-1], maxweight, 0, _NO_LENGTH, _MAX_LENGTH), 2)
        blocklength = len(infobytes) + len(databytes)
        offset = self._post_at if self._post_at is not None else self._postfile.tell()
        self._postfile.write(b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-blocklength),
                                       infobytes, databytes)))
        length = 4 + 4 + blocklength
        self._post_at = offset + length
        info = _TERM_INFO.pack(False, sum(floats), len(ids), _NO_LENGTH, _MAX_LENGTH,
                               maxweight, ids[0], ids[-1]) + pack_long(offset) + pack_int(length)
        self._add_term(self._prefix + tbytes, info)

    def _add_term(self, key: bytes, value: bytes) -> None:
        """OrderedHashWriter.add."""
        tindex = self._tindex
        if key <= tindex.lastkey:
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
        pos = self._db_at if self._db_at is not None else tindex.dbfile.tell()
        record = _KEY_VALUE_LENGTHS.pack(len(key), len(value)) + key + value
        tindex.index.append(pos)
        tindex.dbfile.write(record)
        self._db_at = pos + len(record)
        h = tindex.hashfn(key)
        tindex.buckets[h & 255].append((h, pos))
        tindex.lastkey = key
