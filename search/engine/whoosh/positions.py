"""Whoosh's Positions values decoded for many postings at once, in numpy (few: one by one).

A value is what whoosh.formats.Positions.encode writes (search/engine/whoosh/schema.py):
a big-endian 4-byte count, then the list of position deltas pickled at protocol 2:

    80 02 ] q 00  K n a .               one delta
    80 02 ] q 00  ( K n M nn J nnnn e .  two to 1,000 deltas

where each delta is K (one byte), M (two bytes, little-endian) or J (four, signed).
Unpickling one list per posting cost ~0.5 µs each and a phrase of two common words at
100,000 publications has over 100,000 postings; here the deltas of all postings are
read together, one delta of each posting per numpy step. A value laid out otherwise
(over 1,000 deltas, written by another pickler) is unpickled as before.
"""

from __future__ import annotations

import pickle

import numpy as np

__all__ = ["decode", "decode_many", "decode_few", "FEW"]

_HEADER = b"\x80\x02]q\x00"
_K, _M, _J = ord("K"), ord("M"), ord("J")
_MAX_FAST = 1000  # the pickler writes longer lists in several batches
# Below this many values, unpickling each (~1 µs) beats numpy's fixed cost (~100 µs).
FEW = 128


def decode(blob: bytes, starts: np.ndarray, ends: np.ndarray,
           ) -> tuple[np.ndarray, np.ndarray]:
    """decode_many's answer, by whichever of the two ways is faster for this many."""
    return (decode_few if len(starts) < FEW else decode_many)(blob, starts, ends)


def decode_few(blob: bytes, starts: np.ndarray, ends: np.ndarray,
               ) -> tuple[np.ndarray, np.ndarray]:
    """decode_many's answer, each value unpickled on its own."""
    counts, positions = [], []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        position = 0
        deltas = pickle.loads(blob[start + 4:end])
        counts.append(len(deltas))
        for delta in deltas:
            position += delta
            positions.append(position)
    return np.array(counts, np.int64), np.array(positions, np.int64)


def decode_many(blob: bytes, starts: np.ndarray, ends: np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray]:
    """(count of each value, all positions) for the values blob[starts[i]:ends[i]],
    positions in value order, each value's running from its first."""
    data = np.frombuffer(blob, np.uint8)
    starts, ends = starts.astype(np.int64), ends.astype(np.int64)
    n = len(starts)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    last = len(data) - 1

    def at(offsets: np.ndarray) -> np.ndarray:
        return data[np.minimum(offsets, last)].astype(np.int64)

    counts = (at(starts) << 24) | (at(starts + 1) << 16) | (at(starts + 2) << 8) | at(starts + 3)
    header = np.frombuffer(_HEADER, np.uint8)
    fast = (counts >= 1) & (counts <= _MAX_FAST) & (ends - starts >= 4 + len(_HEADER) + 4)
    for k, byte in enumerate(header.tolist()):
        fast &= at(starts + 4 + k) == byte
    many = counts > 1
    fast &= ~many | (at(starts + 4 + len(_HEADER)) == ord("("))
    fast &= at(ends - 1) == ord(".")
    fast &= at(ends - 2) == np.where(many, ord("e"), ord("a"))

    out_starts = np.cumsum(counts) - counts
    deltas = np.zeros(int(counts.sum()), np.int64)
    pointer = starts + 4 + len(_HEADER) + many
    # Values of one-byte deltas only (most: a word's occurrences in a text are seldom 256
    # words apart) have them at fixed offsets: all read in one gather.
    short = fast & (ends - pointer == 2 * counts + 2)
    if short.any():
        rows = np.flatnonzero(short)
        c = counts[rows]
        firsts = np.cumsum(c) - c  # each row's first delta among the rows'
        # offsets in 32 bits when they fit: half the memory these passes go through
        small = np.int32 if len(data) + 2 * int(c.sum()) < 2**31 else np.int64
        step = np.arange(int(c.sum()), dtype=small)
        opcodes = np.repeat((pointer[rows] - 2 * firsts).astype(small), c) + 2 * step
        if len(rows) == n:  # every value: the rows' deltas are all the deltas, in order
            deltas[:] = data[opcodes + 1]
        else:
            deltas[np.repeat(out_starts[rows] - firsts, c) + step] = data[opcodes + 1]
        wrong = np.flatnonzero(data[opcodes] != _K)
        if len(wrong):
            short[rows[np.searchsorted(firsts, wrong, side="right") - 1]] = False
        pointer[short] = ends[short] - 2
    active = np.flatnonzero(fast & ~short)
    step = 0
    while len(active):
        p = pointer[active]
        op = at(p)
        one, two = at(p + 1), at(p + 2)
        value = np.where(op == _M, one | (two << 8), one)
        is_j = op == _J
        if is_j.any():
            four = one | (two << 8) | (at(p + 3) << 16) | (at(p + 4) << 24)
            value = np.where(is_j, np.where(four >= 1 << 31, four - (1 << 32), four), value)
        bad = (op != _K) & (op != _M) & ~is_j
        if bad.any():
            fast[active[bad]] = False
        deltas[out_starts[active] + step] = value
        pointer[active] = p + np.where(op == _M, 3, np.where(is_j, 5, 2))
        step += 1
        active = active[fast[active] & (counts[active] > step)]
    # every value ended where its pickle ends (K/M/J only, then APPEND(S) and STOP)
    fast &= pointer == ends - 2
    for i in np.flatnonzero(~fast).tolist():
        values = pickle.loads(blob[starts[i] + 4:ends[i]])
        deltas[out_starts[i]:out_starts[i] + counts[i]] = values[:counts[i]]
    running = np.cumsum(deltas)
    before = np.where(out_starts > 0, running[np.maximum(out_starts - 1, 0)], 0)
    return counts, running - np.repeat(before, counts)
