"""In-process search benchmark: the whole API-level search and its parts, ours vs plain Whoosh.

    python -m bench.search                       # the real corpus, 600 queries
    python -m bench.search --docs 100000         # 100,000 generated documents

Runs a fixed seeded query set (bench/queries.py: one word, 2-3 words, phrases, a third
with a topic or year filter) through SearchService.search - top 10, facet counts for
topic, author, library and year, 10 snippets - exactly as the API calls it. Parts are
timed inside the same calls: facets = FacetTable.count, snippets = make_snippet,
query = the rest (parsing, matching, ranking, stored fields, spelling). Pass 1 starts
with an empty lemma cache (a fresh worker); the warm pass runs the set again with warm lemma
caches but without cached responses (a worker that has served for a while, meeting new
queries) - the figure the targets are checked against; the repeated pass runs it once
more, answered from the per-generation response cache. The baseline (bench/baseline.py) answers the same
strings with Whoosh's parser, groupedby facets and default highlighter; its parts are
timed as separate searches. Indexes are built once and cached in bench/out/indexes.
Writes bench/out/search.json and bench/out/queries.json.

    python -m bench.search --distinct 2000       # 2,000 requests of which none repeats

The distinct mode (bench/distinct.py) starts with empty caches, runs a warm-up set of
300 other requests, then the 2,000 measured ones once each (plain, misspelled, phrase,
filtered, browse), and prints n/p50/p95/p99/max per kind, the three slowest requests
of each kind re-timed and profiled (cProfile: the functions holding their time), and
how many measured requests the response cache answered (0: they are distinct). No
baseline: it knows neither date ranges, authors, sorting nor pages.
Writes bench/out/search-distinct.json and bench/out/distinct-queries.json.
"""

from __future__ import annotations

import sys
import time

from bench.baseline import BaselineSearch
from bench.corpus import prepare
from bench.indexes import ensure_indexes
from bench.queries import make_queries, save_queries
from bench.report import (
    common_parser,
    conditions,
    percentiles,
    print_conditions,
    ratio,
    write_result,
)

__all__ = ["main", "PartTimer", "clear_caches", "forget_requests"]

PARTS = ("whole", "query", "facets", "snippets")
# cold: empty caches (a fresh worker); warm: warm lemma caches, queries not seen before;
# repeated: the same queries again (answered from the response cache where there is one)
PASSES = ("cold", "warm", "repeated")
_BASE_PASS = {"repeated": "warm"}  # the baseline caches nothing: its warm pass is its repeat


