"""WhooshEngine: the Engine protocol over index generations in a local directory.

It opens the live generation once and keeps its searcher, facet arrays and vocabulary
until the generation changes on disk: a stat of the index directory and of the
generation per search tells it (a reindex, another worker's PUT), and it looks
at least every `reload_interval` seconds.

The lifecycle of the open generation is search/engine/whoosh/live_view.py, finding in it
search/engine/whoosh/finding.py; this class adds the rest of the protocol and writing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable

from search.engine import EngineHit, Phase, Progress, RebuildStats, from_file
from search.engine.whoosh import push, writer
from search.engine.whoosh.finding import Finding
from search.engine.whoosh.generation_files import GenerationFiles
from search.engine.whoosh.live_view import LiveView
from search.engine.whoosh.schema import SCHEMA_VERSION
from search.engine.whoosh.similar import similar
from search.engine.whoosh.store import IndexLocation
from search.engine.whoosh.view import IndexView
from search.errors import IndexMissing, NotFound
from search.models import FACETS, FacetValue, Publication
from search.records import to_publication
from search.russian_numbers import decimal

__all__ = ["WhooshEngine"]


class WhooshEngine(LiveView, Finding):
    name = "whoosh"

    def __init__(self, settings):
        self.settings = settings
        self.location = IndexLocation(settings.index_dir)
        self._view: IndexView | None = None
        self._checked = 0.0
        self._stamp_seen: tuple | None = None
        self._files = GenerationFiles()  # the open generation's files, as opened
        self._cache_bytes = settings.postings_cache_mb * 2**20
        self._pinned = threading.local()  # the view of a search under way (pinned())

    def get(self, pid: str) -> Publication | None:
        # Read your writes: a record is asked for right after a PUT, which another worker
        # may have made in the last reload_interval. Looking at the disk costs ~30 µs.
        self.invalidate()
        fields = self.view().searcher.document(id=pid)
        return None if fields is None else to_publication(fields)

    def children(self, pid: str) -> list[Publication]:
        return [to_publication(f) for f in self.view().searcher.documents(parent_id=pid)]

    def ids(self) -> frozenset[str]:
        """The `id` field's terms (0.03 s for 3,376, not a read of every stored record);
        with deletions (a PUT or DELETE since the rebuild), those of a live document."""
        try:
            reader = self.view().searcher.reader()
        except IndexMissing:
            return frozenset()
        terms = [term.decode("utf-8") for term in reader.lexicon("id")]
        if reader.has_deletions():
            terms = [pid for pid in terms if any(
                not reader.is_deleted(d) for d in reader.postings("id", pid).all_ids())]
        return frozenset(terms)

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

    def has_index(self) -> bool:
        return self.location.current_name() is not None

    def ready(self) -> bool:
        if self.location.current_name() is None:
            return False
        return self.location.current().schema_version == SCHEMA_VERSION

    def describe(self) -> str:
        name = self.location.current_name()
        if name is None:
            return f"индекса нет в {self.location.root}"
        path = self.location.root / name
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return f"{path}  ({decimal(size / 1e6)} МБ)"

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
