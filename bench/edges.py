"""The other requests a search box and a publication page send: latencies per kind.

    python -m bench.edges                  # the real corpus (../shared/corpus)
    python -m bench.edges --docs 100000    # 100,000 generated publications

The distinct-query mode of bench.search measures the searches people type. Beside them
the page sends a completion request per keystroke and a "similar publications" request
per opened publication, and staff go deep into the pages or use the operators. Each kind
here is
N distinct requests made from the index itself (seeded), after a warm-up of other ones,
each sent once, in process:
- suggest: the first 1-5 letters of a title word, or a title's first word and the
  beginning of its second (`/api/suggest`);
- deep: a page past the first (up to the last) of a common word, in any order, or of
  the browse;
- prefix: `слов*` (3-5 letters);
- exact: `=форма` (a form as written in a title);
- similar: the publications like one publication (`/api/publications/{id}/similar`).
Writes bench/out/edges.json (or --name).
"""

from __future__ import annotations

import random
import re
import sys
import time

from bench.corpus import prepare
from bench.indexes import ensure_indexes
from bench.report import common_parser, conditions, percentiles, print_conditions, write_result

__all__ = ["main"]

EDGE_KINDS = ("suggest", "deep", "prefix", "exact", "similar")
_WORD = re.compile(r"[а-яё]{4,}", re.IGNORECASE)


def make_requests(service, n: int, seed: int) -> list[tuple[str, object]]:
    """(kind, argument) for n distinct requests of every kind, from the index's titles."""
    from search.models import SearchRequest

    rng = random.Random(seed)
    view = service.view()
    titles = [title for title, _ in view.vocabulary.titles]
    words = sorted({w.lower() for t in titles for w in _WORD.findall(t)})
    written = sorted({w for t in titles for w in _WORD.findall(t)})
    ids = [pid for _, pid in view.vocabulary.titles]
    vocab = view.vocabulary  # the words most titles have: deep pages to go to
    common = [form for form in sorted(vocab.forms, key=lambda f: -len(
        vocab.places[vocab.same_form(f)]))[:200] if _WORD.fullmatch(form)][:50]
    made: dict[str, set] = {kind: set() for kind in EDGE_KINDS}
    out: list[tuple[str, object]] = []

    def add(kind: str, key, value) -> None:
        if key not in made[kind] and len(made[kind]) < n:
            made[kind].add(key)
            out.append((kind, value))

    for _ in range(n * 20):
        if not words or all(len(v) >= n for v in made.values()):
            break
        word = rng.choice(words)
        title = rng.choice(titles).split()
        text = word[:rng.randint(1, 5)] if rng.random() < 0.7 or len(title) < 2 else \
            f"{title[0]} {title[1][:rng.randint(1, 3)]}"
        add("suggest", text, text)
        stem = word[:rng.randint(3, 5)]
        add("prefix", stem, stem)
        form = rng.choice(written)
        add("exact", form, SearchRequest(q=f"={form}"))
        pid = rng.choice(ids)
        add("similar", pid, pid)
        q = rng.choice(common or [word]) if rng.random() < 0.8 else ""
        total = service.search(SearchRequest(q=q, per_page=1, facets=False)).total
        if total > 10:
            page = rng.randint(2, min((total + 9) // 10, 9_000))
            sort = rng.choice(("relevance", "date_desc", "date_asc") if q else
                              ("date_desc", "date_asc"))
            add("deep", (q, page, sort), SearchRequest(q=q, page=page, sort=sort))
    prefixes = [text for kind, text in out if kind == "prefix"]
    out = [(kind, value) for kind, value in out if kind != "prefix"]
    out += [("prefix", SearchRequest(q=f"{p}*")) for p in prefixes]
    rng.shuffle(out)
    return out


def _describe(value) -> str:
    if isinstance(value, str):
        return repr(value)
    return f"{value.q!r}" + (f" page={value.page}" if value.page > 1 else "") + (
        f" sort={value.sort}" if value.sort != "relevance" else "")


def _send(service, kind: str, value) -> None:
    if kind == "suggest":
        service.suggest(value)
    elif kind == "similar":
        service.similar(value)
    else:
        service.search(value)


def run(index_dir, n: int, warmup: int, seed: int) -> dict:
    from search.searcher import SearchService
    from search.settings import Settings

    service = SearchService(Settings.from_env({}, index_dir=index_dir, reload_interval=0.5))
    requests = make_requests(service, n + warmup, seed)
    seen: dict[str, int] = {}
    measured, warm = [], []
    for kind, value in requests:  # the first `warmup` of each kind warm the worker up
        seen[kind] = seen.get(kind, 0) + 1
        (warm if seen[kind] <= warmup else measured).append((kind, value))
    for kind, value in warm:
        _send(service, kind, value)
    rows = []
    for kind, value in measured:
        t0 = time.perf_counter()
        _send(service, kind, value)
        rows.append({"kind": kind, "request": _describe(value),
                     "ms": (time.perf_counter() - t0) * 1000})
    service.close()
    per_kind = {kind: percentiles([r["ms"] for r in rows if r["kind"] == kind])
                for kind in EDGE_KINDS}
    per_kind["all"] = percentiles([r["ms"] for r in rows])
    slow = {kind: sorted((r for r in rows if r["kind"] == kind), key=lambda r: -r["ms"])[:3]
            for kind in EDGE_KINDS}
    return {"rows": rows, "per_kind": per_kind, "slowest": slow}


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("edges", __doc__)
    parser.add_argument("--requests", type=int, default=None,
                        help="measured requests per kind (default 200; 20 with --quick)")
    parser.add_argument("--name", default="edges", help="result file name in --out")
    args = parser.parse_args(argv)
    corpus = prepare(args.corpus, args.docs, args.seed, args.out)
    cond = conditions(corpus.describe())
    print_conditions("edges", cond)
    n = args.requests or (20 if args.quick else 200)
    warmup = 5 if args.quick else 30
    ours_dir, _ = ensure_indexes(corpus, args.out, baseline=False)
    out = run(ours_dir, n, warmup, args.seed)
    print(f"{n} distinct requests of each kind after {warmup} others of it, one pass, in "
          "process; wall-clock ms:")
    print(f"    {'kind':<9} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    for kind, s in out["per_kind"].items():
        if s.get("n"):
            print(f"    {kind:<9} {s['n']:>5} {s['p50']:>8.2f} {s['p95']:>8.2f} "
                  f"{s['p99']:>8.2f} {s['max']:>8.1f}")
    for kind, rows in out["slowest"].items():
        print(f"  slowest {kind}: " + "; ".join(f"{r['request']} {r['ms']:.1f}" for r in rows))
    write_result(args.out, args.name, {"benchmark": "edges", "conditions": cond,
                                       "quick": args.quick, "requests": n, **out})
    return 0


if __name__ == "__main__":
    sys.exit(main())
