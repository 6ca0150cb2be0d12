"""What follows one typed word in every title at once, counted in numpy.

A completion of one word (`п`, `выст`) counts, over every place in the titles where a
form starting so stands, that form and the up to MAX_FOLLOWING words after it. At
100,000 publications a single letter has over 50,000 such places, and the Python walk
over them took 50-140 ms per keystroke. Here the places of a prefix are one slice of an
array grouped by form, and the counting is a few numpy passes over it.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass

import numpy as np

from search.analysis import STOP_WORDS

__all__ = ["BREAK", "TitleArrays", "one_word_counts"]

BREAK = 0  # the form id of a punctuation break in a title (form ids start at 1)


@dataclass(frozen=True)
class TitleArrays:
    """Every title's form ids in one array, and every place of every form."""

    flat: np.ndarray  # each title's form ids, a BREAK after each (two more at the end), int32
    places: np.ndarray  # places (indices into `flat`) grouped by form id, int32
    place_start: np.ndarray  # per form id: where its places start in `places`
    stop: np.ndarray  # per form id: whether it is a stop word

    @classmethod
    def build(cls, forms: list[str], places: list[array],
              sequences: list[array]) -> TitleArrays:
        lengths = np.fromiter((len(s) + 1 for s in sequences), np.int64, len(sequences))
        title_start = np.cumsum(lengths) - lengths
        flat = np.zeros(int(lengths.sum()) + 2, np.int32)  # the breaks stay 0
        words = _joined(sequences)
        owner = np.repeat(np.arange(len(sequences)), lengths - 1)
        flat[title_start[owner] + _ranks(lengths - 1)] = words
        counts = np.fromiter((len(p) for p in places), np.int64, len(places))
        packed = _joined(places)
        at = title_start[packed >> 8] + (packed & 255)
        stop = np.array([False] + [form in STOP_WORDS for form in forms], bool)
        return cls(flat, at.astype(np.int32), np.r_[0, np.cumsum(counts)], stop)


def _joined(arrays: list[array]) -> np.ndarray:
    """The values of arrays of 32-bit unsigned ints, one after another."""
    return np.concatenate([np.frombuffer(a, np.uint32) for a in arrays]
                          or [np.zeros(0, np.uint32)]).astype(np.int64)


def _ranks(lengths: np.ndarray) -> np.ndarray:
    """0..n-1 for each n of `lengths`, one after another."""
    total = int(lengths.sum())
    return np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def one_word_counts(arrays: TitleArrays, ids: range,
                    min_phrase: int) -> tuple[Counter, Counter]:
    """(bare, longer) for the forms `ids` (a typed prefix's range): how often each form
    stands in a title (stop words left out), and, with `min_phrase`, how often each form
    is followed by the same one or two words before a break, trailing stop words dropped.
    Keys are form-id tuples, as search/suggest.py `_phrases` counts them place by place."""
    at = arrays.places[arrays.place_start[ids.start]:arrays.place_start[ids.stop]]
    done = arrays.flat[at].astype(np.int64)
    # a part of a compound (`викторина` of `онлайн-викторина`) counts where the whole
    # compound starts with the prefix too, as it stands there
    kept = ~arrays.stop[done] & (done >= ids.start) & (done < ids.stop)
    at, done = at[kept], done[kept]
    bare = Counter(dict(zip(*(a.tolist() for a in np.unique(done, return_counts=True)),
                            strict=True)))
    longer: Counter = Counter()
    if not min_phrase or not len(at):
        return bare, longer
    first = arrays.flat[at + 1].astype(np.int64)
    second = np.where(first != BREAK, arrays.flat[at + 2], BREAK).astype(np.int64)
    second = np.where((second != BREAK) & arrays.stop[second], BREAK, second)
    first = np.where((second == BREAK) & arrays.stop[first], BREAK, first)
    has = first != BREAK
    size = len(arrays.stop)
    keys, counts = np.unique((done[has] * size + first[has]) * size + second[has],
                             return_counts=True)
    for key, n in zip(keys.tolist(), counts.tolist(), strict=True):
        head, rest = divmod(key, size * size)
        following = divmod(rest, size)
        longer[(head, *(f for f in following if f != BREAK))] = n
    return bare, longer
