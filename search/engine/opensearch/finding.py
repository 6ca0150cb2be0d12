"""Finding through an OpenSearchEngine's alias (search/engine/opensearch/engine.py mixes
this in): the compiled and ranked query, searches retried when shards failed, pages of
hits with their copies, exports, publications by id, parent or file, similar ones and
every facet's values."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Iterator

from opensearchpy import helpers
from opensearchpy.exceptions import NotFoundError, TransportError

from search.engine import EngineHit, Found, Selection
from search.engine.opensearch.compiler import compile_node, ranked
from search.engine.opensearch.documents import analyze, folded_hit, from_source
from search.engine.opensearch.failures import cluster_errors, transient
from search.engine.opensearch.hits import copies_of, full_query, iter_hits
from search.engine.opensearch.mapping import RESULT_WINDOW
from search.engine.opensearch.searching import (
    facets_body,
    parse_facets,
    parse_found,
    search_body,
    shown_groups,
)
from search.errors import NotFound, QueryError
from search.models import Publication
from search.russian_numbers import whole

__all__ = ["Finding"]

SIMILAR_TERMS = 12  # as search/engine/whoosh/similar.py
ALL_FACET_VALUES = 10_000
SHARD_RETRIES = 3  # beyond the client's own retries on another node
RETRY_PAUSE = 0.5  # seconds, times the attempt: a replica is promoted within a second or two


class Finding:
    """The reading side of OpenSearchEngine over its `client`, `settings`, `gens` and the
    live generation's document frequencies (search/engine/opensearch/live_generation.py)."""

    # -- searching -------------------------------------------------------------------
    def _query(self, selection: Selection, sort: str) -> tuple[dict, bool]:
        """The compiled query, and whether it is scored (relevance order of a query)."""
        if selection.query is None:
            return {"match_all": {}}, False
        query = compile_node(selection.query)
        if sort != "relevance":
            return {"constant_score": {"filter": query}}, False
        doc_freq, documents = self._doc_freq()
        return ranked(query, selection.hints, lambda w: doc_freq(w, 0), documents,
                      self.settings.recency_weight, self.settings.recency_half_life_days,
                      dt.date.today(), self.settings.library_weight), True

    def _search(self, body: dict, **params) -> dict:
        """One search, retried when shards failed: a node lost between the dfs and the
        query phase fails its shards there, and the next try asks their other copies.
        Partial results are refused, so a total never silently shrinks."""
        for attempt in range(SHARD_RETRIES + 1):
            try:
                return self.client.search(index=self.settings.opensearch_prefix, body=body,
                                          search_type="dfs_query_then_fetch",
                                          allow_partial_search_results=False, **params)
            except NotFoundError as exc:  # no index behind the alias
                raise self.gens.missing() from exc
            except TransportError as exc:
                if attempt == SHARD_RETRIES or not transient(exc):
                    raise
                time.sleep(RETRY_PAUSE * (attempt + 1))
        raise AssertionError("unreachable")

    @cluster_errors
    def find(self, selection: Selection, sort: str, start: int, stop: int,
             facet_limit: int | None) -> Found:
        query, scored = self._query(selection, sort)
        if start >= RESULT_WINDOW:  # OpenSearch refuses it (a 503 had said the cluster was down)
            return self._beyond_the_window(selection, query, sort, scored, start, facet_limit)
        stop = min(stop, RESULT_WINDOW)  # a page across it: the part within
        body = search_body(selection, query, sort, scored, start, stop, facet_limit)
        resp = self._search(body)
        copies = copies_of(self._search, full_query(selection, query), shown_groups(resp))
        return parse_found(resp, selection, scored, facet_limit, copies)

    def _beyond_the_window(self, selection: Selection, query: dict, sort: str, scored: bool,
                           start: int, facet_limit: int | None) -> Found:
        """A page past RESULT_WINDOW: past the last match, what Whoosh answers (no hits,
        the total: the page says there is no such page); within the matches, refused."""
        counted = parse_found(self._search(search_body(selection, query, sort, scored, 0, 0,
                                                       facet_limit)),
                              selection, scored, facet_limit, {})
        if start >= counted.total:
            return counted
        raise QueryError(f"страницы дальше первых {whole(RESULT_WINDOW)} публикаций не "
                         "показываются: уточните запрос или фильтры (выгрузка отдаёт все)",
                         "page")

    @cluster_errors
    def iter_hits(self, selection: Selection, sort: str, batch: int,
                  shown: Collection[str] = ()) -> Iterator[EngineHit]:
        query, scored = self._query(selection, sort)
        yield from iter_hits(self.client, self.settings.opensearch_prefix, selection, query,
                             sort, scored, batch, shown)

    @cluster_errors
    def get(self, pid: str) -> Publication | None:
        """A real-time GET through the alias (one index behind it)."""
        found = self.client.get(index=self.settings.opensearch_prefix, id=pid, ignore=404,
                                _source_includes=["pub"])
        if "error" in found:  # no index behind the alias, not "no such publication"
            raise self.gens.missing()
        return from_source(found["_source"]) if found.get("found") else None

    @cluster_errors
    def children(self, pid: str) -> list[Publication]:
        resp = self._search({"query": {"term": {"parent_id": pid}}, "size": 10_000,
                             "sort": [{"id": "asc"}]})
        return [from_source(h["_source"]) for h in resp["hits"]["hits"]]

    @cluster_errors
    def of_files(self, files: Collection[str]) -> list[Publication]:
        names, found = sorted(files), []
        for start in range(0, len(names), 400):  # two clauses a file, under the 1,024 cap
            should = [clause for file in names[start:start + 400] for clause in (
                {"term": {"source": file}}, {"prefix": {"source": file + "#"}})]
            try:
                found += [from_source(hit["_source"]) for hit in helpers.scan(
                    self.client, index=self.settings.opensearch_prefix, size=2_000,
                    query={"query": {"bool": {"should": should}}}, _source=["pub"])]
            except NotFoundError:  # no index yet: nothing was indexed from them
                return []
        return found

    @cluster_errors
    def ids(self) -> frozenset[str]:
        try:
            return frozenset(hit["_id"] for hit in helpers.scan(
                self.client, index=self.settings.opensearch_prefix, size=5_000,
                query={"query": {"match_all": {}}}, _source=False))
        except NotFoundError:  # no index yet
            return frozenset()

    @cluster_errors
    def similar(self, pid: str, limit: int) -> list[EngineHit]:
        """more_like_this over the lemma fields, from the publication's own analysis; the
        same topics a little ahead, as search/engine/whoosh/similar.py does."""
        found = self.client.get(index=self.settings.opensearch_prefix, id=pid, ignore=404,
                                _source_includes=["pub", "group"])
        if not found.get("found"):
            raise NotFound.publication(pid)
        pub, group = from_source(found["_source"]), found["_source"].get("group") or pid
        fields = analyze(pub).fields
        like = {"doc": {"title": fields["title"], "body": fields["body"]}}
        mlt = {"more_like_this": {"fields": ["title", "body"], "like": [like],
                                  "min_term_freq": 1, "min_doc_freq": 1,
                                  "max_query_terms": SIMILAR_TERMS,
                                  "minimum_should_match": "1"}}
        should = [{"terms": {"topics": list(pub.topics), "boost": 0.2}}] if pub.topics else []
        # no copy of this text, and one place for each group of copies (as on Whoosh)
        not_copies = [{"ids": {"values": [pid]}}, {"term": {"group": group}}]
        body = {"size": limit, "query": {"bool": {
            "must": [mlt], "should": should, "must_not": not_copies}},
                "collapse": {"field": "group"}, "sort": ["_score", {"id": "asc"}]}
        hits = self._search(body)["hits"]["hits"]
        copies = copies_of(self._search, {"match_all": {}},
                           [h["_source"]["group"] for h in hits if h["_source"].get("group")])
        return [folded_hit(h, copies, True) for h in hits]

    @cluster_errors
    def facet_values(self) -> dict:
        resp = self._search(facets_body(ALL_FACET_VALUES))
        return parse_facets(resp["aggregations"], None, ALL_FACET_VALUES)
