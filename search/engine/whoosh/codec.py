"""Whoosh's W3 codec with posting blocks pickled at the highest protocol.

W3 pickles each block of up to 128 postings as `(ids, weights, values)` at protocol 2,
where every value (a posting's encoded positions, bytes) becomes a call of
`_codecs.encode` that unpickling has to run: reading a block cost ~40 µs, most of a
cold search over 100,000 publications. At protocol 5 the same values are plain byte
strings. Any Whoosh reader reads either (it only calls pickle.loads), so indexes of
both kinds open, and search/engine/whoosh/postings.py reads them alike.
"""

from __future__ import annotations

import pickle
import zlib

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter
from whoosh.util.numeric import length_to_byte

__all__ = ["KartotekaCodec", "build_codec"]

PROTOCOL = pickle.HIGHEST_PROTOCOL
BLOCK_LIMIT = 512


class FastBlockWriter(W3PostingsWriter):
    """W3PostingsWriter._write_block, the block data pickled at PROTOCOL; the rest as is."""

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
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


class KartotekaCodec(W3Codec):
    """W3 with blocks of BLOCK_LIMIT postings pickled at PROTOCOL, without zlib on them,
    without length statistics.

    Whoosh's 128 postings a block made a common term's read mostly per-block overhead;
    at 512 a cold read of common terms is another 17% faster (10,000 publications).

    Compressing the many small blocks cost 15% of a rebuild's CPU and a decompression
    on every read, for 30% smaller posting files (bench/RESULTS.md); readers handle
    compressed and plain blocks alike. The per-block document-length bounds (a
    column read for every posting, another 10%) only serve Whoosh's top-N block
    skipping, which our scoring does not use; without them the bounds stay safe, only
    looser.
    """

    length_stats = False

    def __init__(self):
        super().__init__(blocklimit=BLOCK_LIMIT, compression=0)

    def postings_writer(self, dbfile, byteids=False):
        return FastBlockWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


def build_codec() -> KartotekaCodec:
    return KartotekaCodec()
