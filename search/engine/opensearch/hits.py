"""Every hit of a selection, in order, for exports: a point in time and search_after.

Collapsing cannot be paged with search_after here, so copies are folded as
search/duplicates.py says: each group at the place of its first copy in the order, as
its matching copy of the smallest id, with its other matching copies, asked for once per
batch of new groups.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from opensearchpy import OpenSearch

from search.engine import EngineHit, Selection
from search.engine.opensearch.documents import folded_hit
from search.engine.opensearch.searching import date_clause, filter_clauses, sort_clause

__all__ = ["iter_hits", "copies_of", "full_query", "KEEP_ALIVE", "MAX_COPIES"]

KEEP_ALIVE = "2m"  # between two batches of an export
DFS = "dfs_query_then_fetch"  # scores as find() computes them
MAX_COPIES = 100  # ids listed per group of copies (OpenSearch's default top_hits limit)


def full_query(selection: Selection, query: dict) -> dict:
    filters = [*filter_clauses(selection.filters).values()]
    date = date_clause(selection)
    if date:
        filters.append(date)
    return {"bool": {"must": [query], "filter": filters}}


def iter_hits(client: OpenSearch, alias: str, selection: Selection, query: dict, sort: str,
              scored: bool, batch: int, shown: Collection[str] = ()) -> Iterator[EngineHit]:
    """Every hit of `selection` by `sort`, `batch` documents per request, leaving out the
    publications `shown` (ids) and their copies."""
    pit = client.create_pit(index=alias, params={"keep_alive": KEEP_ALIVE})["pit_id"]
    try:
        full = full_query(selection, query)
        sorting = sort_clause(sort, scored)
        seen: set[str] = _groups_of(client, pit, list(shown))

        def in_pit(body: dict) -> dict:
            body = {**body, "pit": {"id": pit, "keep_alive": KEEP_ALIVE}}
            return client.search(body=body, search_type=DFS)

        after = None
        while True:
            body = {"query": full, "sort": sorting, "size": batch,
                    "pit": {"id": pit, "keep_alive": KEEP_ALIVE}}
            if after is not None:
                body["search_after"] = after
            hits = client.search(body=body, search_type=DFS)["hits"]["hits"]
            if not hits:
                return
            after = hits[-1]["sort"]
            fresh = []
            for hit in hits:
                group = hit["_source"]["group"]
                if group not in seen:
                    seen.add(group)
                    fresh.append(hit)
            copies = copies_of(in_pit, full, [h["_source"]["group"] for h in fresh])
            for hit in fresh:
                yield folded_hit(hit, copies, scored)
    finally:
        try:
            client.delete_pit(body={"pit_id": [pit]})
        except Exception:  # noqa: BLE001 - it expires by itself
            pass


def _groups_of(client: OpenSearch, pit: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    body = {"query": {"ids": {"values": ids}}, "size": len(ids), "_source": ["group"],
            "pit": {"id": pit, "keep_alive": KEEP_ALIVE}}
    return {h["_source"]["group"] for h in client.search(body=body)["hits"]["hits"]}


def copies_of(search: Callable[[dict], dict], query: dict,
              groups: list[str]) -> dict[str, list[dict]]:
    """The matching members of `groups` (hits with their `pub`), smallest id first, where
    a group has more than one: one request (a terms aggregation keeping groups of two or
    more, the members of each from top_hits), instead of a query per shown group as
    collapse's inner_hits runs. `search` sends a body (to the alias, or inside a point in
    time) with scores as find() computes them."""
    if not groups:
        return {}
    body = {"query": {"bool": {"must": [query], "filter": [{"terms": {"group": groups}}]}},
            "size": 0, "aggs": {"groups": {
                "terms": {"field": "group", "size": len(groups), "min_doc_count": 2},
                "aggs": {"ids": {"top_hits": {"size": MAX_COPIES, "sort": [{"id": "asc"}],
                                              "_source": ["pub"]}}}}}}
    resp = search(body)
    return {b["key"]: b["ids"]["hits"]["hits"]
            for b in resp["aggregations"]["groups"]["buckets"]}
