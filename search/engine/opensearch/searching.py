"""One search request for a Selection: filters, facets, the total, collapsed hits.

The rules are search/searcher.py's and search/engine/whoosh/facets.py's:
- facet filters match case- and ё-insensitively (the `folded` subfields); values of one
  facet are alternatives, facets are combined with AND, the date range applies to all;
- a facet's counts apply every filter but its own (a filter aggregation per facet, the
  facet filters themselves given as post_filter so the aggregations do not see them);
  counts are of publications, each copy counted, as FacetTable.count does;
- the values marked selected are the real values a filter value matches under the
  filter's own folding (`author=вершинина` marks «Вершинина»): found by the filter's own
  clause over the whole index, and told apart from a publication's other topics by
  search/engine `facet_key`; a filter value nothing has is reported, not listed;
- `total` counts groups of copies once: a cardinality aggregation on `group` with
  precision_threshold 40000, exact below about 40,000 groups (HyperLogLog++ counts
  exactly up to its threshold, barring 64-bit hash collisions), approximate beyond;
- hits are collapsed on `group`; the other matching copies of the shown groups are asked
  for afterwards in one request (hits.copies_of), not through inner_hits, which runs one
  query per shown group and is the biggest cost of a search on small nodes.
"""

from __future__ import annotations

from collections.abc import Mapping

from search.engine import Found, Selection, facet_key
from search.engine.opensearch.documents import folded_hit
from search.engine.opensearch.mapping import FACET_FIELDS
from search.models import FACETS, FacetValue

__all__ = ["search_body", "parse_found", "filter_clauses", "date_clause", "sort_clause",
           "facets_body", "parse_facets", "matched", "shown_groups", "CARDINALITY_PRECISION"]

CARDINALITY_PRECISION = 40_000  # the most OpenSearch accepts
# The groups of copies in a bucket: what a facet value counts.
_GROUPS = {"groups": {"cardinality": {"field": "group",
                                      "precision_threshold": CARDINALITY_PRECISION}}}
SHARD_SIZE = 5_000  # terms per shard for facet counts: exact up to this many values


def _field(facet: str, folded: bool) -> str:
    name = FACET_FIELDS[facet]
    return f"{name}.folded" if folded and facet != "year" else name


def filter_clauses(filters: Mapping[str, tuple[str, ...]]) -> dict[str, dict]:
    """One terms clause per facet with values, on its case- and ё-folded field."""
    return {facet: {"terms": {_field(facet, True): [str(v) for v in values]}}
            for facet, values in filters.items() if values and facet in FACET_FIELDS}


def date_clause(selection: Selection) -> dict | None:
    bounds = {}
    if selection.date_from:
        bounds["gte"] = selection.date_from.isoformat()
    if selection.date_to:
        bounds["lte"] = selection.date_to.isoformat()
    return {"range": {"published": bounds}} if bounds else None


def sort_clause(sort: str, scored: bool) -> list:
    """Relevance (ties by id) when there is a query to score, else by date, ties by id;
    undated publications last in both orders (as Whoosh)."""
    if sort == "relevance" and scored:
        return ["_score", {"id": "asc"}]
    order = "asc" if sort == "date_asc" else "desc"
    return [{"published": {"order": order, "missing": "_last"}}, {"id": "asc"}]


def _all(clauses) -> dict:
    clauses = [c for c in clauses if c]
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def _facet_aggs(filters: dict[str, dict], selection: Selection, limit: int) -> dict:
    aggs = {}
    for facet in FACETS:
        others = [c for name, c in filters.items() if name != facet]
        selected = selection.filters.get(facet, ())
        # copies of one publication count once, as in `total` (a cardinality per value)
        order = {"_key": "desc"} if facet == "year" else [{"groups": "desc"}, {"_key": "asc"}]
        inner = {"values": {"terms": {"field": _field(facet, False), "size": limit + len(selected),
                                      "shard_size": SHARD_SIZE, "order": order},
                            "aggs": _GROUPS}}
        if facet in filters:  # the selected values' counts, however far down the list
            inner["selected"] = {"filter": filters[facet], "aggs": {"values": {"terms": {
                "field": _field(facet, False), "size": SHARD_SIZE}, "aggs": _GROUPS}}}
        aggs[f"facet_{facet}"] = {"filter": _all(others), "aggs": inner}
    return aggs