class PartTimer:
    """Wraps FacetTable.count and the searcher's make_snippet to time them in place."""

    def __init__(self):
        import search.searcher as searcher_module
        from search.facets import FacetTable

        self.facets = self.snippets = 0.0
        count, snippet = FacetTable.count, searcher_module.make_snippet

        def timed_count(table, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return count(table, *args, **kwargs)
            finally:
                self.facets += time.perf_counter() - t0

        def timed_snippet(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return snippet(*args, **kwargs)
            finally:
                self.snippets += time.perf_counter() - t0

        FacetTable.count = timed_count
        searcher_module.make_snippet = timed_snippet

    def reset(self) -> None:
        self.facets = self.snippets = 0.0


def clear_caches(service, lemmas: bool) -> None:
    """Forget cached responses (and, for a cold start, lemmas and snippet words)."""
    from search import highlight, morph

    forget_requests(service, ("_responses", "_ids"))
    if lemmas:
        morph.clear_caches()
        for name in ("_word_keys", "surface_forms"):  # per-word caches of older/newer code
            if hasattr(highlight, name):
                getattr(highlight, name).cache_clear()


def forget_requests(service, names=("_responses",)) -> None:
    """Forget what is kept per request (whole responses, the query's snippet regex), so a
    request runs as if not seen before; per-document and per-word caches stay warm."""
    from search import highlight

    view = service.view()
    for name in names:
        for holder in (service, view):
            if hasattr(holder, name):
                getattr(holder, name).clear()
    if hasattr(highlight, "_matcher"):  # compiled snippet regex per query: not "seen before"
        highlight._matcher.cache_clear()


def run_ours(index_dir, queries, passes: int) -> dict:
    from search.models import SearchRequest
    from search.searcher import SearchService
    from search.settings import Settings

    service = SearchService(Settings.from_env({}, index_dir=index_dir, reload_interval=0.5))
    service.view()  # open the generation and read the facet columns once
    timer = PartTimer()
    runs = {}
    totals = 0
    for run in PASSES[:passes + 1]:
        if run != "repeated":
            clear_caches(service, lemmas=run == "cold")
        samples = {k: [] for k in PARTS}
        for bq in queries:
            request = SearchRequest(q=bq.q, topics=bq.topics, years=bq.years, per_page=10)
            timer.reset()
            t0 = time.perf_counter()
            result = service.search(request)
            whole = (time.perf_counter() - t0) * 1000
            totals += result.total
            samples["whole"].append(whole)
            samples["facets"].append(timer.facets * 1000)
            samples["snippets"].append(timer.snippets * 1000)
            samples["query"].append(whole - (timer.facets + timer.snippets) * 1000)
        runs[run] = {k: percentiles(v) for k, v in samples.items()}
    service.close()
    return {"passes": runs, "mean_total_hits": totals / (len(queries) * len(runs))}


def run_baseline(index_dir, queries, passes: int) -> dict:
    base = BaselineSearch(index_dir)
    runs = {}
    totals = 0
    for p in range(passes):
        samples = {k: [] for k in PARTS}
        for bq in queries:
            t0 = time.perf_counter()
            answer = base.full(bq.q, bq.filters)
            samples["whole"].append((time.perf_counter() - t0) * 1000)
            totals += answer["total"]
            t0 = time.perf_counter()
            results = base.top(bq.q, bq.filters)
            samples["query"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            base.snippets(results)
            samples["snippets"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            base.facet_counts(bq.q, bq.filters)
            samples["facets"].append((time.perf_counter() - t0) * 1000)
        runs[PASSES[p]] = {k: percentiles(v) for k, v in samples.items()}
    base.close()
    return {"passes": runs, "mean_total_hits": totals / (len(queries) * passes)}


def _line(label: str, stats: dict) -> str:
    return (f"    {label:<9} p50 {stats['p50']:7.2f}  p95 {stats['p95']:7.2f}  "
            f"p99 {stats['p99']:7.2f}  mean {stats['mean']:7.2f}  max {stats['max']:7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("search", __doc__)
    parser.add_argument("--queries", type=int, default=None,
                        help="how many queries (default 600; 60 with --quick)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached indexes")
    parser.add_argument("--distinct", type=int, default=None, metavar="N",
                        help="the distinct-query mode: N requests of which none repeats, per "
                             "kind (bench/distinct.py); 100 at most with --quick")
    parser.add_argument("--warmup-queries", type=int, default=None,
                        help="distinct mode: warm-up requests, none of them measured "
                             "(default 300; 20 with --quick)")
    parser.add_argument("--name", default=None,
                        help="result file name in --out (default search, or search-distinct)")
    args = parser.parse_args(argv)
    corpus = prepare(args.corpus, args.docs, args.seed, args.out)
    cond = conditions(corpus.describe())
    print_conditions("search", cond)
    if args.distinct:
        from bench.search_distinct import main_distinct

        return main_distinct(args, corpus, cond)
    n = args.queries or (60 if args.quick else 600)
    passes = 2
    queries = make_queries(corpus.files, n, args.seed)
    save_queries(queries, args.out / "queries.json")
    ours_dir, base_dir = ensure_indexes(corpus, args.out, force=args.rebuild,
                                        baseline=not args.no_baseline)
    ours = run_ours(ours_dir, queries, passes)
    base = None if args.no_baseline else run_baseline(base_dir, queries, passes)
    print(f"{n} queries ({', '.join(sorted({q.kind for q in queries}))}), "
          f"passes: ours {', '.join(ours['passes'])}"
          f"{', baseline ' + ', '.join(base['passes']) if base else ' (no baseline)'}; "
          "milliseconds per search")
    for label, side in (("ours", ours), ("baseline", base)):
        if side is None:
            continue
        for run, parts in side["passes"].items():
            print(f"  {label} - {run} pass (mean total hits {side['mean_total_hits']:.0f}):")
            for part in PARTS:
                print(_line(part, parts[part]))
    ratios = {run: {part: {p: ratio(ours["passes"][run][part][p],
                                    base["passes"][_BASE_PASS.get(run, run)][part][p])
                           for p in ("p50", "p95", "p99")} for part in PARTS}
              for run in ours["passes"]} if base else {}
    for run, parts in ratios.items():
        print(f"  ours/baseline ({run}): " + "; ".join(
            f"{part} p50 {r['p50']} p99 {r['p99']}" for part, r in parts.items()))
    warm = ours["passes"]["warm"]["whole"]
    limit = 50.0 if corpus.generated else 20.0
    met = warm["p99"] <= limit and (corpus.generated or warm["p50"] <= 5.0)
    print(f"target (warm, whole): {'p50 <= 5 ms, ' if not corpus.generated else ''}"
          f"p99 <= {limit:.0f} ms -> {'met' if met else 'MISSED'}")
    write_result(args.out, args.name or "search", {"benchmark": "search", "conditions": cond,
                                      "quick": args.quick, "queries": n, "passes": passes,
                                      "ours": ours, "baseline": base, "ratios": ratios})
    return 0


if __name__ == "__main__":
    sys.exit(main())
