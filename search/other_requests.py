"""The service's requests besides a search: a record, its attachments and similar
publications, completions, facet values, health, and keeping a worker's index current;
and the facet values a search's filters are read as.

SearchService (search/searcher.py) is made of this and the search policy; these read
its `engine`, `hit` and `_search`.
"""

from __future__ import annotations

from dataclasses import replace

from search.analysis import ANALYSIS_VERSION, REINDEX_ADVISED
from search.errors import NotFound, SearchError
from search.facet_hints import resolved_values, respaced_values
from search.models import Hit, SearchRequest
from search.records import record_of
from search.suggest import suggest, with_people

__all__ = ["OtherRequests"]


class OtherRequests:
    """What SearchService answers besides searches."""

    def get(self, pid: str) -> dict:
        """The full stored record of one publication."""
        pub = self.engine.get(pid)
        if pub is None:
            raise NotFound.publication(pid)
        return record_of(pub)

    def attachments(self, pid: str) -> list[dict]:
        """The records whose parent is `pid` (files linked from that page), by title, without text."""
        found = [record_of(pub) for pub in self.engine.children(pid)]
        for record in found:
            record.pop("text", None)
        return sorted(found, key=lambda r: (r["title"], r["id"]))

    def similar(self, pid: str, limit: int = 5) -> list[Hit]:
        """Publications about the same things as this one."""
        return [self.hit(h, None, True) for h in self.engine.similar(pid, limit)]

    def suggest(self, text: str, limit: int = 10) -> list[dict]:
        """Completions for the search box, people who signed publications among them."""
        found = suggest(self.engine.vocabulary(), text, limit)
        return with_people(found, self._signers, text, limit)

    def _resolved(self, request: SearchRequest) -> tuple[SearchRequest, list[str]]:
        """The request with each filter value no publication has read as the one value
        it surely means, and a note for each (a search and the rest of its export alike:
        the export's stream had kept the value as typed, and stopped at its first page)."""
        notes: list[str] = []
        if request.authors:  # a surname for the author's name: the one it surely means
            authors, notes = resolved_values("author", request.authors, self._signers())
            request = replace(request, authors=authors)
        if request.topics:  # `выставка` for «Выставки»: the one topic of that word
            topics, more = resolved_values("topic", request.topics, self._values("topic"))
            request, notes = replace(request, topics=topics), notes + more
        if request.libraries:  # `№3` for «№ 3»; an acronym is only hinted at
            libraries, more = respaced_values("library", request.libraries,
                                              self._values("library"))
            request, notes = replace(request, libraries=libraries), notes + more
        return request, notes

    def _signers(self) -> tuple[str, ...]:
        return self._values("author")

    def _values(self, facet: str) -> tuple[str, ...]:
        """A facet's values, asked of the engine once per generation (on OpenSearch an
        aggregation: not one per keystroke)."""
        generation = self.engine.generation()
        if self._facet_values[0] != generation:
            every = self.engine.facet_values()
            self._facet_values = (generation, {name: tuple(v.value for v in values)
                                               for name, values in every.items()})
        return self._facet_values[1].get(facet, ())

    def keep_current(self) -> None:
        """Look at the index as a search would (the current generation opened, a replaced
        one closed): a server worker does it when idle, so a reindex's old files are let
        go of without waiting for a visitor."""
        try:
            self.engine.generation()
        except SearchError:
            pass

    def warm(self) -> None:
        """Open the index and read what a first search and suggestion read (a new server
        worker's first visitor waited 0.1-0.3 s for it); nothing when there is no index."""
        try:
            self._search(SearchRequest(q="библиотека"))
            self.suggest("библ")
        except SearchError:
            pass

    def all_facets(self) -> dict:
        return {name: [v.__dict__ for v in values]
                for name, values in self.engine.facet_values().items()}

    def health(self) -> dict:
        """The engine's health, with `reindex_advised` when an older version's text
        analysis built the index (an upgrade: served, but it finds less than a rebuild)."""
        info = self.engine.health()
        if info.get("documents") and info.get("analysis_version") != ANALYSIS_VERSION:
            info = {**info, "reindex_advised": REINDEX_ADVISED}
        return info