def _matched_aggs(selection: Selection) -> dict:
    """Per filter value, over the whole index: publications having it (0: unknown) and
    their values in that facet (the real values it matches, a topic's neighbours too)."""
    checks = {}
    for facet, values in selection.filters.items():
        if values and facet in FACET_FIELDS:
            checks[facet] = {"filters": {"filters": {
                str(i): {"term": {_field(facet, True): str(v)}} for i, v in enumerate(values)}},
                "aggs": {"values": {"terms": {"field": _field(facet, False),
                                              "size": SHARD_SIZE}}}}
    return {"matched": {"global": {}, "aggs": checks}} if checks else {}


def search_body(selection: Selection, query: dict, sort: str, scored: bool, start: int,
                stop: int, facet_limit: int | None) -> dict:
    """The body of the one _search request that answers `find`."""
    filters = filter_clauses(selection.filters)
    date = date_clause(selection)
    sorting = sort_clause(sort, scored)
    body: dict = {
        "query": {"bool": {"must": [query], "filter": [date] if date else []}},
        "sort": sorting,
        "from": start,
        "size": max(0, stop - start),
        "track_total_hits": True,
        "collapse": {"field": "group"},
        "aggs": {"total": {"filter": _all(filters.values()), "aggs": {"groups": {
            "cardinality": {"field": "group",
                            "precision_threshold": CARDINALITY_PRECISION}}}},
                 **_matched_aggs(selection)},
    }
    if filters:
        body["post_filter"] = _all(filters.values())
    if facet_limit is not None:
        body["aggs"].update(_facet_aggs(filters, selection, facet_limit))
    return body


def _facet_values(agg: dict, facet: str, chosen: set[str], limit: int):
    """`chosen`: the real values the facet's filter matches, listed even with no count."""
    counts = {b["key"]: b["groups"]["value"] for b in agg["values"]["buckets"]}
    within = {b["key"]: b["groups"]["value"]
              for b in agg.get("selected", {}).get("values", {}).get("buckets", [])}
    for value in chosen:
        counts.setdefault(value, within.get(value, 0))
    if facet == "year":
        order = sorted(counts, reverse=True)
    else:
        order = sorted(counts, key=lambda v: (-counts[v], v))
    top = order[:limit] + [v for v in order[limit:] if v in chosen]
    return tuple(FacetValue(v, int(counts[v]), v in chosen) for v in top)


def parse_facets(aggs: dict, chosen: Mapping[str, set[str]] | None, limit: int) -> dict:
    """`chosen`: facet -> the real values its filter matches (`matched`)."""
    chosen = chosen or {}
    return {facet: _facet_values(aggs[f"facet_{facet}"], facet, chosen.get(facet, set()),
                                 limit)
            for facet in FACETS if f"facet_{facet}" in aggs}


def matched(aggs: dict, selection: Selection) -> tuple[dict[str, set[str]], dict]:
    """(facet -> the real values its filter matches, facet -> the filter values no
    publication has) from the `matched` aggregation."""
    chosen, unknown = {}, {}
    for facet, agg in aggs.get("matched", {}).items():
        if not isinstance(agg, dict) or "buckets" not in agg:
            continue  # the global aggregation's own doc_count
        values = selection.filters[facet]
        found = [agg["buckets"][str(i)] for i in range(len(values))]
        chosen[facet] = {b["key"] for value, bucket in zip(values, found, strict=True)
                         for b in bucket["values"]["buckets"]
                         if facet_key(b["key"]) == facet_key(value)}  # not its neighbours
        missing = tuple(v for v, b in zip(values, found, strict=True) if not b["doc_count"])
        if missing:
            unknown[facet] = missing
    return chosen, unknown


def facets_body(limit: int) -> dict:
    """Every facet's values over all publications (facet_values)."""
    return {"size": 0, "query": {"match_all": {}},
            "aggs": _facet_aggs({}, Selection(), limit)}


def shown_groups(resp: dict) -> list[str]:
    return [hit["_source"]["group"] for hit in resp["hits"]["hits"]]


def parse_found(resp: dict, selection: Selection, scored: bool, facet_limit: int | None,
                copies: Mapping[str, list[dict]]) -> Found:
    """`copies`: group -> its matching members (hits.copies_of)."""
    aggs = resp.get("aggregations", {})
    hits = [folded_hit(hit, copies, scored) for hit in resp["hits"]["hits"]]
    chosen, unknown = matched(aggs, selection)
    facets = parse_facets(aggs, chosen, facet_limit) if facet_limit is not None else {}
    total = int(aggs["total"]["groups"]["value"])
    # (the group count is an estimate past CARDINALITY_PRECISION: never below nothing)
    copies = max(0, int(aggs["total"]["doc_count"]) - total)
    return Found(total=total, hits=tuple(hits), facets=facets, unknown=unknown,
                 copies_total=copies)
