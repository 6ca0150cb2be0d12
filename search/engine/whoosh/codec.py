"""Whoosh's W3 codec with posting blocks written as arrays, pickled at the highest protocol.

W3 pickles each block of up to 128 postings as `(ids, weights, values)` tuples at
protocol 2: unpickling makes one Python object per id, per weight and per value, and
every value (a posting's encoded positions) is a call of `_codecs.encode`. That was
most of a cold search over 100,000 publications. Here the ids are one array('I'), the
weights one array('d') and the values one PackedValues (a byte string and its ends),
so a block unpickles in a handful of allocations and search/engine/whoosh/postings.py
turns it into numpy without a loop. Blocks of fewer than ARRAY_MIN postings (most terms
are rare) stay W3's tuples, which are smaller and faster there. Whoosh's own matchers read these blocks as they read
tuples (they index, iterate and take len), and postings.py reads both formats.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from itertools import accumulate

from whoosh import columns
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3PerDocWriter,
    W3PostingsWriter,
)
from whoosh.util.numeric import length_to_byte

__all__ = ["KartotekaCodec", "PackedValues", "build_codec"]

PROTOCOL = pickle.HIGHEST_PROTOCOL
BLOCK_LIMIT = 4096
# Arrays from this many postings a block: an array costs a global's lookup (~1 µs) and
# ~60 bytes of pickle, which most terms, rare ones with a few postings, would not repay.
ARRAY_MIN = 32


class FastBlockWriter(W3PostingsWriter):
    """W3PostingsWriter._write_block, the block data pickled at PROTOCOL; the rest as is."""

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        if len(self._ids) >= ARRAY_MIN:
            data = (self._array_ids(), self._array_weights(), self._packed_values())
        else:
            data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, PROTOCOL)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, comp,
                                  length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def _array_ids(self):
        """The ids delta-coded as W3 does, as one array('I') instead of a tuple of ints."""
        ids = self._ids
        return array("I", [b - a for a, b in zip([0, *ids[:-1]], ids, strict=True)])

    def _array_weights(self):
        """W3's minified weights (None: all 1.0; one float: all equal), else array('d')."""
        weights = self._mini_weights()
        return weights if weights is None or isinstance(weights, float) else array("d", weights)

    def _packed_values(self):
        if isinstance(self._values, PackedValues):  # terms_writer.py's, already packed
            return self._values
        values = self._mini_values()
        return PackedValues.of(values) if isinstance(values, tuple) else values


class PackedValues:
    """A block's posting values (encoded positions) as one byte string and their ends.

    Pickled as two buffers instead of one bytes object per posting, it unpickles in two
    allocations; Whoosh's matcher reads it as the tuple it was (`values[i]`, `len`).
    """

    __slots__ = ("blob", "ends")

    def __init__(self, blob: bytes, ends: array):
        self.blob, self.ends = blob, ends

    @classmethod
    def of(cls, values) -> PackedValues:
        return cls(b"".join(values), array("I", accumulate(map(len, values))))

    def __reduce__(self):
        return PackedValues, (self.blob, self.ends)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> bytes:
        if i < 0:
            i += len(self.ends)
        return self.blob[self.ends[i - 1] if i else 0:self.ends[i]]

    def __iter__(self):
        return (self[i] for i in range(len(self.ends)))


# W3 compresses each document's stored fields at zlib level 3; level 1 takes a third
# less CPU (a second of the analysis processes' time per 5,000 publications) for 9 %
# more bytes of stored fields (1 % of the index), and reads back the same.
STORED_LEVEL = 1
_STORED_COLUMN = columns.PickleColumn(columns.CompressedBytesColumn(level=STORED_LEVEL))


class FastStoredWriter(W3PerDocWriter):
    """W3's per-document writer with the stored fields compressed at STORED_LEVEL."""

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, _STORED_COLUMN if fieldname == "_stored" else column)


class KartotekaCodec(W3Codec):
    """W3 with blocks of BLOCK_LIMIT postings pickled at PROTOCOL, without zlib on them,
    without length statistics.

    Whoosh's 128 postings a block made a common term's read mostly per-block overhead
    (a header and a data unpickled, arrays made, for every block): at 512 a cold read of
    common terms was 17% faster (10,000 publications), and at 4096 the slowest 1% of
    distinct queries over 100,000 publications another quarter faster (p99 53-58 ->
    38-43 ms CPU, two runs each, bench/RESULTS.md session 26). Our reads take a term
    whole (posting_blocks.py), so a large block costs nothing a small one saves.

    Compressing the many small blocks cost 15% of a rebuild's CPU and a decompression
    on every read, for 30% smaller posting files (bench/RESULTS.md); readers handle
    compressed and plain blocks alike. The per-block document-length bounds (a
    column read for every posting, another 10%) only serve Whoosh's top-N block
    skipping, which our scoring does not use; without them the bounds stay safe, only
    looser.
    """

    length_stats = False

    def __init__(self, blocklimit: int = BLOCK_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=0)

    def per_document_writer(self, storage, segment):
        return FastStoredWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return FastBlockWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


def build_codec(blocklimit: int = BLOCK_LIMIT) -> KartotekaCodec:
    """The index's codec; tests pass small blocks to write many blocks per term."""
    return KartotekaCodec(blocklimit)
