"""search(request) -> SearchResult: the search policy, written once over any engine.

What a query matches (search/query.py), relaxing when nothing matches, corrections,
the separate block of partial matches, snippets and the response cache live here; the
engine (search/engine) only evaluates selections: match, filter, count, rank and page.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from itertools import islice

from search import nodes
from search.correction import (
    Correction,
    as_beginning,
    has_latin_words,
    labelled,
    suggest_correction,
)
from search.engine import Engine, EngineHit, Found, RankHints, Selection, open_engine
from search.facet_hints import (
    topic_hint_warning,
    topic_hints,
    unknown_value_warnings,
    years_outside_the_period,
    years_without_publications,
)
from search.highlight import make_snippet
from search.models import Hit, SearchRequest, SearchResult
from search.other_requests import OtherRequests
from search.query import ParsedQuery, QueryParser
from search.records import hit_of
from search.response_cache import RESPONSE_CACHE_SIZE, ResponseCache
from search.settings import Settings
from search.spelling import SpellingLexicon, needs_correction, unknown_word
from search.synonyms import SynonymDictionary
from search.word_rules import asks_for_the_newest, may_ask_for_the_newest

__all__ = ["SearchService", "RESPONSE_CACHE_SIZE", "RESPONSE_CACHE_MAX_HITS"]

PARTIAL_BELOW = 10  # fewer full matches than this: partial ones shown apart, after them
# Fewer than this: a topic named by the query's words, holding more publications than
# were found, is offered (`краеведение` had found 4 marginal texts on the real corpus,
# before its derivations counted, while the topic «Краеведение» holds 18; only with
# nothing found before, a librarian's trial).
TOPIC_HINT_BELOW = 5
RESPONSE_CACHE_MAX_HITS = 100  # larger pages (exports) are not cached


class SearchService(OtherRequests):
    """The search side of the core, shared by the CLI and the API."""

    def __init__(self, settings: Settings, engine: Engine | None = None):
        self.settings = settings
        self.engine = engine or open_engine(settings)
        synonyms = SynonymDictionary.load(settings.synonyms_file)
        self.parser = QueryParser(synonyms, title_boost=settings.title_boost)
        self._synonym_words = synonyms.words()  # never typos (_spelling)
        # the engine's lexicon, and _spelling's over it
        self._lexicons: tuple[SpellingLexicon, SpellingLexicon] | None = None
        self._responses: ResponseCache[SearchResult] = ResponseCache()
        self._facet_values: tuple[str | None, dict[str, tuple[str, ...]]] = (None, {})

    def view(self):
        """The Whoosh engine's open generation (benchmarks and Whoosh-only tests)."""
        return self.engine.view()

    def close(self) -> None:
        self.engine.close()

    # -- search --------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        """The result of a request; repeated requests are answered from a per-generation cache."""
        with self.engine.pinned():  # one generation for the whole search
            if request.page * request.per_page > RESPONSE_CACHE_MAX_HITS:
                return self._search(request)
            return self._responses.get(self.engine.generation(), (request, dt.date.today()),
                                       lambda: self._search(request))  # today: recency

    def _search(self, request: SearchRequest) -> SearchResult:
        request, notes = self._resolved(request)
        newest = self._newest(request)
        if newest is not None:  # `последние новости`: what a browse shows
            found = self._searched(newest)
            said = f"«{request.q}»: показаны все публикации, сначала новые"
            return replace(found, query=request.q, warnings=(*notes, said, *found.warnings))
        result = self._searched(request)
        # Enter pressed on a word half typed (`выста`): the words it begins, when nothing
        # or only part was found, or a correction found fewer (`выста` had been read as
        # «ввста», a slip in one text, one edit away)
        begun = as_beginning(request.q, self._spelling) \
            if (not result.total or result.relaxed) and not result.did_you_mean \
            or result.corrected else None
        if begun:
            found = self._searched(replace(request, q=begun))
            if found.total > (result.total if result.corrected and not result.relaxed else 0) \
                    and not found.relaxed and not found.corrected:
                typed = 0 if result.corrected and not result.relaxed else result.total
                result = labelled(request.q, found, Correction(begun, True, beginning=True),
                                  typed)
        return replace(result, warnings=(*notes, *result.warnings)) if notes else result

    def _newest(self, request: SearchRequest) -> SearchRequest | None:
        """A browse, newest first, for a query that only asks for the newest
        publications (search/word_rules.py asks_for_the_newest), else None."""
        if request.sort != "relevance" or request.browsing \
                or not may_ask_for_the_newest(request.q):
            return None
        parsed = self.parser.parse(request.q)
        if not (parsed.plain and asks_for_the_newest(list(parsed.words))):
            return None
        return replace(request, q="", sort="date_desc")

    def _searched(self, request: SearchRequest) -> SearchResult:
        parsed = self.parser.parse(request.q) if not request.browsing else None
        found = self._find(request, parsed)
        # Fewer than 3 full matches: a correction may do better. It is tried before the
        # partial matches and snippets of what was typed are made, which a corrected
        # result would throw away (the dearest part of a misspelled query's search).
        if parsed is None:
            return self._finish(request, parsed, found)
        # A word neither the index nor the dictionary knows, nor a name, is corrected even
        # when its stem found something (`викторена`: «Виктора», `пушкен`: «Пушков»);
        # Latin words are read anyway (a link in some text may hold `prezident`).
        lexicon = self._spelling()
        typo = any(needs_correction(lexicon, w) for w in _whole_words(parsed))
        if found.total >= 3 and not typo and not has_latin_words(parsed.words):
            return self._finish_with_offer(request, parsed, found)
        correction = suggest_correction(lexicon, request.q)
        if not correction or correction.text == request.q:
            return self._finish(request, parsed, found)
        fixed = None
        if correction.confident and (found.total == 0 or correction.retyped or typo):
            fixed = self._run(request, self.parser.parse(correction.text))
            # Latin gibberish that spells Russian words is never meant as typed.
            if fixed.total and (not fixed.relaxed or correction.retyped):
                typed = found.total if found.total or correction.retyped \
                    else self._partly(request, parsed)
                return labelled(request.q, fixed, correction, typed, bool(typo and found.total))
        result = self._finish(request, parsed, found)
        # a relaxed correction against what was typed: kept only when it finds more
        if fixed is not None and fixed.total > result.total:
            return labelled(request.q, fixed, correction, result.total)
        return replace(result, did_you_mean=correction.text, correction=correction.kind)

    def _spelling(self) -> SpellingLexicon:
        """The engine's spelling lexicon, knowing the synonyms dictionary's words too."""
        source = self.engine.spelling()
        if self._lexicons is None or self._lexicons[0] is not source:
            self._lexicons = (source, source.knowing(self._synonym_words))
        return self._lexicons[1]

    def _finish_with_offer(self, request: SearchRequest, parsed: ParsedQuery,
                           found: Found) -> SearchResult:
        result = self._finish(request, parsed, found)
        lexicon = self._spelling()
        if not parsed.plain or not any(unknown_word(lexicon, w) for w in _whole_words(parsed)):
            return result
        correction = suggest_correction(lexicon, request.q)
        if not correction or correction.text == request.q:
            return result
        return replace(result, did_you_mean=correction.text, correction=correction.kind)

    def _partly(self, request: SearchRequest, parsed: ParsedQuery) -> int:
        """How many publications match the typed query's partial rule (counted only)."""
        if parsed.relaxed is None:
            return 0
        return self.engine.find(self.selection(request, parsed.relaxed, parsed),
                                request.sort, 0, 0, None).total

    def selection(self, request: SearchRequest, query: nodes.Node | None,
                  parsed: ParsedQuery | None) -> Selection:
        return Selection(query, {k: v for k, v in request.filters().items() if v},
                         request.date_from, request.date_to, hints_of(parsed))

    def _run(self, request: SearchRequest, parsed: ParsedQuery | None) -> SearchResult:
        return self._finish(request, parsed, self._find(request, parsed))

    def _find(self, request: SearchRequest, parsed: ParsedQuery | None) -> Found:
        """The engine's page of what the query matches by its rule (not relaxed)."""
        query = None if parsed is None else parsed.query
        return self.engine.find(self.selection(request, query, parsed),
                                _sort(request, query), *self._window(request))

    def _window(self, request: SearchRequest) -> tuple[int, int, int | None]:
        """(start, stop, facet_limit) of a request's page."""
        start = (request.page - 1) * request.per_page
        return start, start + request.per_page, (
            self.settings.facet_limit if request.facets else None)

    def _finish(self, request: SearchRequest, parsed: ParsedQuery | None,
                found: Found) -> SearchResult:
        """The result around the engine's `found`: partial matches when it is empty (or
        apart, when it is small), warnings, snippets."""
        relaxed = False
        warnings = [*request.notes, *(parsed.warnings if parsed else ())]
        start, stop, facet_limit = self._window(request)
        # What the rule of search/query.py matches, and nothing else: partial matches
        # are shown only when nothing meets it, and then labelled `relaxed`.
        if parsed is not None and not found.total and parsed.relaxed is not None:
            loose = self.engine.find(self.selection(request, parsed.relaxed, parsed),
                                     request.sort, start, stop, facet_limit)
            if loose.total:
                found, relaxed = loose, True
                parsed = parsed.relaxing(warnings)
                warnings.append("не найдено публикаций со всеми словами запроса; "
                                "показаны частичные совпадения")
        facet_values = cache(self.engine.facet_values)  # asked at most once, only for hints
        warnings += unknown_value_warnings(found.unknown, facet_values)
        hinted = []
        # Only the words found nothing or little: with a filter, the filter may be why.
        if (found.total < TOPIC_HINT_BELOW and parsed is not None and parsed.plain
                and _unfiltered(request) and request.page == 1):
            hinted = [topic for topic in topic_hints(parsed.words, facet_values)
                      if topic.count > found.total]
            warnings += [topic_hint_warning(topic) for topic in hinted]
        warnings += years_outside_the_period(request, found.unknown.get("year", ()))
        if parsed is not None and parsed.years and request.page == 1:
            warnings += years_without_publications(parsed.years, facet_values)
        if not found.hits and found.total and request.page > 1:
            pages = math.ceil(found.total / request.per_page)
            warnings.append(f"страницы {request.page} нет: всего страниц — {pages}")
        hits = [self.hit(h, parsed, request.snippets) for h in found.hits]
        partial, partial_total = [], 0
        if (not relaxed and parsed is not None and parsed.plain and parsed.supplement is not None
                and 0 < found.total < PARTIAL_BELOW and request.sort == "relevance"
                and _last_full_page(request, found.total)):
            only = nodes.AndNot(parsed.supplement, parsed.query)
            loose = parsed.relaxing([])
            more = self.engine.find(self.selection(request, only, loose), "relevance", 0,
                                    request.per_page, None)
            partial = [self.hit(h, loose, request.snippets) for h in more.hits]
            partial_total = more.total
        return SearchResult(request.q, found.total, request.page, request.per_page, hits,
                            found.facets, relaxed=relaxed, partial=partial,
                            warnings=list(dict.fromkeys(warnings)),  # `**********`: one, not 10
                            topic_hints=hinted, partial_total=partial_total,
                            copies_total=found.copies_total)

    def hit(self, found: EngineHit, parsed: ParsedQuery | None, with_snippet: bool) -> Hit:
        text = found.publication.text
        if with_snippet and parsed is not None:
            snippet = make_snippet(text, parsed.lemmas, parsed.forms, _prefixes(parsed),
                                   stems=parsed.stems)
        else:
            snippet = make_snippet(text, frozenset()) if with_snippet else ""
        return hit_of(found.publication, snippet, found.score, found.copies)

    def export(self, request: SearchRequest, limit: int = 100_000) -> list[Hit]:
        """Every matching publication (not just a page), in the request's order."""
        return list(islice(self.export_hits(request), limit))

    def export_head(self, request: SearchRequest) -> SearchResult:
        """The search an export of `request` begins with: what it searched (a correction),
        and whether it holds partial matches (nothing matched fully)."""
        return self.search(self._export_head(request))

    @staticmethod
    def _export_head(request: SearchRequest) -> SearchRequest:
        return replace(request, page=1, per_page=RESPONSE_CACHE_MAX_HITS, facets=False)

    def export_hits(self, request: SearchRequest, batch: int = 500) -> Iterator[Hit]:
        """Every match in the request's order, streamed a batch at a time.

        The first RESPONSE_CACHE_MAX_HITS hits are the search's own first page (same
        correction, same ranking); the rest follow in the engine's order."""
        request = self._newest(request) or request
        head = self.search(self._export_head(request))
        yield from head.hits
        if head.total <= len(head.hits):
            return
        q = head.did_you_mean if head.corrected and head.did_you_mean else request.q
        parsed = self.parser.parse(q) if q.strip() else None
        query = None
        if parsed is not None:
            query = parsed.relaxed if head.relaxed and parsed.relaxed is not None \
                else parsed.query
        request, _ = self._resolved(request)  # the filters as the first page read them
        shown = [hit.id for hit in head.hits]
        for found in self.engine.iter_hits(self.selection(request, query, parsed),
                                           _sort(request, query), batch, shown):
            yield self.hit(found, parsed, request.snippets)


