"""Every hit of a selection, in order, for exports: a point in time and search_after.

Collapsing cannot be paged with search_after here, so copies are folded as
search/duplicates.py `collapse` does: each group is shown at its first copy in the
order, with its other matching copies, asked for once per batch of new groups.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from opensearchpy import OpenSearch

from search.engine import EngineHit, Selection
from search.engine.opensearch.documents import from_source
from search.engine.opensearch.searching import date_clause, filter_clauses, sort_clause

__all__ = ["iter_hits", "KEEP_ALIVE"]

KEEP_ALIVE = "2m"  # between two batches of an export
DFS = "dfs_query_then_fetch"  # scores as find() computes them


def _query(selection: Selection, query: dict) -> dict:
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
        full = _query(selection, query)
        sorting = sort_clause(sort, scored)
        seen: set[str] = _groups_of(client, pit, list(shown))
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
            copies = _copies(client, pit, full, sorting, [h["_source"]["group"] for h in fresh])
            for hit in fresh:
                others = tuple(i for i in copies.get(hit["_source"]["group"], ())
                               if i != hit["_id"])
                score = hit.get("_score") if scored else None
                yield EngineHit(from_source(hit["_source"]),
                                float(score) if score is not None else None, others)
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


def _copies(client: OpenSearch, pit: str, query: dict, sorting: list,
            groups: list[str]) -> dict[str, list[str]]:
    """The matching members of `groups`, in order, where a group has more than one."""
    if not groups:
        return {}
    body = {"query": {"bool": {"must": [query], "filter": [{"terms": {"group": groups}}]}},
            "size": 0, "aggs": {"sizes": {"terms": {"field": "group", "size": len(groups),
                                                    "min_doc_count": 2}}},
            "pit": {"id": pit, "keep_alive": KEEP_ALIVE}}
    shared = [b["key"] for b in client.search(body=body)["aggregations"]["sizes"]["buckets"]]
    if not shared:
        return {}
    body = {"query": {"bool": {"must": [query], "filter": [{"terms": {"group": shared}}]}},
            "size": 10_000, "sort": sorting, "_source": ["group"],
            "pit": {"id": pit, "keep_alive": KEEP_ALIVE}}
    out: dict[str, list[str]] = {}
    for hit in client.search(body=body, search_type=DFS)["hits"]["hits"]:
        out.setdefault(hit["_source"]["group"], []).append(hit["_id"])
    return out
