"""Whole search responses kept per index generation: popular queries answered at once."""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["ResponseCache", "RESPONSE_CACHE_SIZE"]

RESPONSE_CACHE_SIZE = 1024  # whole responses kept per generation (popular queries)
# Every this many computed responses, what is alive (cached responses, cached postings,
# per-word caches) is moved out of the cyclic garbage collector's sight: unfrozen, these
# tens of thousands of long-lived objects made each full collection 40-60 ms inside
# some request. Requests leave no cyclic garbage (0 objects over 1,000 distinct
# searches), so freezing loses nothing; evicted entries are still freed by refcount.
FREEZE_EVERY = 64

T = TypeVar("T")


class ResponseCache(Generic[T]):
    """A least-recently-used map of responses, emptied when the generation changes."""

    def __init__(self, size: int = RESPONSE_CACHE_SIZE):
        self.size = size
        self._responses: OrderedDict[Hashable, T] = OrderedDict()
        self._generation: str | None = None
        self._computed = 0

    def clear(self) -> None:
        self._responses.clear()

    def get(self, generation: str, key: Hashable, compute: Callable[[], T]) -> T:
        """The response kept for `key` in this generation, else `compute()`'s, kept."""
        if generation != self._generation:
            self._responses.clear()
            self._generation = generation
        found = self._responses.get(key)
        if found is not None:
            self._responses.move_to_end(key)
            return found
        found = compute()
        self._responses[key] = found
        while len(self._responses) > self.size:
            self._responses.popitem(last=False)
        self._computed += 1
        if self._computed % FREEZE_EVERY == 0:
            gc.freeze()  # O(1): the generations are joined to the permanent one
        return found