def hints_of(parsed: ParsedQuery | None) -> RankHints:
    if parsed is None:
        return RankHints()
    return RankHints(parsed.content_lemmas, parsed.forms, parsed.words, parsed.plain)


def _prefixes(parsed: ParsedQuery) -> tuple[str, ...]:
    return tuple(w.rstrip("*").lower() for w in parsed.words if w.endswith("*"))


def _last_full_page(request: SearchRequest, total: int) -> bool:
    """Whether the full matches end on this page: partial ones come after all of them
    (with 3 a page, page 1 of 6 full matches had shown 3 partial ones before page 2)."""
    return (request.page - 1) * request.per_page < total <= request.page * request.per_page


def _unfiltered(request: SearchRequest) -> bool:
    return not (any(request.filters().values()) or request.date_from or request.date_to)


def _sort(request: SearchRequest, query: nodes.Node | None) -> str:
    """The request's order; relevance of a query of exclusions only (`-война`), which
    scores nothing, is the newest first, as a browse is, on every engine."""
    if request.sort == "relevance" and (isinstance(query, nodes.Every) or (
            isinstance(query, nodes.AndNot) and isinstance(query.positive, nodes.Every))):
        return "date_desc"
    return request.sort


def _whole_words(parsed: ParsedQuery) -> list[str]:
    """The words typed whole: a prefix (`библиот*`) is never taken for a typo."""
    return [w for w in parsed.words if not w.endswith("*")]
