"""Exports: every match of a request, streamed a batch at a time in the request's order.

The first RESPONSE_CACHE_MAX_HITS hits are the search's own first page (same correction,
same ranking); the rest follow by BM25F score and recency (date sorts: by date), copies
of one publication folded into its first as on the page, so no list of every hit is
ever built and memory stays flat however many rows go out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from search.facets import combine
from search.models import Hit, SearchRequest
from search.query import ParsedQuery
from search.ranking import recency_factor
from search.settings import Settings
from search.view import RESPONSE_CACHE_MAX_HITS, IndexView

__all__ = ["export_hits"]

def export_hits(service, request: SearchRequest, batch: int = 500) -> Iterator[Hit]:
    """Every match of `request` for a SearchService, in order, a batch at a time."""
    head = service.search(replace(request, page=1, per_page=RESPONSE_CACHE_MAX_HITS,
                                  facets=False))
    yield from head.hits
    if head.total <= len(head.hits):
        return
    view = service.view()
    q = head.did_you_mean if head.corrected and head.did_you_mean else request.q
    parsed = service.parser.parse(q) if q.strip() else None
    final, scores = _selection(service, view, request, parsed, head.relaxed)
    groups = view.facets.groups
    shown = [view.searcher.document_number(id=hit.id) for hit in head.hits]
    seen = {int(groups[d]) for d in shown if d is not None}  # groups, not ids: flat memory
    copies = _copies_within(groups, final)
    order, keys = _order(view, request, final, scores, service.settings)
    ranked = scores is not None and request.sort == "relevance"
    for start in range(0, len(order), batch):
        for docnum, score in zip(order[start:start + batch].tolist(),
                                 keys[start:start + batch].tolist(), strict=True):
            group = int(groups[docnum])
            if group in seen:
                continue  # shown above, or a copy of a publication shown above
            if group in copies:
                seen.add(group)
            others = [view.doc_id(d) for d in copies.get(group, ()) if d != docnum]
            yield service.hit(view, docnum, score if ranked else None, parsed,
                              request.snippets, others)


def _selection(service, view: IndexView, request: SearchRequest,
               parsed: ParsedQuery | None, relaxed: bool):
    """The documents of a request (as the search selects them) and their scores."""
    table = view.facets
    scores = None
    if parsed is None:
        base = table.live.copy()
    else:
        query = parsed.relaxed if relaxed and parsed.relaxed is not None else parsed.query
        scores = service.match(view, query, {})
        base = np.isfinite(scores)
    masks = [table.mask_for(name, values) for name, values in request.filters().items()]
    masks.append(table.date_mask(request.date_from, request.date_to))
    return combine(base, masks), scores


def _copies_within(groups: np.ndarray, mask: np.ndarray) -> dict[int, list[int]]:
    """Group -> its documents in `mask`, for the groups with more than one there."""
    docnums = np.flatnonzero(mask)
    values, counts = np.unique(groups[docnums], return_counts=True)
    shared = values[counts > 1]
    found: dict[int, list[int]] = {}
    if len(shared):
        inside = docnums[np.isin(groups[docnums], shared)]
        for docnum, group in zip(inside.tolist(), groups[inside].tolist(), strict=True):
            found.setdefault(group, []).append(docnum)
    return found


def _order(view: IndexView, request: SearchRequest, final: np.ndarray,
           scores: np.ndarray | None, settings: Settings):
    """Document numbers of `final` in the request's order, with their sort keys."""
    docnums = np.flatnonzero(final)
    days = view.facets.days[docnums]
    if scores is None or request.sort != "relevance":
        order = np.lexsort((docnums, -days if request.sort != "date_asc" else days))
        return docnums[order], np.zeros(len(order))
    today = dt.date.today()
    factors = np.array([recency_factor(int(d), today, settings.recency_weight,
                                       settings.recency_half_life_days) for d in days.tolist()])
    keys = scores[docnums] * factors
    order = np.lexsort((docnums, -keys))
    return docnums[order], keys[order]
