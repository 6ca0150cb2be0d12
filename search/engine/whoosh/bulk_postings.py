"""A text field's postings for one document from its analysis arrays
(search/bulk_analysis.py), and their values encoded as Whoosh's formats encode them, in
numpy (the rebuild's pool encodes a whole field's at once, search/engine/whoosh/pool.py).

Whoosh's Positions format stores a posting's positions as `pack_uint(n)` and the
protocol-2 pickle of the list of position deltas (schema.py's `_encode_positions`); its
Frequency format stores `pack_uint(freq)`. Here many postings are encoded at once: the pickle opcodes of a list of small ints are fixed (`K` one byte, `M` two,
`J` four), so the bytes are laid out by offsets. tests/test_bulk_analysis.py checks them
against the per-posting encoders, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search.bulk_tables import run_lengths, run_starts
from search.engine.whoosh.schema import _encode_positions

__all__ = ["FieldPostings", "position_postings", "frequency_postings", "encode_values"]

_BATCH = 1000  # pickle writes lists in batches of this many items: longer ones by pickle
_HEADER = np.frombuffer(b"\x80\x02]q\x00", np.uint8)  # PROTO 2, EMPTY_LIST, BINPUT 0


@dataclass(frozen=True)
class FieldPostings:
    """One document's postings in a field: distinct term ids, their frequencies and, for
    a field with positions, every position, term by term; `weights` each term's weight
    when it is not its frequency (homonyms: search.morph.index_readings)."""

    terms: np.ndarray
    freqs: np.ndarray
    positions: np.ndarray | None
    weights: np.ndarray | None = None

    @property
    def length(self) -> int:
        """The field length Whoosh records: the sum of the frequencies."""
        return int(self.freqs.sum())


def position_postings(terms: np.ndarray, positions: np.ndarray,
                      weights: np.ndarray | None = None) -> FieldPostings:
    """Postings with positions from (term, position) pairs sorted by term, then position,
    each pair adding `weights[i]` (else 1) to its term's weight."""
    if not len(terms):
        return FieldPostings(terms, terms, positions)
    starts = run_starts(terms)
    freqs = run_lengths(starts, len(terms))
    summed = None
    if weights is not None and len(weights) and weights.min() < 1.0:
        summed = np.add.reduceat(weights, starts)
    return FieldPostings(terms[starts], freqs, positions, summed)


def frequency_postings(terms: np.ndarray) -> FieldPostings:
    """Postings with frequencies only (Whoosh's Frequency format) from term ids in any order."""
    if not len(terms):
        return FieldPostings(terms, terms, None)
    ordered = np.sort(terms)
    starts = run_starts(ordered)
    return FieldPostings(ordered[starts], run_lengths(starts, len(ordered)), None)


def encode_values(freqs: np.ndarray, positions: np.ndarray | None) -> tuple[bytes, np.ndarray]:
    """Each posting's value as Whoosh's format encodes it, in one blob, and their lengths:
    `pack_uint(freq)` without positions, else `_encode_positions` of the posting's
    positions (`freqs[i]` of them, one posting after another in `positions`)."""
    if positions is None:
        return freqs.astype(">u4").tobytes(), np.full(len(freqs), 4, np.int32)
    if not len(freqs):
        return b"", np.zeros(0, np.int32)
    starts = np.cumsum(freqs) - freqs
    long_lists = np.flatnonzero(freqs > _BATCH)
    if len(long_lists):  # pickle batches them: each by pickle, the rest in between by numpy
        blobs, lengths, done = [], [], 0
        for i in [*long_lists.tolist(), len(freqs)]:
            if i > done:
                blob, sizes = encode_values(freqs[done:i],
                                            positions[starts[done]:starts[i - 1] + freqs[i - 1]])
                blobs.append(blob)
                lengths.append(sizes)
            if i < len(freqs):
                value = _encode_positions(positions[starts[i]:starts[i] + freqs[i]].tolist())
                blobs.append(value)
                lengths.append(np.array([len(value)], np.int32))
            done = i + 1
        return b"".join(blobs), np.concatenate(lengths)
    deltas = positions.astype(np.int64)
    deltas[1:] -= positions[:-1]
    deltas[starts] = positions[starts]
    return _pickled_deltas(deltas, starts, freqs.astype(np.int64))


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
    return out.tobytes(), lengths.astype(np.int32)
