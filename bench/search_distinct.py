"""The distinct-query mode of bench.search: each request once, latencies per kind.

`python -m bench.search --distinct 2000` (see bench/search.py and bench/README.md): a
fresh SearchService runs the warm-up set, then each measured request once; per request
the wall-clock and CPU time, the query/facets/snippets parts (timed in place as
bench.search does), the garbage collector's time and whether the response cache
answered; then the three slowest of each kind are re-timed and profiled.
"""

from __future__ import annotations

import gc
import time

from bench.distinct import make_distinct, save_distinct
from bench.indexes import ensure_indexes
from bench.per_kind import (
    by_kind,
    describe,
    print_kind_table,
    print_slowest,
    profile_lines,
    slowest,
)
from bench.report import write_result
from bench.search import PartTimer, clear_caches, forget_requests

__all__ = ["main_distinct", "run_distinct"]


class _CacheHits:
    """Counts requests answered from the response cache (those that never reach _search)."""

    def __init__(self):
        from search.searcher import SearchService

        self.hits = 0
        search, inner = SearchService.search, SearchService._search
        ran = [0]

        def counted_inner(service, request):
            ran[0] += 1
            return inner(service, request)

        def counted(service, request):
            before = ran[0]
            result = search(service, request)
            self.hits += ran[0] == before
            return result

        SearchService._search = counted_inner
        SearchService.search = counted


class _GcTimer:
    """Time spent in Python's garbage collector (a full collection walks every object)."""

    def __init__(self):
        self.ms, self.full, self._t0 = 0.0, 0, 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase, info):
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.ms += (time.perf_counter() - self._t0) * 1000
            self.full += info["generation"] == 2


_GC = _GcTimer()


def _timed(service, timer, query) -> dict:
    request = query.request()
    timer.reset()
    gc_ms, gc_full = _GC.ms, _GC.full
    c0, t0 = time.process_time(), time.perf_counter()
    result = service.search(request)
    ms = (time.perf_counter() - t0) * 1000
    cpu = (time.process_time() - c0) * 1000  # without the time other processes had the core
    return {"kind": query.kind, "request": describe(query), "ms": ms, "cpu_ms": cpu,
            "gc_ms": _GC.ms - gc_ms, "gc_full": _GC.full - gc_full, "total": result.total,
            "query_ms": ms - (timer.facets + timer.snippets) * 1000,
            "facets_ms": timer.facets * 1000, "snippets_ms": timer.snippets * 1000,
            "corrected": result.corrected, "did_you_mean": result.did_you_mean}


def run_distinct(index_dir, measured, warmup) -> dict:
    """Warm-up set, then each measured request once; the slowest re-timed and profiled."""
    from search.searcher import SearchService
    from search.settings import Settings

    service = SearchService(Settings.from_env({}, index_dir=index_dir, reload_interval=0.5))
    service.view()
    clear_caches(service, lemmas=True)  # a fresh worker
    timer, cache = PartTimer(), _CacheHits()
    warm_rows = [_timed(service, timer, q) for q in warmup]
    warm_hits, cache.hits = cache.hits, 0
    t0 = time.perf_counter()
    rows = [_timed(service, timer, q) for q in measured]
    wall = time.perf_counter() - t0
    measured_hits = cache.hits
    slow = slowest(rows)
    by_request = {describe(q): q for q in measured}
    for row in (r for rs in slow.values() for r in rs):
        query = by_request[row["request"]]
        again = []
        for _ in range(3):  # searched again, not remembered: the response cache emptied
            forget_requests(service)
            again.append(_timed(service, timer, query)["ms"])
        row["again_ms"] = sorted(again)[1]

        def five(q=query):  # five runs under the profiler: one run is too noisy on 2 cores
            for _ in range(5):
                forget_requests(service)
                service.search(q.request())

        row["profiled_ms"], row["profile"] = profile_lines(five)
    service.close()
    return {"rows": rows, "per_kind": {part: by_kind(rows, part) for part in
                                       ("ms", "cpu_ms", "query_ms", "facets_ms", "snippets_ms")},
            "warmup": by_kind(warm_rows), "slowest": slow, "seconds": wall,
            "requests_per_s": len(rows) / wall, "cache_hits_measured": measured_hits,
            "cache_hits_warmup": warm_hits}


def main_distinct(args, corpus, cond) -> int:
    n = min(args.distinct, 100) if args.quick else args.distinct
    w = args.warmup_queries if args.warmup_queries is not None else (20 if args.quick else 300)
    measured, warmup = make_distinct(corpus.files, n, w, args.seed)
    save_distinct(measured, warmup, args.out / "distinct-queries.json")
    ours_dir, _ = ensure_indexes(corpus, args.out, force=args.rebuild, baseline=False)
    out = run_distinct(ours_dir, measured, warmup)
    print(f"{n} distinct requests after a warm-up of {w} others, one pass, in process "
          "(SearchService.search: top 10, 4 facets, snippets); no baseline")
    print_kind_table("whole request, wall-clock ms:", out["per_kind"]["ms"])
    print_kind_table("whole request, CPU ms of this process (time.process_time; less "
                     "sensitive to other processes' load):", out["per_kind"]["cpu_ms"])
    for part in ("query_ms", "facets_ms", "snippets_ms"):
        print(f"  {part[:-3]} part p50/p99 per kind: " + "; ".join(
            f"{k} {s['p50']:.2f}/{s['p99']:.2f}" for k, s in out["per_kind"][part].items()))
    gc_rows = [r for r in out["rows"] if r["gc_full"]]
    print(f"  garbage collection: {sum(r['gc_ms'] for r in out['rows']):.0f} ms in all; "
          f"{len(gc_rows)} requests held a full collection"
          + "".join(f" ({r['request']}: {r['gc_ms']:.0f} ms)" for r in gc_rows[:10]))
    print(f"  {out['requests_per_s']:.0f} requests/s (one thread); response-cache hits: "
          f"{out['cache_hits_measured']} of {n} measured (warm-up {out['cache_hits_warmup']})")
    print_slowest(out["slowest"])
    every = out["per_kind"]["ms"]["all"]
    limit = 50.0 if corpus.generated else 20.0
    met = every["p99"] <= limit and (corpus.generated or (every["p50"] <= 5 and every["max"] <= 50))
    print(f"target (all kinds): {'p50 <= 5 ms, ' if not corpus.generated else ''}p99 <= "
          f"{limit:.0f} ms{', max <= 50 ms' if not corpus.generated else ''} -> "
          f"{'met' if met else 'MISSED'}")
    write_result(args.out, args.name or "search-distinct",
                 {"benchmark": "search-distinct", "conditions": cond, "quick": args.quick,
                  "queries": n, "warmup_queries": w, "target_met": met, **out})
    return 0
