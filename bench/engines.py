"""Both engines side by side in one run: rebuild time, and distinct queries over HTTP.

    make cluster     # a local two-node cluster (or set KARTOTEKA_OPENSEARCH_URL to one)
    python -m bench.engines [--docs 100000] [--distinct 1000]

For each engine (whoosh, then opensearch) the corpus is indexed by the real CLI
(`kartoteka reindex`, first rebuild: no lemma cache), then served by gunicorn
(2 workers) and sent the distinct-query stream of bench.http --distinct (none repeats,
10% misspelled, 10% phrases, 10% filtered), each request timed, reported per kind.
On one machine the OpenSearch nodes share the 2 cores with gunicorn and the client.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import prepare
from bench.distinct import make_distinct
from bench.http import Server
from bench.http_distinct import run_requests
from bench.per_kind import by_kind, print_kind_table
from bench.report import ROOT, common_parser, conditions, print_conditions, write_result

__all__ = ["main"]

ENGINES = ("whoosh", "opensearch")


def _environment(engine: str, index_dir: Path, url: str, prefix: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    env.update(KARTOTEKA_INDEX_DIR=str(index_dir), KARTOTEKA_ENGINE=engine)
    if engine == "opensearch":
        env.update(KARTOTEKA_OPENSEARCH_URL=url, KARTOTEKA_OPENSEARCH_PREFIX=prefix)
    return env


def _rebuild(env: dict, files: list[Path]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "indexer", "--quiet", "reindex", "--no-progress",
                           *map(str, files)], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"reindex failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return time.perf_counter() - t0


def run_engine(engine: str, files, measured, warmup, url: str, prefix: str, out: Path,
               workers: int, connections: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-{engine}-") as tmp:
        env = _environment(engine, Path(tmp) / "index", url, prefix)
        seconds = _rebuild(env, files)
        print(f"{engine}: rebuild {seconds:.1f} s")
        server = Server("api.app:get_app()", {k: v for k, v in env.items()
                                               if k.startswith("KARTOTEKA_")},
                        out / f"gunicorn-{engine}.log", workers)
        try:
            server.wait_ready(timeout=120)
            warm = run_requests("127.0.0.1", server.port, warmup, connections)
            result = run_requests("127.0.0.1", server.port, measured, connections)
            memory = server.memory()
        finally:
            server.stop()
    stats = by_kind(result["rows"])
    print_kind_table(f"{engine}: whole request over HTTP, ms:", stats)
    print(f"  {result['requests_per_s']:.1f} requests/s, errors {result['errors']} "
          f"(warm-up {warm['requests_per_s']:.1f} requests/s)")
    return {"rebuild_s": seconds, "per_kind": stats, "requests_per_s": result["requests_per_s"],
            "errors": result["errors"], "memory": memory}


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("engines", __doc__)
    parser.add_argument("--distinct", type=int, default=1000, metavar="N",
                        help="measured requests per engine, none repeating (default 1000)")
    parser.add_argument("--warmup-queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--name", default="engines",
                        help="result file name in --out (default engines -> engines.json)")
    parser.add_argument("--prefix", default="bench-engines",
                        help="the alias (and index name prefix) used on the cluster")
    args = parser.parse_args(argv)
    url = os.environ.get("KARTOTEKA_OPENSEARCH_URL", "http://127.0.0.1:9200,http://127.0.0.1:9201")
    corpus = prepare(args.corpus, args.docs, args.seed, args.out)
    cond = conditions(corpus.describe())
    print_conditions("engines", cond)
    measured, warmup = make_distinct(corpus.files, args.distinct, args.warmup_queries, args.seed)
    out_dir = args.out / "engines"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {engine: run_engine(engine, corpus.files, measured, warmup, url, args.prefix,
                                  out_dir, args.workers, args.connections)
               for engine in args.engines.split(",")}
    print("\nside by side (all kinds): engine, rebuild s, p50 / p99 / max ms, requests/s")
    for engine, r in results.items():
        a = r["per_kind"]["all"]
        print(f"  {engine:<11} {r['rebuild_s']:7.1f}  {a['p50']:.1f} / {a['p99']:.1f} / "
              f"{a['max']:.1f}  {r['requests_per_s']:.1f}")
    write_result(args.out, args.name, {"benchmark": "engines", "conditions": cond,
                                  "queries": args.distinct, "opensearch_url": url,
                                  "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
