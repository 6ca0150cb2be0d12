"""What numpy scoring reads from one index generation: posting arrays, lengths, forms columns.

Posting lists are read block by block straight into arrays (no matcher per posting)
and kept in a per-generation LRU cache with a byte budget, so a popular term costs one
read per worker, not one per search.
"""

from __future__ import annotations

from collections import OrderedDict
from math import log
from typing import NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from search.engine.whoosh.codec import PackedValues
from search.engine.whoosh.forms import FormLookup
from search.engine.whoosh.positions import decode
from search.engine.whoosh.posting_blocks import term_blocks
from search.engine.whoosh.term_presence import TermPresence
from search.engine.whoosh.term_table import doc_frequency
from search.stems import FIELD as STEMS_FIELD

__all__ = ["Postings", "TermPostings", "POSTINGS_CACHE_BYTES", "cache_size"]

# Default budget per worker and generation (KARTOTEKA_POSTINGS_CACHE_MB); the cache takes
# what its index needs within it (cache_size). At 100,000 publications 256 MB made a
# worker 660 MB, over the 600 MB a worker may take; 160 MB: 568 MB, wrk 118 -> 116
# requests/s, p99 61 -> 67 ms (bench.http --docs 100000).
POSTINGS_CACHE_BYTES = 160 * 2**20
# A cached posting costs its document number and score (8 + 8 bytes) and, once a phrase
# or proximity asked, its encoded positions (~20 bytes on news text): every posting of the
# index fits in about this many bytes each.
BYTES_PER_POSTING = 40
MIN_CACHE_BYTES = 8 * 2**20
# Fields whose terms a query asks for by rule, most of them absent (search/derivation.py):
# an absent one is known so without a lookup (search/engine/whoosh/term_presence.py).
PROBED_FIELDS = (STEMS_FIELD,)


def cache_size(postings: int, budget: int) -> int:
    """Bytes to cache for an index of `postings` postings: all of them, within `budget`."""
    return min(budget, max(MIN_CACHE_BYTES, postings * BYTES_PER_POSTING))


