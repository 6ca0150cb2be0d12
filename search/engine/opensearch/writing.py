"""Writing publications into the cluster: full rebuilds and incremental syncs (a PUT or
DELETE of one publication: search/engine/opensearch/live_writes.py).

A rebuild fills a new generation (no replicas, no refreshes), gives it its replicas,
waits for them, stores the lexicon, and only then moves the alias in one atomic request
and deletes the old generation. Whatever stops it before the move (an error, a dead
node, Ctrl-C) deletes the half-built index and leaves the alias where it was.
PUT/DELETE and incremental syncs write through the alias and refresh what they wrote
(refresh=true, here and in the meta index: with wait_for a PUT waited for the next
scheduled refresh of each index it wrote, 2-3 s in all, against 0.1-0.3 s). The
cluster's own translog and replicas are its crash safety (no journal of its own, as
Whoosh keeps); a rebuild carries the live generation's PUT publications over
(search/engine/opensearch/carried.py), the first one a Whoosh directory's journal
(from_whoosh.py), and every reindex leaves out what the CMS deleted (deletions.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import chain

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, OpenSearchException, RequestError

from search.analysis import ANALYSIS_VERSION
from search.duplicates import copy_keys
from search.engine import (
    COMMITTING,
    DUPLICATE,
    FileIds,
    Phase,
    Progress,
    RebuildStats,
    vanished,
)
from search.engine.opensearch import deletions
from search.engine.opensearch.analyzing import analyzed
from search.engine.opensearch.bulk import BULK_CHUNK, bulk
from search.engine.opensearch.carried import PUSHED, catch_up, pushed, then
from search.engine.opensearch.derived import Derived, DerivedBuilder
from search.engine.opensearch.documents import analyze, from_source, to_source
from search.engine.opensearch.failures import connection_problem
from search.engine.opensearch.from_whoosh import journaled
from search.engine.opensearch.generations import Generations
from search.engine.opensearch.groups import (
    StreamedGroups,
    existing,
    labels_of,
    regroup_all,
    relabel,
)
from search.engine.opensearch.index_health import finish_generation, live_shortfall
from search.engine.opensearch.live_writes import delete, fingerprints, upsert
from search.engine.opensearch.mapping import index_body
from search.engine.run_writes import RunWrites
from search.errors import EMPTY_SOURCES, EmptyRebuild, RebuildFailed
from search.interrupts import interrupt_flag
from search.models import Publication

__all__ = ["rebuild", "sync", "upsert", "delete", "derive_from_index"]



def rebuild(client: OpenSearch, gens: Generations, settings,
            publications: Iterable[Publication], progress: Progress | None = None,
            phase: Phase | None = None, procs: int = 1,
            accept: Callable[[int], None] | None = None) -> RebuildStats:
    """Everything into a new generation, switched to atomically (see the module doc);
    `procs` processes analyze the publications; `accept(publications)` is asked before
    the switch, and what it raises drops the new generation."""
    with interrupt_flag():  # SIGTERM too stops it cleanly: the new index dropped
        return _rebuild(client, gens, settings, publications, progress, phase, procs, accept)


def _rebuild(client: OpenSearch, gens: Generations, settings,
             publications: Iterable[Publication], progress: Progress | None,
             phase: Phase | None, procs: int,
             accept: Callable[[int], None] | None) -> RebuildStats:
    stats = RebuildStats()
    started = time.perf_counter()
    index = gens.new_name()
    switched = False
    try:
        _create(client, index, index_body(settings.opensearch_shards))
        builder = DerivedBuilder()
        keys: dict[str, tuple[str | None, str | None]] = {}
        streamed = StreamedGroups()
        duplicates = False

        live = gens.live()
        # the first generation over a directory Whoosh used: what its journal kept
        journal = journaled(client, gens, settings.index_dir) if live is None else []
        deleted = deletions.deleted_ids(client, gens)
        carried: dict[str, bytes] = {}  # what the CMS had pushed, as carried over

        def actions() -> Iterator[dict]:
            nonlocal duplicates
            sources = then(deletions.without_deleted(publications, deleted, stats),
                            lambda: chain(journal, pushed(client, live)))
            for pub, analysis in analyzed(sources, procs):
                if pub.source == PUSHED:
                    stats.carried += 1
                    carried[pub.id] = pub.fingerprint()
                if pub.id in keys:
                    duplicates = True
                    if pub.source != PUSHED:  # what the CMS pushed wins, said nowhere
                        stats.skipped.append((pub.id, DUPLICATE))
                else:
                    stats.indexed += pub.source != PUSHED
                    builder.add(pub, analysis)
                keys[pub.id] = copy_keys(pub)
                if progress:
                    progress(1)
                group = streamed.label(pub.id, keys[pub.id])
                yield {"_index": index, "_id": pub.id,
                       "_source": to_source(pub, group, analysis)}

        t0 = time.perf_counter()
        bulk(client, actions())
        stats.add_seconds = time.perf_counter() - t0
        if not keys:
            raise EmptyRebuild(EMPTY_SOURCES)
        if phase:
            phase(COMMITTING)
        t0 = time.perf_counter()
        relabel(client, index, {pid: label for pid, label in labels_of(keys).items()
                                 if label != streamed.given[pid]})
        shortfall = finish_generation(client, index, settings.opensearch_replicas)
        if shortfall:
            stats.warnings.append(shortfall)
        derived = derive_from_index(client, index) if duplicates else builder.build()
        gens.write_meta(index, derived, documents=stats.indexed + stats.carried,
                        analysis=ANALYSIS_VERSION)
        if accept is not None:
            accept(stats.indexed + stats.carried)
        old = gens.switch(index)
        switched = True
        stats.carried += catch_up(client, gens, live, deleted, carried)
        for gone in old:
            gens.drop(gone)
        for stale in gens.older_unused(index):
            gens.drop(stale)
        stats.commit_seconds = time.perf_counter() - t0
    except BaseException as exc:
        if not switched:
            _discard(gens, index)
        if isinstance(exc, EmptyRebuild | KeyboardInterrupt | SystemExit):
            raise
        if isinstance(exc, OpenSearchException | OSError):
            raise RebuildFailed(f"перестройка {index} не удалась ({_summary(exc)}); прежнее "
                                "поколение работает; если отказал узел, запустите "
                                "переиндексацию снова") from exc
        raise
    stats.generation = index
    stats.seconds = time.perf_counter() - started
    return stats


def _create(client: OpenSearch, index: str, body: dict) -> None:
    """The new generation's index. Its name is this run's own: «already exists» is the
    client's retry, on another node, of a create the first node did before it died (the
    run had failed saying so)."""
    try:
        client.indices.create(index=index, body=body)
    except RequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


# The bulk failures an admin meets, said in Russian before OpenSearch's own words.
_BULK_ERRORS = {
    "unavailable_shards_exception": "шард индекса недоступен: его узел выбыл из кластера",
    "cluster_block_exception": "кластер запретил запись (например, на диске узла мало места)",
    "es_rejected_execution_exception": "узел перегружен и отказал в записи",
    "rejected_execution_exception": "узел перегружен и отказал в записи",
}


def _summary(exc: BaseException) -> str:
    """One line: a failed bulk names how many documents failed and the first reason (its
    own message carries every failed document whole)."""
    if isinstance(exc, helpers.BulkIndexError):
        failed = exc.errors
        first = next(iter(failed[0].values()), {}) if failed else {}
        error = first.get("error", {}) if isinstance(first, dict) else {}
        reason = error.get("reason", error) if isinstance(error, dict) else error
        kind = error.get("type") if isinstance(error, dict) else None
        said = _BULK_ERRORS.get(kind)
        return (f"не записано публикаций: {len(failed)}, первая причина: "
                + (f"{said} (OpenSearch: {reason})" if said else f"{reason}"))
    if isinstance(exc, OSConnectionError | ConnectionTimeout):
        return connection_problem(exc)
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _discard(gens: Generations, index: str) -> None:
    """Delete a half-built generation, retried a little: a node may have just died. Never
    the live one: a switch whose answer was lost may still have happened."""
    for attempt in range(5):
        try:
            if gens.live() != index:
                gens.drop(index)
            return
        except Exception:  # noqa: BLE001 - best effort while already failing
            time.sleep(1 + attempt)


def derive_from_index(client: OpenSearch, index: str) -> Derived:
    """The lexicon and vocabulary of what an index holds now, read through a scroll."""
    builder = DerivedBuilder()
    for hit in helpers.scan(client, index=index, _source=["pub"], size=BULK_CHUNK,
                            preserve_order=False, query={"query": {"match_all": {}}}):
        pub = from_source(hit["_source"])
        builder.add(pub, analyze(pub))
    return builder.build()


def sync(client: OpenSearch, gens: Generations, publications: Iterable[Publication],
         scopes: list[str], progress: Progress | None = None,
         phase: Phase | None = None, kept: Collection[str] = (),
         accept_removals: Callable[[int, int], None] | None = None) -> RebuildStats:
    """Add and update these; remove documents of `scopes` that did not come, but those
    of the files in `kept`; `accept_removals(removed, held)` may refuse the removals
    (the additions already sent stay)."""
    stats = RebuildStats()
    started = time.perf_counter()
    index = gens.require_live()
    known = existing(client, index)
    stored = fingerprints(client, index)
    streamed = StreamedGroups(known)  # copies already grouped keep their group
    seen: set[str] = set()
    files = FileIds({pid: source for pid, (source, *_rest) in known.items()})

    deleted = deletions.deleted_ids(client, gens)
    run = RunWrites(stored.get)

    def sent(pubs: list[Publication]) -> Iterator[dict]:
        for pub in pubs:
            group = streamed.label(pub.id, copy_keys(pub))
            yield {"_index": index, "_id": pub.id, "_source": to_source(pub, group)}

    def actions() -> Iterator[dict]:
        for pub in publications:
            if pub.id in deleted:  # what the CMS deleted last wins over the source's copy
                continue
            if known.get(pub.id, ("",))[0] == PUSHED:  # and so does what it pushed last
                seen.add(pub.id)
                run.offer(pub, stats, fixed=True)
                continue
            pub, conflict = files.settle(pub)
            if pub is None:
                stats.skipped.append(("", conflict))
                continue
            seen.add(pub.id)
            if progress:
                progress(1)
            streamed.label(pub.id, copy_keys(pub))  # its keys, for the copies that follow
            yield from sent(run.offer(pub, stats))  # what did not change is not sent
        yield from sent(run.rest())
        yield from sent(run.late())  # after the first record of its id: it wins
        run.count(stats)
        gone = list(vanished({pid: source for pid, (source, *_rest) in known.items()},
                             seen, scopes, kept))
        if accept_removals and gone:
            accept_removals(len(gone), stats.indexed + stats.updated + stats.unchanged
                            + len(gone))
        for pid in gone:
            stats.removed += 1
            yield {"_op_type": "delete", "_index": index, "_id": pid}

    bulk(client, actions())
    if phase:
        phase(COMMITTING)
    # Nothing written and a lexicon that no PUT made stale: it stands (deriving it again
    # analyses every publication in Python).
    derived = None
    if not (run.wrote or stats.removed) and not gens.meta(index).get("stale"):
        derived = gens.derived(index)
    if derived is None:
        client.indices.refresh(index=index)
        regroup_all(client, index)
        client.indices.refresh(index=index)
        derived = derive_from_index(client, index)
    # an incremental reindex is a reindex: /api/health's last_reindex moves (as on Whoosh)
    gens.write_meta(index, derived, documents=client.count(index=index)["count"],
                    analysis=gens.meta(index).get("analysis"))
    shortfall = live_shortfall(client, index)
    if shortfall:
        stats.warnings.append(shortfall)
    stats.generation = index
    stats.seconds = time.perf_counter() - started
    return stats
