"""Finding in a WhooshEngine's open generation (search/engine/whoosh/engine.py mixes this
in): scores of a query, the filters and facet counts of a selection, a page of hits with
copies folded into their first, and every match of an export."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import numpy as np

from search.duplicates import collapse_page, shown_copy
from search.engine import EngineHit, Found, Selection
from search.engine.whoosh.exporting import ordered_matches
from search.engine.whoosh.facets import combine
from search.engine.whoosh.ranking import rerank
from search.engine.whoosh.view import IndexView
from search.models import FACETS
from search.nodes import Node
from search.records import to_publication

__all__ = ["Finding"]

MEMO_ENTRIES = 16  # phrase, exact-form and sequence results kept per generation (strict, relaxed and partial share most); 16 is ~15 MB at 100,000 publications


class Finding:
    """The reading side of WhooshEngine over its `view()` and `settings`."""

    # -- reading -------------------------------------------------------------------
    def match(self, view: IndexView, query: Node) -> np.ndarray:
        """BM25F score of every document, -inf where `query` does not match.

        Numpy over posting arrays (search/engine/whoosh/scoring.py) instead of Whoosh's collector,
        which spent close to half of a search stepping its matcher tree in Python.
        """
        if len(view.memo) > MEMO_ENTRIES:
            view.memo.clear()
        scores = view.scorer.match(query, view.memo)
        scores[~view.facets.live] = -np.inf
        return scores

    def _selected(self, view: IndexView, selection: Selection):
        """(base, filter masks by facet, scores) of a selection."""
        table = view.facets
        scores = None
        if selection.query is None:
            base = table.live.copy()
        else:
            scores = self.match(view, selection.query)
            base = np.isfinite(scores)
        filters = {name: table.mask_for(name, tuple(values))
                   for name, values in selection.filters.items()}
        filters["date"] = table.date_mask(selection.date_from, selection.date_to)
        return base, filters, scores

    def find(self, selection: Selection, sort: str, start: int, stop: int,
             facet_limit: int | None) -> Found:
        view = self.view()
        table = view.facets
        base, filters, scores = self._selected(view, selection)
        final = combine(base, filters.values())
        facets = {}
        if facet_limit is not None:
            for name in FACETS:
                others = [m for key, m in filters.items() if key != name]
                facets[name] = tuple(table.count(name, combine(base, others),
                                                 tuple(selection.filters.get(name, ())),
                                                 facet_limit))
        unknown = {name: tuple(table.unknown(name, tuple(values)))
                   for name, values in selection.filters.items() if values}
        total = _distinct(table.groups, final)
        hits = self._page(view, selection, sort, final, total, scores, start, stop)
        return Found(total, tuple(hits), facets, {k: v for k, v in unknown.items() if v},
                     copies_total=int(final.sum()) - total)

    def _page(self, view, selection, sort, final, total, scores, start, stop) -> list[EngineHit]:
        if start >= min(total, stop):  # stop == start: counted only
            return []
        copies = int(final.sum()) - total  # ordered too, then folded into their first
        ordered_scores = None
        if scores is None or sort != "relevance":
            ordered = view.facets.by_date(final, sort == "date_asc")[:stop + copies]
        else:
            ordered, ordered_scores = rerank(view, selection.hints, final, scores,
                                             stop + copies, self.settings)
        table = view.facets
        groups = collapse_page(ordered, table.groups, start, stop,
                               lambda g: np.flatnonzero(final & (table.groups == g)).tolist(),
                               table.group_sizes)
        score_of = {}
        if ordered_scores is not None and groups:  # the scores of the page's hits
            on_page = np.isin(ordered, [docnum for docnum, _ in groups])
            score_of = dict(zip(ordered[on_page].tolist(), ordered_scores[on_page].tolist(),
                                strict=True))
        hits = []
        for first, others in groups:
            shown, rest = shown_copy([first, *others], view.doc_id) if others else (first, [])
            hits.append(self._hit(view, shown, score_of.get(first),
                                  [view.doc_id(d) for d in rest]))
        return hits

    def _hit(self, view, docnum: int, score, copies, keep: bool = True) -> EngineHit:
        """`keep`: among the view's kept Publications (pages; not the rows of an export)."""
        pub = view.publication(docnum) if keep else \
            to_publication(view.stored_fields(docnum))
        return EngineHit(pub, None if score is None else float(score), tuple(copies))

    def iter_hits(self, selection: Selection, sort: str, batch: int,
                  shown: Collection[str] = ()) -> Iterator[EngineHit]:
        view = self.view()
        base, filters, scores = self._selected(view, selection)
        final = combine(base, filters.values())
        for docnum, score, copies in ordered_matches(view, final, scores, sort, shown,
                                                     self.settings, batch):
            yield self._hit(view, docnum, score, copies, keep=False)


def _distinct(groups: np.ndarray, mask: np.ndarray) -> int:
    """How many groups of copies `mask` touches (a mark per group, not a sort or hash)."""
    picked = groups[mask]
    if not len(picked):
        return 0
    seen = np.zeros(int(groups.max()) + 1, bool)
    seen[picked] = True
    return int(np.count_nonzero(seen))