class EncodedValues:
    """A term's posting values (encoded positions) as one bytes object and offsets."""

    def __init__(self, values: list[bytes]):
        self._blob = b"".join(values)
        self._ends = np.cumsum([len(v) for v in values], dtype=np.int64)
        self.nbytes = len(self._blob) + self._ends.nbytes

    @classmethod
    def joined(cls, blocks: list) -> EncodedValues:
        """One term's values from its blocks' values: PackedValues or sequences of bytes
        (a term's small last block and W3's blocks are tuples; each is packed first, so
        a term of a few hundred postings never goes through its values one by one)."""
        packed = [b if isinstance(b, PackedValues) else PackedValues.of(b) for b in blocks]
        out = cls([])
        if not packed:
            return out
        out._blob = b"".join(p.blob for p in packed)
        counts = np.fromiter((len(p.ends) for p in packed), np.int64, len(packed))
        sizes = np.fromiter((len(p.blob) for p in packed), np.int64, len(packed))
        shift = np.repeat(np.cumsum(sizes) - sizes, counts)
        ends = np.frombuffer(b"".join(p.ends for p in packed), np.uint32)
        out._ends = ends.astype(np.int64) + shift
        out.nbytes = len(out._blob) + out._ends.nbytes
        return out

    def __getitem__(self, i: int) -> bytes:
        start = int(self._ends[i - 1]) if i else 0
        return self._blob[start:int(self._ends[i])]

    def positions(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(count, positions) of the values at `indices`, decoded together
        (search/engine/whoosh/positions.py)."""
        ends = self._ends[indices]
        starts = np.where(indices > 0, self._ends[np.maximum(indices - 1, 0)], 0)
        return decode(self._blob, starts, ends)


class TermPostings(NamedTuple):
    ids: np.ndarray  # sorted document numbers
    scores: np.ndarray  # unboosted BM25F, computed as whoosh.scoring.bm25 does
    values: EncodedValues | None  # positions, read only when a phrase asks


_ABSENT = TermPostings(np.zeros(0, np.int64), np.zeros(0), EncodedValues([]))


class Postings:
    """Term postings with their BM25F scores, cached; built once per IndexView."""

    def __init__(self, searcher, size: int, cache_bytes: int = POSTINGS_CACHE_BYTES):
        self.searcher = searcher
        self.size = size
        self.leaves = searcher.leaf_searchers()
        weighting = searcher.weighting
        self.bm25f = type(weighting) is BM25F  # anything else: the scorer leaves it to Whoosh
        self.B, self.K1 = getattr(weighting, "B", 0.75), getattr(weighting, "K1", 1.2)
        self._field_B = getattr(weighting, "_field_B", {})
        self.forms = FormLookup(searcher.reader())  # opened once per generation
        self._lengths: dict[str, np.ndarray] = {}
        self.cache_bytes = cache_bytes
        self._terms: OrderedDict[tuple[str, bytes], TermPostings] = OrderedDict()
        self._bytes = 0
        self._doc_count = searcher.doc_count_all()
        self._presence: dict[str, TermPresence] = {}

    def term(self, fieldname: str, btext: bytes, positions: bool = False) -> TermPostings:
        """A term's postings and scores (with positions if asked), from the cache if there."""
        key = (fieldname, btext)
        entry = self._terms.get(key)
        if entry is not None and (entry.values is not None or not positions):
            self._terms.move_to_end(key)
            return entry
        if fieldname in PROBED_FIELDS and not self._may_hold(fieldname, btext):
            return _ABSENT
        ids, tf, values = self._read(fieldname, btext, positions)
        scores = self._bm25f(fieldname, btext, ids, tf) if len(ids) else np.zeros(0)
        if entry is not None:
            self._forget(key)
        entry = self._terms[key] = TermPostings(ids, scores, values)
        self._bytes += _size(entry)
        while self._bytes > self.cache_bytes and len(self._terms) > 1:
            self._forget(next(iter(self._terms)))
        return entry

    def _may_hold(self, fieldname: str, btext: bytes) -> bool:
        presence = self._presence.get(fieldname)
        if presence is None:
            presence = self._presence[fieldname] = TermPresence(
                [leaf.reader() for leaf, _ in self.leaves], fieldname)
        return presence.may_hold(btext)

    def has(self, fieldname: str, btext: bytes) -> bool:
        """Whether the term is in the index: from the cache, else the terms table."""
        entry = self._terms.get((fieldname, btext))
        if entry is not None:
            return len(entry.ids) > 0
        return (fieldname, btext) in self.searcher.reader()

    def idf(self, fieldname: str, btext: bytes) -> float:
        """Whoosh's idf (whoosh.scoring.WeightingModel.idf, the same floats): from the
        number of postings when they are cached (a term's document frequency is its count
        of postings, deleted documents included), else from the terms table; never a
        read of the postings only to count them."""
        entry = self._terms.get((fieldname, btext))
        if entry is not None:
            return self._idf(len(entry.ids))
        return self._idf(doc_frequency(self.searcher, fieldname, btext))

    def _idf(self, df: int) -> float:
        return log(self._doc_count / (df + 1)) + 1

    def _bm25f(self, fieldname: str, btext: bytes, ids: np.ndarray, tf: np.ndarray):
        idf = self._idf(len(ids))
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        b = self._field_B.get(fieldname, self.B)
        length = self.field_lengths(fieldname)[ids]
        # whoosh.scoring.bm25 operation for operation: the floats are bit-for-bit equal
        return idf * ((tf * (self.K1 + 1)) / (tf + self.K1 * ((1 - b) + b * length / avgfl)))

    def _forget(self, key) -> None:
        self._bytes -= _size(self._terms.pop(key))

    def _read(self, fieldname: str, btext: bytes, positions: bool) -> tuple:
        """Document numbers, term frequencies (weights) and maybe values, from every leaf."""
        ids, weights, values = [], [], []
        for leaf, offset in self.leaves:
            for block_ids, block_weights, block_values in term_blocks(
                    leaf.reader(), fieldname, btext, positions):
                ids.append(np.asarray(block_ids, np.int64) + offset)
                weights.append(np.asarray(block_weights, np.float64))
                values.append(block_values)
        encoded = EncodedValues.joined(values) if positions else None
        if not ids:
            return np.zeros(0, np.int64), np.zeros(0), encoded
        return np.concatenate(ids), np.concatenate(weights), encoded

    def documents(self, fieldname: str, btext: bytes) -> np.ndarray:
        """The documents holding a term (not cached: a term of an unscored field, or one
        read once per generation, as the library prior's)."""
        return self._read(fieldname, btext, False)[0]

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Each document's (byte-quantized) field length, as Whoosh's scorer reads it."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = np.zeros(self.size)
            for leaf, offset in self.leaves:
                reader = leaf.reader()
                count = reader.doc_count_all()
                column = _length_bytes(reader, fieldname, count)
                if column is not None:  # one read of the column, not one per document
                    lengths[offset:offset + count] = _BYTE_TO_LENGTH[column]
                else:
                    lengths[offset:offset + count] = [
                        reader.doc_field_length(d, fieldname, 0) or 0 for d in range(count)]
            self._lengths[fieldname] = lengths
        return lengths


# What whoosh3's doc_field_length makes of each length byte (0: no length, the default 0).
_BYTE_TO_LENGTH = np.array([0] + [byte_to_length(b) for b in range(1, 256)], np.float64)


def _length_bytes(reader, fieldname: str, count: int) -> np.ndarray | None:
    """A segment's length column (one byte per document) in one read; None if it is
    not the plain column whoosh3 writes (then the caller asks per document)."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.zeros(count, np.uint8)
    if type(column).__name__ != "Reader" or getattr(column, "_typecode", None) != "B":
        return None
    stored = min(column._count, count)
    out = np.zeros(count, np.uint8)  # documents past the column's end: default 0
    if stored:
        out[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), np.uint8)
    return out


def _size(entry: TermPostings) -> int:
    return entry.ids.nbytes + entry.scores.nbytes + (entry.values.nbytes if entry.values is not None else 0)
