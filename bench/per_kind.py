"""Latencies per query kind: the table, the slowest requests, and where their time goes."""

from __future__ import annotations

import cProfile
import pstats
from dataclasses import asdict

from bench.distinct import KINDS
from bench.report import ROOT, percentiles

__all__ = ["by_kind", "print_kind_table", "slowest", "profile_lines", "print_slowest"]


def by_kind(rows: list[dict], field: str = "ms") -> dict:
    """{kind: percentiles of row[field]} for every kind present, and "all"."""
    out = {kind: percentiles([r[field] for r in rows if r["kind"] == kind])
           for kind in KINDS if any(r["kind"] == kind for r in rows)}
    out["all"] = percentiles([r[field] for r in rows])
    return out


def print_kind_table(title: str, stats: dict) -> None:
    print(f"  {title}")
    print(f"    {'kind':<11} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  (ms)")
    for kind, s in stats.items():
        if s.get("n"):
            print(f"    {kind:<11} {s['n']:>5} {s['p50']:>8.2f} {s['p95']:>8.2f} "
                  f"{s['p99']:>8.2f} {s['max']:>8.1f}")


def slowest(rows: list[dict], per_kind: int = 3) -> dict[str, list[dict]]:
    """The `per_kind` slowest rows of each kind, slowest first."""
    return {kind: sorted((r for r in rows if r["kind"] == kind), key=lambda r: -r["ms"])[:per_kind]
            for kind in KINDS if any(r["kind"] == kind for r in rows)}


def describe(query) -> str:
    """A request as one short line: q and whatever else it carries."""
    extra = {k: v for k, v in asdict(query).items()
             if v and k not in ("kind", "q", "origin") and not (k == "page" and v == 1)}
    text = repr(query.q) if query.q else "(no words)"
    text += "".join(f" {k}={v if not isinstance(v, tuple) else ','.join(map(str, v))}"
                    for k, v in extra.items())
    return text + (f" (typed for {query.origin!r})" if query.origin else "")


def profile_lines(call, top: int = 6) -> tuple[float, list[str]]:
    """Run call() under cProfile: (its ms under the profiler, the `top` functions by their
    own time, benchmark code left out, each with its time including callees)."""
    prof = cProfile.Profile()
    prof.enable()
    call()
    prof.disable()
    stats = pstats.Stats(prof)
    rows = []
    total = 0.0
    for (path, line, name), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
        total = max(total, ct)
        if path.startswith(str(ROOT / "bench")):
            continue  # the benchmark's own timers
        rows.append((tt, ct, _short(path), line, name))
    rows.sort(reverse=True)
    ours = sorted(((ct, tt, path, line, name) for tt, ct, path, line, name in rows
                   if path.startswith("search/") and name not in _ENTRY), reverse=True)
    return total * 1000, (
        [f"own time: {name} ({path}:{line}) {tt * 1000:.1f} ms (with callees {ct * 1000:.1f})"
         for tt, ct, path, line, name in rows[:top]]
        + [f"search/ with callees: {name} ({path}:{line}) {ct * 1000:.1f} ms"
           for ct, tt, path, line, name in ours[:top]])


_ENTRY = {"search", "_search", "_run", "<lambda>"}  # the call chain every request goes through


def _short(path: str) -> str:
    for marker in ("/site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.rsplit("/", 1)[-1]


def print_slowest(slow: dict[str, list[dict]]) -> None:
    print("  three slowest requests per kind:")
    for kind, rows in slow.items():
        for r in rows:
            again = f", again {r['again_ms']:.1f} ms (median of 3)" if "again_ms" in r else ""
            gc_note = f", {r['gc_ms']:.0f} ms of it garbage collection" if r.get("gc_ms", 0) >= 1 else ""
            print(f"    {kind:<11} {r['ms']:7.1f} ms{gc_note}{again}  {r['request']}  "
                  f"({r.get('total', '?')} hits)")
            if r.get("profile"):
                print(f"        5 runs under cProfile, {r['profiled_ms']:.0f} ms:")
            own = [ln for ln in r.get("profile", []) if ln.startswith("own")]
            ours = [ln for ln in r.get("profile", []) if not ln.startswith("own")]
            for line in own[:3] + ours[:3]:
                print(f"        {line}")
