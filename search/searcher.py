"""search(request) -> SearchResult over the live index generation.

A SearchService opens the index once and keeps its searcher, facet arrays and
vocabulary until the generation changes on disk; it checks for that at most every
`reload_interval` seconds, so every process sees a reindex within a second.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterator
from dataclasses import replace
from itertools import islice

import numpy as np
from whoosh import query as wq

from search.duplicates import collapse
from search.errors import NotFound
from search.exporting import export_hits
from search.facets import FacetTable, combine
from search.highlight import make_snippet
from search.models import FACETS, Hit, SearchRequest, SearchResult
from search.query import ParsedQuery, QueryParser
from search.ranking import rerank, weighting
from search.records import to_hit, to_record
from search.settings import Settings
from search.similar import similar
from search.spelling import suggest_correction
from search.store import IndexLocation
from search.suggest import suggest
from search.synonyms import SynonymDictionary
from search.view import RESPONSE_CACHE_MAX_HITS, IndexView

__all__ = ["SearchService", "IndexView"]

FACET_LABELS = {"topic": "тема", "author": "автор", "library": "библиотека"}
PARTIAL_BELOW = 10  # fewer full matches than this on page 1: partial ones shown apart


class SearchService:
    """The search side of the core, shared by the CLI and the API."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.location = IndexLocation(settings.index_dir)
        self.parser = QueryParser(SynonymDictionary.load(settings.synonyms_file),
                                  title_boost=settings.title_boost)
        self._view: IndexView | None = None
        self._checked = 0.0
        self._cache_bytes = settings.postings_cache_mb * 2**20

    # -- index lifecycle -----------------------------------------------------------
    def view(self) -> IndexView:
        """The current generation, reopened when it changed on disk."""
        now = time.monotonic()
        if self._view is not None and now - self._checked < self.settings.reload_interval:
            return self._view
        self._checked = now
        name = self.location.current_name()
        view = self._view
        if view is None or view.name != name:
            self._swap(self._open())
        elif not view.searcher.up_to_date():
            # A new reader, not searcher.refresh(): Whoosh's refresh reuses segment readers
            # whose deleted-document sets are stale, so updated documents appeared twice.
            # The old searcher is closed so its file handles do not pile up.
            searcher = view.index.searcher(weighting=weighting())
            info = self.location.current()
            view.searcher.close()
            self._view = IndexView(view.name, view.index, searcher, FacetTable(searcher),
                                   info.built_at, self._cache_bytes, info.path)
        return self._view

    def invalidate(self) -> None:
        """Look at the disk on the next call: this process has just written to the index."""
        self._checked = float("-inf")

    def _open(self) -> IndexView:
        info = self.location.current()
        ix = self.location.open_current()
        searcher = ix.searcher(weighting=weighting())
        return IndexView(info.name, ix, searcher, FacetTable(searcher), info.built_at,
                         self._cache_bytes, info.path)

    def _swap(self, new: IndexView) -> None:
        old, self._view = self._view, new
        if old is not None:
            old.close()
        # An open index is hundreds of thousands of long-lived objects; left to the cyclic
        # collector, each full collection walks them all (up to 0.8 s at 100,000
        # publications, in the middle of a request). Frozen, they are skipped; the old
        # generation's objects are unfrozen first, so they can still be collected.
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def close(self) -> None:
        if self._view is not None:
            self._view.close()
            self._view = None

    # -- search --------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        """The result of a request; repeated requests are answered from a per-generation cache."""
        view = self.view()
        if request.page * request.per_page > RESPONSE_CACHE_MAX_HITS:
            return self._search(view, request)
        key = (request, dt.date.today())  # the recency bonus depends on today
        result = view.cached(key)
        if result is None:
            result = self._search(view, request)
            view.remember(key, result)
        return result

    def _search(self, view: IndexView, request: SearchRequest) -> SearchResult:
        parsed = self.parser.parse(request.q) if not request.browsing else None
        result = self._run(view, request, parsed)
        if parsed is None or not (result.total < 3 or result.relaxed):
            return result
        correction = suggest_correction(view.spelling, request.q)
        if not correction or correction.text == request.q:
            return result
        fixed = self._corrected(view, request, result, correction)
        return fixed if fixed is not None else replace(result, did_you_mean=correction.text)

    def _corrected(self, view: IndexView, request: SearchRequest, result: SearchResult,
                   correction) -> SearchResult | None:
        """The result of the corrected query, labelled, when it is better than `result`."""
        if not (correction.confident and (result.total == 0 or correction.layout
                                          or result.relaxed)):
            return None
        fixed = self._run(view, request, self.parser.parse(correction.text))
        # Latin gibberish that spells Russian words is never meant as typed.
        if not (fixed.total > result.total or (fixed.total and (
                correction.layout or (result.relaxed and not fixed.relaxed)))):
            return None
        reason = (f"ничего не найдено по запросу «{request.q}»" if not result.total
                  else f"запрос «{request.q}» набран в латинской раскладке"
                  if correction.layout else
                  f"не все слова запроса «{request.q}» найдены")
        warning = f"{reason}; показаны результаты по запросу «{correction.text}»"
        return replace(fixed, query=request.q, did_you_mean=correction.text, corrected=True,
                       warnings=(*fixed.warnings, warning))

    def _run(self, view: IndexView, request: SearchRequest,
             parsed: ParsedQuery | None) -> SearchResult:
        table = view.facets
        relaxed = False
        warnings = list(parsed.warnings) if parsed else []
        scores = None
        memo: dict = {}  # sub-queries shared by the strict and the relaxed query
        if parsed is None:
            base = table.live.copy()
        else:
            # What the rule of search/query.py matches, and nothing else: partial matches
            # are shown only when nothing meets it, and then labelled `relaxed`.
            scores = self.match(view, parsed.query, memo)
            base = np.isfinite(scores)
            if not base.any() and parsed.relaxed is not None:
                scores = self.match(view, parsed.relaxed, memo)
                base = np.isfinite(scores)
                if base.any():
                    relaxed = True
                    parsed = parsed.relaxing(warnings)
                    warnings.append("не найдено публикаций со всеми словами запроса; "
                                    "показаны частичные совпадения")
        filters = {name: table.mask_for(name, values)
                   for name, values in request.filters().items()}
        for name, values in request.filters().items():
            if name != "year":
                warnings += [f"нет публикаций со значением «{value}» в фильтре "
                             f"«{FACET_LABELS.get(name, name)}»"
                             for value in table.unknown(name, values)]
        filters["date"] = table.date_mask(request.date_from, request.date_to)
        final = combine(base, filters.values())
        facets = {}
        if request.facets:
            for name in FACETS:
                others = [m for key, m in filters.items() if key != name]
                facets[name] = table.count(name, combine(base, others),
                                           request.filters()[name], self.settings.facet_limit)
        total = _distinct(table.groups, final)  # copies of one publication count once
        hits = self._page(view, request, parsed, final, total, scores)
        partial, partial_total = [], 0
        if (not relaxed and parsed is not None and parsed.plain and parsed.relaxed is not None
                and 0 < total < PARTIAL_BELOW and request.page == 1
                and request.sort == "relevance"):
            partial, partial_total = self._partial(view, request, parsed, base, filters, memo)
        return SearchResult(request.q, total, request.page, request.per_page, hits, facets,
                            relaxed=relaxed, warnings=warnings, partial=partial,
                            partial_total=partial_total)

    def _partial(self, view, request, parsed, full, filters, memo) -> tuple[list[Hit], int]:
        """The best publications meeting only the relaxed rule, as a block of their own."""
        scores = self.match(view, parsed.relaxed, memo)
        only = combine(np.isfinite(scores) & ~full, filters.values())
        count = _distinct(view.facets.groups, only)
        if not count:
            return [], 0
        relaxed = parsed.relaxing([])
        ranked = rerank(view, relaxed, only, scores, request.per_page + int(only.sum()) - count,
                        self.settings)
        return self._collapsed(view, [d for d, _ in ranked], dict(ranked), only, relaxed,
                               request.snippets, 0, request.per_page), count

    def match(self, view: IndexView, query: wq.Query, memo: dict) -> np.ndarray:
        """BM25F score of every document, -inf where `query` does not match.

        Numpy over posting arrays (search/scoring.py) instead of Whoosh's collector,
        which spent close to half of a search stepping its matcher tree in Python.
        """
        scores = view.scorer.match(query, memo)
        scores[~view.facets.live] = -np.inf
        return scores

    def _page(self, view, request, parsed, final, total, scores) -> list[Hit]:
        start = (request.page - 1) * request.per_page
        if start >= total:
            return []
        needed = start + request.per_page
        if parsed is None or request.sort != "relevance":
            docnums = np.flatnonzero(final)
            days = view.facets.days[docnums]
            order = np.lexsort((docnums, -days if request.sort != "date_asc" else days))
            ordered, score_of = docnums[order].tolist(), {}
        else:
            copies = int(final.sum()) - total  # ranked too, then folded into their first
            ranked = rerank(view, parsed, final, scores, needed + copies, self.settings)
            ordered, score_of = [d for d, _ in ranked], dict(ranked)
        return self._collapsed(view, ordered, score_of, final, parsed, request.snippets,
                               start, needed)

    def _collapsed(self, view, ordered: list[int], score_of: dict, final, parsed,
                   snippets: bool, start: int, stop: int) -> list[Hit]:
        """Hits start..stop of `ordered`, each group of copies as one (walking no further)."""
        table = view.facets
        groups = collapse(ordered, table.groups, stop,
                          lambda g: np.flatnonzero(final & (table.groups == g)).tolist(),
                          table.group_sizes)
        return [self.hit(view, docnum, score_of.get(docnum), parsed, snippets,
                         [view.doc_id(d) for d in others])
                for docnum, others in groups[start:stop]]

    def hit(self, view, docnum: int, score, parsed, with_snippet: bool,
             copies: list[str] | None = None) -> Hit:
        fields = view.searcher.stored_fields(docnum)
        if with_snippet and parsed is not None:
            snippet = make_snippet(fields.get("body", ""), parsed.lemmas, parsed.forms,
                                   _prefixes(parsed))
        else:
            snippet = make_snippet(fields.get("body", ""), frozenset()) if with_snippet else ""
        return to_hit(fields, snippet, score, copies)

    # -- records -------------------------------------------------------------------
    def get(self, pid: str) -> dict:
        """The full stored record of one publication."""
        view = self.view()
        fields = view.searcher.document(id=pid)
        if fields is None:
            raise NotFound(f"no publication with id {pid!r}")
        return to_record(fields)

    def similar(self, pid: str, limit: int = 5) -> list[Hit]:
        """Publications about the same things as this one."""
        return similar(self.view(), pid, limit, self.settings.title_boost)

    def suggest(self, text: str, limit: int = 10) -> list[dict]:
        """Completions for the search box."""
        return suggest(self.view().vocabulary, text, limit)

    def export(self, request: SearchRequest, limit: int = 100_000) -> list[Hit]:
        """Every matching publication (not just a page), in the request's order."""
        return list(islice(self.export_hits(request), limit))

    def export_hits(self, request: SearchRequest, batch: int = 500) -> Iterator[Hit]:
        """Every match in the request's order, read a batch at a time (search/exporting.py)."""
        return export_hits(self, request, batch)

    def all_facets(self) -> dict:
        view = self.view()
        mask = view.facets.live
        return {name: [v.__dict__ for v in view.facets.count(name, mask, (), 10_000)]
                for name in FACETS}

    def health(self) -> dict:
        view = self.view()
        return {"generation": view.name, "documents": int(view.searcher.doc_count()),
                "last_reindex": view.built_at}


def _distinct(groups: np.ndarray, mask: np.ndarray) -> int:
    return int(len(np.unique(groups[mask])))


def _prefixes(parsed: ParsedQuery) -> tuple[str, ...]:
    return tuple(w.rstrip("*").lower() for w in parsed.words if w.endswith("*"))
