"""OpenSearchEngine: the Engine protocol (search/engine/__init__.py) over a cluster.

Reads go to the alias `<prefix>`; every search uses dfs_query_then_fetch, so a score
does not depend on which shard a publication landed in. What is derived from a
generation (the lexicon, the suggestion vocabulary) comes from its meta document and is
kept until the generation token changes; the token itself is looked up at most every
`reload_interval` seconds, as the Whoosh engine looks at its CURRENT pointer.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping

from opensearchpy import helpers
from opensearchpy.exceptions import NotFoundError, TransportError

from search.cluster_settings import without_password
from search.engine import EngineHit, Found, Phase, Progress, RebuildStats, Selection, default_procs
from search.engine.opensearch import failures, live_writes, writing
from search.engine.opensearch.client import make_client
from search.engine.opensearch.compiler import compile_node, ranked
from search.engine.opensearch.derived import Derived, TermReader, decode, vocabulary_of
from search.engine.opensearch.documents import analyze, from_source
from search.engine.opensearch.failures import cluster_errors, degradation, transient
from search.engine.opensearch.generations import MAPPING_VERSION, Generations
from search.engine.opensearch.hits import copies_of, full_query, iter_hits
from search.engine.opensearch.rebuild_lock import rebuild_lock
from search.engine.opensearch.searching import (
    facets_body,
    parse_facets,
    parse_found,
    search_body,
    shown_groups,
    sort_clause,
)
from search.errors import NotFound, SchemaMismatch
from search.models import Publication
from search.spelling import SpellingLexicon

__all__ = ["OpenSearchEngine"]

SIMILAR_TERMS = 12  # as search/engine/whoosh/similar.py
ALL_FACET_VALUES = 10_000
SHARD_RETRIES = 3  # beyond the client's own retries on another node
RETRY_PAUSE = 0.5  # seconds, times the attempt: a replica is promoted within a second or two


class OpenSearchEngine:
    """One alias of one cluster, as the policy, the CLI and the API use it."""

    name = "opensearch"

    def __init__(self, settings, client=None):
        self.settings = settings
        self.client = client or make_client(settings)
        self.gens = Generations(self.client, settings.opensearch_prefix)
        self._token: tuple[str, str] | None = None  # (index, changed)
        self._checked = float("-inf")
        self._derived: tuple[tuple[str, str], Derived | None, dict] | None = None
        self._lexicon: tuple[tuple, SpellingLexicon] | None = None  # spelling()

    # -- the live generation -----------------------------------------------------
    def _live(self) -> tuple[str, str]:
        now = time.monotonic()
        if self._token is None or now - self._checked >= self.settings.reload_interval:
            index = self.gens.require_live()
            self._token = (index, self.gens.meta(index).get("changed", ""))
            self._checked = now
        return self._token

    @cluster_errors
    def generation(self) -> str:
        index, changed = self._live()
        return f"{index}:{changed}" if changed else index

    def invalidate(self) -> None:
        """Look at the cluster on the next call (this process has just written)."""
        self._checked = float("-inf")

    def _meta(self) -> tuple[Derived | None, dict]:
        token = self._live()
        if self._derived is None or self._derived[0] != token:
            meta = self.gens.meta(token[0])
            if meta.get("version") != MAPPING_VERSION:
                raise SchemaMismatch(
                    f"the OpenSearch index {token[0]} was built by another version of "
                    f"Kartoteka (format {meta.get('version')}, this one reads "
                    f"{MAPPING_VERSION}): run `kartoteka reindex` to rebuild it")
            if self._derived is not None and self._blob_key(self._derived) == (
                    token[0], meta.get("blob_mark")):
                derived = self._derived[1]  # a PUT's change: the blob is as it was
            else:  # megabytes at 100,000 publications: not read again after every PUT
                blob = self.gens.meta(token[0], with_blob=True).get("blob")
                derived = decode(blob) if blob else None
            self._derived = (token, derived, meta)
        return self._derived[1], self._derived[2]

    @staticmethod
    def _blob_key(derived: tuple) -> tuple[str, str | None]:
        """(index, the mark of its blob) of a `_derived` entry."""
        return derived[0][0], derived[2].get("blob_mark")

    def _doc_freq(self):
        derived, _ = self._meta()
        table = derived.body_df if derived else {}
        return table.get, (derived.documents if derived else 0)

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
        body = search_body(selection, query, sort, scored, start, stop, facet_limit)
        resp = self._search(body)
        copies = copies_of(self._search, full_query(selection, query),
                           sort_clause(sort, scored), shown_groups(resp))
        return parse_found(resp, selection, scored, facet_limit, copies)

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
        copies = copies_of(self._search, {"match_all": {}}, [{"id": "asc"}],
                           [h["_source"]["group"] for h in hits if h["_source"].get("group")])
        return [EngineHit(from_source(h["_source"]), float(h["_score"]),
                          tuple(c for c in copies.get(h["_source"].get("group"), ())
                                if c != h["_id"]))
                for h in hits]

    @cluster_errors
    def facet_values(self) -> dict:
        resp = self._search(facets_body(ALL_FACET_VALUES))
        return parse_facets(resp["aggregations"], None, ALL_FACET_VALUES)

    @cluster_errors
    def words(self) -> Mapping[str, int]:
        derived, _ = self._meta()
        return derived.words() if derived else {}

    @cluster_errors
    def spelling(self) -> SpellingLexicon:
        """The generation's lexicon, made once per change of it: built anew for every
        search, its length buckets alone took 70 ms on the real corpus (and the words it
        had learned it knew were forgotten)."""
        derived, _ = self._meta()
        token = self._blob_key(self._derived)  # a PUT leaves the lexicon's words as they were
        if self._lexicon is None or self._lexicon[0] != token:
            derived = derived or Derived({}, {}, {}, ([], [""], [True], [], [], []), 0)
            self._lexicon = (token, SpellingLexicon(TermReader(derived), derived.words()))
        return self._lexicon[1]

    @cluster_errors
    def vocabulary(self):
        derived, _ = self._meta()
        derived = derived or Derived({}, {}, {}, ([], [""], [True], [], [], []), 0)
        return vocabulary_of(derived)

    @cluster_errors
    def count(self) -> int:
        return int(self.client.count(index=self.settings.opensearch_prefix)["count"])

    @cluster_errors
    def health(self) -> dict:
        index, _changed = self._live()
        # the live generation's shards as this node sees them (no manager needed): an
        # unrelated red index elsewhere in the cluster does not make this search partial
        cluster = self.client.cluster.health(index=index, local=True)
        manager = cluster.get("discovered_cluster_manager", True) is not False
        _, meta = self._meta()
        blocked = failures.write_blocks(self.client, index)
        return {"engine": self.name, "generation": self.generation(),
                "documents": self.count(), "last_reindex": meta.get("built_at"),
                "analysis_version": meta.get("analysis"),
                "stale_lexicon": bool(meta.get("stale")),
                "cluster": {"name": cluster["cluster_name"], "status": cluster["status"],
                            "nodes": cluster["number_of_nodes"],
                            "unassigned_shards": cluster["unassigned_shards"],
                            "manager": manager},
                **degradation(cluster["status"], manager),
                **({"degraded": blocked} if blocked else {})}

    @cluster_errors
    def ready(self) -> bool:
        index = self.gens.live()
        return index is not None and self.gens.meta(index).get("version") == MAPPING_VERSION

    @cluster_errors
    def describe(self) -> str:
        index = self.gens.live()
        # no password in a summary cron mails
        nodes = ", ".join(without_password(url) for url in self.settings.opensearch_url)
        where = f"alias {self.gens.alias} on {nodes}"
        if index is None:
            return f"no index behind the {where}"
        stats = self.client.indices.stats(index=index, metric="docs,store")["_all"]["primaries"]
        if "docs" not in stats:  # no cluster manager: the shards' statistics are not known
            return f"{index} ({where}; its statistics are not available now)"
        return (f"{index} ({where}; {stats['docs']['count']} documents, "
                f"{stats['store']['size_in_bytes'] / 1e6:.1f} MB in primaries)")

    @cluster_errors
    def tidy(self) -> list[str]:
        # a reindex tidies first: without a manager it said that no node answered
        failures.require_manager(self.client)
        removed = self.gens.abandoned()
        for index in removed:
            self.gens.drop(index)
        return removed

    # -- writing -----------------------------------------------------------------------
    def rebuild(self, publications: Iterable[Publication], progress: Progress | None = None,
                phase: Phase | None = None, procs: int | None = None,
                accept: Callable[[int], None] | None = None) -> RebuildStats:
        """`procs`: processes running our analysis (default: the cores, at most 4)."""
        failures.require_manager(self.client)
        try:
            with rebuild_lock(self.client, self.gens):
                return writing.rebuild(self.client, self.gens, self.settings, publications,
                                       progress, phase, procs or default_procs(), accept)
        finally:
            self.invalidate()

    @cluster_errors
    def sync(self, publications: Iterable[Publication], scopes: list[str],
             progress: Progress | None = None, phase: Phase | None = None,
             kept: Collection[str] = (),
             accept_removals: Callable[[int, int], None] | None = None) -> RebuildStats:
        failures.require_manager(self.client)
        if self.gens.live() is None:
            return self.rebuild(publications, progress, phase)
        try:
            return writing.sync(self.client, self.gens, publications, scopes, progress, phase,
                                kept, accept_removals)
        finally:
            self.invalidate()

    @cluster_errors
    def upsert(self, publications: Iterable[Publication]) -> int:
        failures.require_manager(self.client)
        try:
            return live_writes.upsert(self.client, self.gens, publications)
        finally:
            self.invalidate()

    @cluster_errors
    def delete(self, ids: Iterable[str], pushed: bool = True) -> int:  # no journal here
        failures.require_manager(self.client)
        try:
            return live_writes.delete(self.client, self.gens, ids)
        finally:
            self.invalidate()

    def close(self) -> None:
        self.client.close()
