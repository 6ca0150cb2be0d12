"""Every match of a selection in order, for exports, without building a list of hits.

Matches follow by BM25F score and recency (date sorts: by date, undated last), copies of one
publication folded into its first as on the page; groups already shown (the export's
first page, taken from the search itself) are skipped. Memory stays flat however many
rows go out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import numpy as np

from search.duplicates import shown_copy
from search.engine.whoosh.ranking import prior_factors
from search.engine.whoosh.view import IndexView
from search.settings import Settings

__all__ = ["ordered_matches"]


def ordered_matches(view: IndexView, final: np.ndarray, scores: np.ndarray | None, sort: str,
                    shown: Collection[str], settings: Settings,
                    batch: int) -> Iterator[tuple[int, float | None, list[str]]]:
    """(docnum, score, ids of its copies) of every match of `final` not in `shown`'s groups."""
    groups = view.facets.groups
    numbers = (view.searcher.document_number(id=pid) for pid in shown)
    seen = {int(groups[d]) for d in numbers if d is not None}  # groups, not ids: flat memory
    copies = _copies_within(groups, final)
    order, keys = _order(view, sort, final, scores, settings)
    ranked = scores is not None and sort == "relevance"
    for start in range(0, len(order), batch):
        for docnum, score in zip(order[start:start + batch].tolist(),
                                 keys[start:start + batch].tolist(), strict=True):
            group = int(groups[docnum])
            if group in seen:
                continue  # shown above, or a copy of a publication shown above
            if group in copies:
                seen.add(group)
            shown, others = shown_copy(copies[group], view.doc_id) if group in copies else (
                docnum, [])
            yield shown, score if ranked else None, [view.doc_id(d) for d in others]


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


def _order(view: IndexView, sort: str, final: np.ndarray, scores: np.ndarray | None,
           settings: Settings):
    """Document numbers of `final` in the request's order, with their sort keys."""
    if scores is None or sort != "relevance":
        ordered = view.facets.by_date(final, sort == "date_asc")
        return ordered, np.zeros(len(ordered))
    docnums = np.flatnonzero(final)
    keys = scores[docnums] * prior_factors(view, docnums, settings)
    order = np.lexsort((docnums, -keys))
    return docnums[order], keys[order]
