"""The open generation of a WhooshEngine (search/engine/whoosh/engine.py mixes this in):
opened once, kept with its searcher, facet arrays and vocabulary, and reopened when the
generation changes on disk (a reindex, another worker's PUT)."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from search.engine.whoosh.facets import FacetTable
from search.engine.whoosh.generation_files import open_searcher
from search.engine.whoosh.ranking import weighting
from search.engine.whoosh.store import damaged
from search.engine.whoosh.view import IndexView

__all__ = ["LiveView"]


class LiveView:
    """The index lifecycle of WhooshEngine, over the state its __init__ sets (`settings`,
    `location`, `_view`, `_checked`, `_stamp_seen`, `_files`, `_cache_bytes`, `_pinned`)."""

    # -- index lifecycle -----------------------------------------------------------
    def view(self) -> IndexView:
        """The current generation, reopened when it changed on disk; within pinned(),
        the one it was."""
        pinned = getattr(self._pinned, "view", None)
        if pinned is not None:
            return pinned
        now = time.monotonic()
        if (self._view is not None and now - self._checked < self.settings.reload_interval
                and self._stamp() == self._stamp_seen):
            return self._view
        self._checked = now
        self._look()
        self._stamp_seen = self._stamp()
        return self._view

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """One view for a search: it asked view() four to six times, each time with
        stat calls of the directory and the generation's files (2 % of a worker's CPU)."""
        local = self._pinned
        if getattr(local, "view", None) is not None:  # within another pinned()
            yield
            return
        local.view = self.view()
        try:
            yield
        finally:
            local.view = None

    def _stamp(self) -> tuple[int, int] | None:
        """When the index directory and the live generation's last changed: a reindex
        replaces CURRENT, a PUT or DELETE in any worker commits new files. Two stat calls
        (~2 µs) per search: a change is seen by the next search, not a reload_interval
        later (the interval still bounds it where times are coarse)."""
        try:
            generation = self._view.path if self._view is not None else self.location.root
            return (os.stat(self.location.root).st_mtime_ns, os.stat(generation).st_mtime_ns,
                    *self._files.now())
        except (OSError, TypeError):
            return None

    def _look(self) -> None:
        """Reopen the live generation if it is another, or a newer state of it."""
        name = self.location.current_name()
        view = self._view
        if view is None or view.name != name or self._files.resized():
            self._swap(self._open())
        elif not view.searcher.up_to_date():
            # A new reader, not searcher.refresh(): Whoosh's refresh reuses segment readers
            # whose deleted-document sets are stale, so updated documents appeared twice.
            # The old searcher is closed so its file handles do not pile up.
            searcher = open_searcher(view.index, weighting())
            info = self.location.current()
            view.searcher.close()
            view.superseded = True
            self._view = IndexView(view.name, view.index, searcher, FacetTable(searcher, view.facets),
                                   info.built_at, self._cache_bytes, info.path,
                                   earlier_vocabulary=view.settled_vocabulary(),
                                   earlier_spelling=view.settled_spelling())
            self._files.record(info.path)

    def invalidate(self) -> None:
        """Look at the disk on the next call: this process has just written to the index."""
        self._checked = float("-inf")

    def _open(self) -> IndexView:
        info = self.location.current()
        ix = self.location.open_current()
        try:
            searcher = open_searcher(ix, weighting())
            view = IndexView(info.name, ix, searcher, FacetTable(searcher), info.built_at,
                             self._cache_bytes, info.path)
            self._files.record(info.path)
            return view
        except Exception as exc:  # noqa: BLE001 - Whoosh reads pickles, structs, arrays
            ix.close()
            raise damaged(info.path, exc) from exc

    def _swap(self, new: IndexView) -> None:
        old, self._view = self._view, new
        if old is not None:
            old.close()
        # An open index is hundreds of thousands of long-lived objects; left to the cyclic
        # collector, each full collection walks them all (up to 0.8 s at 100,000
        # publications, in the middle of a request). Frozen, they are skipped; the old
        # generation's objects are unfrozen first, so they can still be collected.
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def close(self) -> None:
        if self._view is not None:
            self._view.close()
            self._view = None

    def generation(self) -> str:
        view = self.view()
        # `.words`: this commit's words counted after it was first served (a PUT's): the
        # answers kept since, corrected or not by the earlier words, are not kept on
        return f"{view.name}.{view.stamp}" + (".words" if view.words_renewed else "")
