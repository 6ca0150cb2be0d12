"""OpenSearchEngine: the Engine protocol (search/engine/__init__.py) over a cluster.

Reads go to the alias `<prefix>`; every search uses dfs_query_then_fetch, so a score
does not depend on which shard a publication landed in. What is derived from a
generation (the lexicon, the suggestion vocabulary) comes from its meta document and is
kept until the generation token changes; the token itself is looked up at most every
`reload_interval` seconds, as the Whoosh engine looks at its CURRENT pointer.

The live generation is search/engine/opensearch/live_generation.py, finding through the
alias search/engine/opensearch/finding.py; this class adds health, tidying and writing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from search.cluster_settings import without_password
from search.engine import Phase, Progress, RebuildStats, default_procs
from search.engine.opensearch import failures, live_writes, writing
from search.engine.opensearch.client import make_client
from search.engine.opensearch.derived import Derived
from search.engine.opensearch.failures import cluster_errors, degradation
from search.engine.opensearch.finding import Finding
from search.engine.opensearch.generations import MAPPING_VERSION, Generations
from search.engine.opensearch.live_generation import LiveGeneration
from search.engine.opensearch.rebuild_lock import rebuild_lock
from search.models import Publication
from search.russian_numbers import decimal
from search.spelling import SpellingLexicon

__all__ = ["OpenSearchEngine"]


class OpenSearchEngine(LiveGeneration, Finding):
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
                # without a manager, this node's last view of the cluster is stale
                # (`red` with both nodes while one was down): not told as known
                "cluster": {"name": cluster["cluster_name"],
                            "status": cluster["status"] if manager else "unknown",
                            "nodes": cluster["number_of_nodes"] if manager else None,
                            "unassigned_shards": cluster["unassigned_shards"] if manager
                            else None,
                            "manager": manager},
                **degradation(cluster["status"], manager),
                **({"degraded": blocked} if blocked else {})}

    @cluster_errors
    def has_index(self) -> bool:
        return self.gens.live() is not None

    @cluster_errors
    def ready(self) -> bool:
        index = self.gens.live()
        return index is not None and self.gens.meta(index).get("version") == MAPPING_VERSION

    @cluster_errors
    def describe(self) -> str:
        index = self.gens.live()
        # no password in a summary cron mails
        nodes = ", ".join(without_password(url) for url in self.settings.opensearch_url)
        where = f"псевдоним {self.gens.alias} на {nodes}"
        if index is None:
            return f"индекса нет: {where}"
        stats = self.client.indices.stats(index=index, metric="docs,store")["_all"]["primaries"]
        if "docs" not in stats:  # no cluster manager: the shards' statistics are not known
            return f"{index} ({where}; его статистика сейчас недоступна)"
        return (f"{index} ({where}; публикаций: {stats['docs']['count']}, "
                f"{decimal(stats['store']['size_in_bytes'] / 1e6)} МБ в основных шардах)")

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
