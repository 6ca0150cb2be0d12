"""Publications the site's CMS deleted through the API, remembered for later reindexes.

Whoosh keeps a journal of what the API pushed and deleted and replays it into every full
rebuild; a deletion there outlives the source's copy of the publication. This engine
carries pushed publications over from the live generation (carried.pushed), which
cannot carry a deletion: the publication is gone from it. So each deletion leaves a
small document in the meta index (id `deleted#<publication id>`), a full or incremental
reindex leaves those ids out, and a PUT of the id again forgets it (the last word wins,
as in the journal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from opensearchpy import OpenSearch, helpers

from search.engine import RebuildStats
from search.engine.opensearch.generations import Generations
from search.models import Publication

__all__ = ["remember", "forget", "deleted_ids", "without_deleted"]

FIELD = "deleted"  # a keyword of the meta index (mapping.META_BODY): the publication id
_PREFIX = "deleted#"


def remember(client: OpenSearch, gens: Generations, ids: Iterable[str]) -> None:
    """Record these ids as deleted through the API."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    gens.ensure_meta()
    # a meta index made before deletions were kept lacks the field (its mapping is strict)
    client.indices.put_mapping(index=gens.meta_index,
                               body={"properties": {FIELD: {"type": "keyword"}}})
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    helpers.bulk(client, ({"_index": gens.meta_index, "_id": _PREFIX + pid,
                           "_source": {FIELD: pid, "built_at": now}} for pid in ids),
                 refresh=True)


def forget(client: OpenSearch, gens: Generations, ids: Iterable[str]) -> None:
    """A PUT of these ids: they are no longer deleted (nothing to do for most)."""
    if not client.indices.exists(index=gens.meta_index):
        return
    helpers.bulk(client, ({"_op_type": "delete", "_index": gens.meta_index,
                           "_id": _PREFIX + pid} for pid in dict.fromkeys(ids)),
                 raise_on_error=False, refresh=True)


def deleted_ids(client: OpenSearch, gens: Generations) -> set[str]:
    """Every id deleted through the API and not PUT since."""
    if not client.indices.exists(index=gens.meta_index):
        return set()
    return {hit["_source"][FIELD] for hit in helpers.scan(
        client, index=gens.meta_index, query={"query": {"exists": {"field": FIELD}}},
        _source=[FIELD], size=1000)}


def without_deleted(publications: Iterable[Publication], deleted: set[str],
                    stats: RebuildStats) -> Iterator[Publication]:
    """The sources' publications but those deleted through the API, counted as removed
    (as Whoosh counts the journal's deletions it replays)."""
    for pub in publications:
        if pub.id in deleted:
            stats.removed += 1
            continue
        yield pub
