"""Writes of single publications into the live generation, through the alias: a PUT
and a DELETE (and what a rebuild's commit did again of them: carried.catch_up), and
the fingerprints an incremental sync compares with."""

from __future__ import annotations

from collections.abc import Iterable

from opensearchpy import OpenSearch, helpers

from search.duplicates import copy_keys
from search.engine.opensearch import deletions
from search.engine.opensearch.bulk import BULK_CHUNK
from search.engine.opensearch.documents import from_source, to_source
from search.engine.opensearch.generations import Generations
from search.engine.opensearch.groups import group_for, labels_of
from search.models import Publication

__all__ = ["fingerprints", "upsert", "delete"]


def fingerprints(client: OpenSearch, index: str) -> dict[str, bytes]:
    """id -> Publication.fingerprint() of every stored publication (what an incremental
    sync leaves alone when it comes again unchanged)."""
    return {hit["_id"]: from_source(hit["_source"]).fingerprint()
            for hit in helpers.scan(client, index=index, _source=["pub"], size=BULK_CHUNK,
                                    preserve_order=False)}


def upsert(client: OpenSearch, gens: Generations, publications: Iterable[Publication]) -> int:
    """Add or replace publications by id in the live generation, in one bulk request."""
    index = gens.require_live()
    pubs = list({pub.id: pub for pub in publications}.values())  # the last record of an id
    if not pubs:
        return 0
    groups = {pub.id: group_for(client, index, pub) for pub in pubs}
    labels = labels_of({pub.id: copy_keys(pub) for pub in pubs})
    for pub in pubs:  # copies of each other within this batch share the first one's group
        groups[pub.id] = groups[labels[pub.id]]
    done = 0
    for ok, _item in helpers.streaming_bulk(
            client, ({"_index": index, "_id": pub.id, "_source": to_source(pub, groups[pub.id])}
                     for pub in pubs), chunk_size=BULK_CHUNK, raise_on_error=True,
            refresh=True):
        done += ok
    deletions.forget(client, gens, [pub.id for pub in pubs])
    gens.mark_changed(index)
    return done


def delete(client: OpenSearch, gens: Generations, ids: Iterable[str]) -> int:
    """Remove publications by id; how many were there."""
    ids = list(ids)
    index = gens.require_live()
    removed = 0
    refused = []
    for ok, item in helpers.streaming_bulk(
            client, ({"_op_type": "delete", "_index": index, "_id": pid} for pid in ids),
            raise_on_error=False, refresh=True):
        if ok and item["delete"].get("result") == "deleted":
            removed += 1
        elif not ok and item["delete"].get("status") != 404:  # not «not there»: refused
            refused.append(item)
    if refused:  # a blocked index said «no such publication» (a portal admin's trial)
        raise helpers.BulkIndexError(f"не удалено публикаций: {len(refused)}", refused)
    if removed:  # as Whoosh journals a deletion that removed something
        deletions.remember(client, gens, ids)
        gens.mark_changed(index)
    return removed
