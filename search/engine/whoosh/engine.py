"""WhooshEngine: the Engine protocol over index generations in a local directory.

It opens the live generation once and keeps its searcher, facet arrays and vocabulary
until the generation changes on disk: a stat of the index directory and of the
generation per search tells it (a reindex, another worker's PUT), and it looks
at least every `reload_interval` seconds.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator

import numpy as np

from search.duplicates import collapse_page
from search.engine import EngineHit, Found, Phase, Progress, RebuildStats, Selection, from_file
from search.engine.whoosh import push, writer
from search.engine.whoosh.exporting import ordered_matches
from search.engine.whoosh.facets import FacetTable, combine
from search.engine.whoosh.generation_files import GenerationFiles, open_searcher
from search.engine.whoosh.ranking import rerank, weighting
from search.engine.whoosh.schema import SCHEMA_VERSION
from search.engine.whoosh.similar import similar
from search.engine.whoosh.store import IndexLocation, damaged
from search.engine.whoosh.view import IndexView
from search.errors import NotFound
from search.models import FACETS, FacetValue, Publication
from search.nodes import Node
from search.records import to_publication

__all__ = ["WhooshEngine"]

MEMO_ENTRIES = 16  # phrase, exact-form and sequence results kept per generation (strict, relaxed and partial share most); 16 is ~15 MB at 100,000 publications


class WhooshEngine:
    name = "whoosh"

    def __init__(self, settings):
        self.settings = settings
        self.location = IndexLocation(settings.index_dir)
        self._view: IndexView | None = None
        self._checked = 0.0
        self._stamp_seen: tuple | None = None
        self._files = GenerationFiles()  # the open generation's files, as opened
        self._cache_bytes = settings.postings_cache_mb * 2**20

    # -- index lifecycle -----------------------------------------------------------
    def view(self) -> IndexView:
        """The current generation, reopened when it changed on disk."""
        now = time.monotonic()
        if (self._view is not None and now - self._checked < self.settings.reload_interval
                and self._stamp() == self._stamp_seen):
            return self._view
        self._checked = now
        self._look()
        self._stamp_seen = self._stamp()
        return self._view

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

    # -- reading -------------------------------------------------------------------
    def match(self, view: IndexView, query: Node) -> np.ndarray:
        """BM25F score of every document, -inf where `query` does not match.

        Numpy over posting arrays (search/engine/whoosh/scoring.py) instead of Whoosh's collector,
        which spent close to half of a search stepping its matcher tree in Python.
        """
        if len(view.memo) > MEMO_ENTRIES:
            view.memo.clear()
        scores = view.scorer.match(query, view.memo)
        scores[~view.facets.live] = -np.inf
        return scores

    def _selected(self, view: IndexView, selection: Selection):
        """(base, filter masks by facet, scores) of a selection."""
        table = view.facets
        scores = None
        if selection.query is None:
            base = table.live.copy()
        else:
            scores = self.match(view, selection.query)
            base = np.isfinite(scores)
        filters = {name: table.mask_for(name, tuple(values))
                   for name, values in selection.filters.items()}
        filters["date"] = table.date_mask(selection.date_from, selection.date_to)
        return base, filters, scores

    def find(self, selection: Selection, sort: str, start: int, stop: int,
             facet_limit: int | None) -> Found:
        view = self.view()
        table = view.facets
        base, filters, scores = self._selected(view, selection)
        final = combine(base, filters.values())
        facets = {}
        if facet_limit is not None:
            for name in FACETS:
                others = [m for key, m in filters.items() if key != name]
                facets[name] = tuple(table.count(name, combine(base, others),
                                                 tuple(selection.filters.get(name, ())),
                                                 facet_limit))
        unknown = {name: tuple(table.unknown(name, tuple(values)))
                   for name, values in selection.filters.items() if values}
        total = _distinct(table.groups, final)
        hits = self._page(view, selection, sort, final, total, scores, start, stop)
        return Found(total, tuple(hits), facets, {k: v for k, v in unknown.items() if v})

    def _page(self, view, selection, sort, final, total, scores, start, stop) -> list[EngineHit]:
        if start >= min(total, stop):  # stop == start: counted only
            return []
        copies = int(final.sum()) - total  # ordered too, then folded into their first
        ordered_scores = None
        if scores is None or sort != "relevance":
            ordered = view.facets.by_date(final, sort == "date_asc")[:stop + copies]
        else:
            ordered, ordered_scores = rerank(view, selection.hints, final, scores,
                                             stop + copies, self.settings)
        table = view.facets
        groups = collapse_page(ordered, table.groups, start, stop,
                               lambda g: np.flatnonzero(final & (table.groups == g)).tolist(),
                               table.group_sizes)
        score_of = {}
        if ordered_scores is not None and groups:  # the scores of the page's hits
            shown = np.isin(ordered, [docnum for docnum, _ in groups])
            score_of = dict(zip(ordered[shown].tolist(), ordered_scores[shown].tolist(),
                                strict=True))
        return [self._hit(view, docnum, score_of.get(docnum), [view.doc_id(d) for d in others])
                for docnum, others in groups]

    def _hit(self, view, docnum: int, score, copies, keep: bool = True) -> EngineHit:
        """`keep`: among the view's kept Publications (pages; not the rows of an export)."""
        pub = view.publication(docnum) if keep else \
            to_publication(view.stored_fields(docnum))
        return EngineHit(pub, None if score is None else float(score), tuple(copies))

    def iter_hits(self, selection: Selection, sort: str, batch: int,
                  shown: Collection[str] = ()) -> Iterator[EngineHit]:
        view = self.view()
        base, filters, scores = self._selected(view, selection)
        final = combine(base, filters.values())
        for docnum, score, copies in ordered_matches(view, final, scores, sort, shown,
                                                     self.settings, batch):
            yield self._hit(view, docnum, score, copies, keep=False)

    def get(self, pid: str) -> Publication | None:
        # Read your writes: a record is asked for right after a PUT, which another worker
        # may have made in the last reload_interval. Looking at the disk costs ~30 µs.
        self.invalidate()
        fields = self.view().searcher.document(id=pid)
        return None if fields is None else to_publication(fields)

    def children(self, pid: str) -> list[Publication]:
        return [to_publication(f) for f in self.view().searcher.documents(parent_id=pid)]

    def of_files(self, files: Collection[str]) -> list[Publication]:
        return [to_publication(f) for f in self.view().searcher.all_stored_fields()
                if from_file(f.get("source"), files)]

    def similar(self, pid: str, limit: int) -> list[EngineHit]:
        view = self.view()
        if view.searcher.document_number(id=pid) is None:
            raise NotFound.publication(pid)
        return [EngineHit(to_publication(fields), score, tuple(view.doc_id(d) for d in copies))
                for fields, score, copies in similar(view, pid, limit,
                                                     self.settings.title_boost)]

    def facet_values(self) -> dict[str, tuple[FacetValue, ...]]:
        view = self.view()
        mask = view.facets.live
        return {name: tuple(view.facets.count(name, mask, (), 10_000)) for name in FACETS}

    def words(self):
        return self.view().words

    def spelling(self):
        return self.view().spelling

    def vocabulary(self):
        return self.view().vocabulary

    def count(self) -> int:
        return int(self.view().searcher.doc_count())

    def health(self) -> dict:
        view = self.view()
        # read afresh: an incremental run that changed nothing moves it, and no new
        # generation tells the workers so
        current = self.location.current()
        built = current.built_at if view.name == current.name else view.built_at
        unwritable = self.location.unwritable()
        return {"engine": self.name, "generation": view.name,
                "documents": int(view.searcher.doc_count()), "last_reindex": built,
                "analysis_version": current.analysis_version,
                **({"unwritable": unwritable} if unwritable else {})}

    def ready(self) -> bool:
        if self.location.current_name() is None:
            return False
        return self.location.current().schema_version == SCHEMA_VERSION

    def describe(self) -> str:
        name = self.location.current_name()
        if name is None:
            return f"no index in {self.location.root}"
        path = self.location.root / name
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return f"{path}  ({size / 1e6:.1f} MB)"

    def tidy(self) -> list[str]:
        return self.location.clean_stale()

    # -- writing -------------------------------------------------------------------
    def rebuild(self, publications: Iterable[Publication], progress: Progress | None = None,
                phase: Phase | None = None, procs: int | None = None,
                accept: Callable[[int], None] | None = None) -> RebuildStats:
        try:
            return writer.rebuild(self.location, publications, progress, procs=procs,
                                  phase=phase, accept=accept)
        finally:
            self.invalidate()

    def sync(self, publications: Iterable[Publication], scopes: list[str],
             progress: Progress | None = None, phase: Phase | None = None,
             kept: Collection[str] = (),
             accept_removals: Callable[[int, int], None] | None = None) -> RebuildStats:
        try:
            return writer.sync_incremental(self.location, publications, scopes, progress,
                                           phase=phase, kept=kept,
                                           accept_removals=accept_removals)
        finally:
            self.invalidate()

    def upsert(self, publications: Iterable[Publication]) -> int:
        try:
            with self.location.writable():
                return push.upsert(self.location, publications,
                                   wait=self.settings.write_wait_seconds)
        finally:
            self.invalidate()

    def delete(self, ids: Iterable[str], pushed: bool = True) -> int:
        try:
            with self.location.writable():
                # the API's (pushed) waits as a PUT does; a crawl's removals as a run does
                return push.delete(self.location, ids, journal=pushed,
                                   wait=self.settings.write_wait_seconds if pushed else 60.0)
        finally:
            self.invalidate()



def _distinct(groups: np.ndarray, mask: np.ndarray) -> int:
    """How many groups of copies `mask` touches (a mark per group, not a sort or hash)."""
    picked = groups[mask]
    if not len(picked):
        return 0
    seen = np.zeros(int(groups.max()) + 1, bool)
    seen[picked] = True
    return int(np.count_nonzero(seen))
