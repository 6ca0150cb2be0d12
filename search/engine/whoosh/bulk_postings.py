"""A text field's postings for one document from its analysis arrays
(search/bulk_analysis.py), encoded as Whoosh's formats would encode them, in numpy.

Whoosh's Positions format stores a posting's positions as `pack_uint(n)` and the
protocol-2 pickle of the list of position deltas (schema.py's `_encode_positions`); its
Frequency format stores `pack_uint(freq)`. Here every posting of a document is encoded
at once: the pickle opcodes of a list of small ints are fixed (`K` one byte, `M` two,
`J` four), so the bytes are laid out by offsets. tests/test_bulk_analysis.py checks them
against the per-posting encoders, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search.engine.whoosh.schema import _encode_positions

__all__ = ["FieldPostings", "position_postings", "frequency_postings"]

_BATCH = 1000  # pickle writes lists in batches of this many items: longer ones by pickle
_HEADER = np.frombuffer(b"\x80\x02]q\x00", np.uint8)  # PROTO 2, EMPTY_LIST, BINPUT 0


@dataclass(frozen=True)
class FieldPostings:
    """One document's postings in a field: term ids, frequencies, encoded values (one
    blob and each value's length)."""

    terms: np.ndarray
    freqs: np.ndarray
    blob: bytes
    lengths: np.ndarray

    @property
    def length(self) -> int:
        """The field length Whoosh records: the sum of the frequencies."""
        return int(self.freqs.sum())


def position_postings(terms: np.ndarray, positions: np.ndarray) -> FieldPostings:
    """Postings with positions from (term, position) pairs sorted by term, then position."""
    count = len(terms)
    if not count:
        return FieldPostings(terms, terms, b"", terms)
    starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
    freqs = np.diff(np.r_[starts, count])
    deltas = positions.copy()
    deltas[1:] -= positions[:-1]
    deltas[starts] = positions[starts]
    if freqs.max() > _BATCH:
        values = [_encode_positions(positions[a:a + n].tolist())
                  for a, n in zip(starts.tolist(), freqs.tolist(), strict=True)]
        lengths = np.array([len(v) for v in values], np.int64)
        return FieldPostings(terms[starts], freqs, b"".join(values), lengths)
    return FieldPostings(terms[starts], freqs, *_pickled_deltas(deltas, starts, freqs))


def _pickled_deltas(deltas: np.ndarray, starts: np.ndarray,
                    freqs: np.ndarray) -> tuple[bytes, np.ndarray]:
    """pack_uint(n) + pickle.dumps(deltas, 2) per posting, laid out in one buffer."""
    item_size = 2 + (deltas > 0xFF) + 2 * (deltas > 0xFFFF)
    several = freqs > 1
    items_bytes = np.add.reduceat(item_size, starts)
    lengths = 4 + len(_HEADER) + several + items_bytes + 2
    begin = np.cumsum(lengths) - lengths
    out = np.zeros(int(lengths.sum()), np.uint8)
    for shift, k in ((24, 0), (16, 1), (8, 2), (0, 3)):  # pack_uint: big-endian uint32
        out[begin + k] = (freqs >> shift) & 0xFF
    for k, byte in enumerate(_HEADER):
        out[begin + 4 + k] = byte
    out[begin[several] + 4 + len(_HEADER)] = ord("(")  # MARK
    posting = np.repeat(np.arange(len(starts)), freqs)
    before = np.cumsum(item_size) - item_size
    at = (begin + 4 + len(_HEADER) + several)[posting] + before - before[starts][posting]
    small, medium = deltas <= 0xFF, (deltas > 0xFF) & (deltas <= 0xFFFF)
    out[at] = np.where(small, ord("K"), np.where(medium, ord("M"), ord("J")))
    for k in range(4):
        has = item_size > k + 1
        out[at[has] + 1 + k] = (deltas[has] >> (8 * k)) & 0xFF
    end = begin + lengths
    out[end - 2] = np.where(several, ord("e"), ord("a"))  # APPENDS or APPEND
    out[end - 1] = ord(".")  # STOP
    return out.tobytes(), lengths


def frequency_postings(terms: np.ndarray) -> FieldPostings:
    """Postings with frequencies only (Whoosh's Frequency format) from term ids in any order."""
    if not len(terms):
        return FieldPostings(terms, terms, b"", terms)
    ordered = np.sort(terms)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ids, freqs = ordered[starts], np.diff(np.r_[starts, len(ordered)])
    return FieldPostings(ids, freqs, freqs.astype(">u4").tobytes(),
                         np.full(len(ids), 4, np.int64))
