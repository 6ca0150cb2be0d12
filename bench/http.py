"""HTTP benchmark: the real gunicorn on 127.0.0.1 under wrk, ours vs a plain-Whoosh app.

    python -m bench.http                         # the real corpus, 15 s, 4 connections
    python -m bench.http --duration 30 --connections 8

Starts `.venv/bin/python -m gunicorn --config python:api.gunicorn_conf --bind 127.0.0.1:PORT
--workers 2 "api.app:get_app()"` with KARTOTEKA_INDEX_DIR pointing at the benchmark
index, warms it up, then runs wrk (Debian package `wrk`) with a Lua script cycling
through the seeded search-box queries (bench/queries.py) as /api/search requests with
facets and snippets. Reports requests/s, latency percentiles and the resident memory
(RSS and PSS, from /proc) of each worker. The baseline (bench/baseline_app.py, same
gunicorn settings) is measured the same way. Needs wrk: exits 2 without it.
Writes bench/out/http.json.

    python -m bench.http --distinct 2000         # 2,000 requests of which none repeats

The distinct mode sends a warm-up set of 300 requests, then 2,000 others once each
(bench/distinct.py: plain, misspelled, phrase, filtered, browse; none repeats, so the
workers' response caches answer none of them) through bench/http_distinct.py, a Python
client over 4 connections that times every request, and prints n/p50/p95/p99/max per
kind, the overall requests/s and the workers' memory. It needs no wrk and runs no
baseline (the baseline app knows neither date ranges, authors, sorting nor pages).
Writes bench/out/http-distinct.json.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench.corpus import prepare
from bench.indexes import ensure_indexes
from bench.queries import make_queries
from bench.report import ROOT, common_parser, conditions, print_conditions, ratio, write_result

__all__ = ["main"]

# wrk's report as one JSON line (wrk_result reads it); the end of every script here.
LUA_DONE = """
function done(summary, latency, requests)
  local s = summary
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, ' ..
    '"read": %d, "write": %d, "status": %d, "timeout": %d}, "latency_us": {"p50": %d, ' ..
    '"p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\\n',
    s.requests, s.duration, s.bytes, s.errors.connect, s.errors.read, s.errors.write,
    s.errors.status, s.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""

_LUA = """
local paths = {%s}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  i = (id or 0) * 101
end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_script(queries, path: Path) -> Path:
    paths = []
    for bq in queries:
        params = [("q", bq.q)] + [("topic", t) for t in bq.topics] + [
            ("year", str(y)) for y in bq.years]
        paths.append("/api/search?" + urlencode(params))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_LUA % ",\n".join(_lua_string(p) for p in paths) + LUA_DONE,
                    encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn master we started, its workers, and how to stop it."""

    def __init__(self, app: str, env: dict, log: Path, workers: int = 2):
        self.port = _free_port()
        self.log = log.open("w")
        cmd = [sys.executable, "-m", "gunicorn", "--config", "python:api.gunicorn_conf",
               "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), app]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env},
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {self.log.name}")

    def workers(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def memory(self) -> dict:
        return {"master": _memory(self.proc.pid),
                "workers": [_memory(pid) for pid in self.workers()]}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def _memory(pid: int) -> dict:
    """RSS and PSS of one process in MB (PSS splits pages shared after preload's fork)."""
    out = {"pid": pid}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            for key, name in (("VmRSS:", "rss_mb"), ("RssAnon:", "rss_anon_mb"),
                              ("RssFile:", "rss_file_mb")):
                if line.startswith(key):
                    out[name] = int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss_mb"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def run_wrk(wrk: str, url: str, script: Path, duration: float, connections: int,
            threads: int) -> dict:
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{int(max(1, duration))}s", "--timeout",
           "10s", "--latency", "-s", str(script), url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if proc.returncode != 0:
        raise SystemExit(f"wrk failed: {proc.stderr.strip()}")
    return wrk_result(proc.stdout, proc.stderr)


def wrk_result(stdout: str, stderr: str) -> dict:
    """The JSON line LUA_DONE printed, with requests/s and latencies in ms."""
    line = next((ln for ln in stdout.splitlines() if ln.startswith("JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {stderr.strip() or stdout.strip()}")
    data = json.loads(line[5:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["latency_ms"] = {k: v / 1000 for k, v in data.pop("latency_us").items()}
    return data


def measure(name: str, app: str, env: dict, args, wrk: str, script: Path) -> dict:
    server = Server(app, env, args.out / "http" / f"gunicorn-{name}.log", args.workers)
    try:
        server.wait_ready()
        warm = run_wrk(wrk, server.url, script, args.warmup, args.connections, args.threads)
        result = run_wrk(wrk, server.url, script, args.duration, args.connections, args.threads)
        result["warmup_requests"] = warm["requests"]
        result["memory"] = server.memory()
    finally:
        server.stop()
    lat = result["latency_ms"]
    rss = [w.get("rss_mb", 0) for w in result["memory"]["workers"]]
    pss = [w.get("pss_mb", 0) for w in result["memory"]["workers"]]
    result["max_worker_rss_mb"] = max(rss, default=0)
    result["max_worker_pss_mb"] = max(pss, default=0)
    anon = [w.get("rss_anon_mb", 0) for w in result["memory"]["workers"]]
    result["max_worker_rss_anon_mb"] = max(anon, default=0)
    e = result["errors"]
    print(f"  {name:<8} {result['rps']:7.1f} req/s  p50 {lat['p50']:6.1f}  p90 {lat['p90']:6.1f}  "
          f"p95 {lat['p95']:6.1f}  p99 {lat['p99']:6.1f}  max {lat['max']:6.1f} ms  "
          f"({result['requests']} requests, errors {sum(e.values())}) | worker RSS "
          f"{', '.join(f'{r:.0f}' for r in rss)} MB (anonymous {', '.join(f'{a:.0f}' for a in anon)}), "
          f"PSS {', '.join(f'{p:.0f}' for p in pss)} MB")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("http", __doc__)
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds of measured load per server (default 15; 2 with --quick)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds of unmeasured load first (default 5; 1 with --quick)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--queries", type=int, default=None,
                        help="distinct queries the script cycles through (default 600, as "
                             "bench.search; 60 with --quick). A number larger than the run's "
                             "request count makes every request a new query (no response-cache "
                             "hits)")
    parser.add_argument("--name", default="http",
                        help="result file name in --out (default http -> http.json)")
    parser.add_argument("--distinct", type=int, default=None, metavar="N",
                        help="the distinct-query mode: N requests of which none repeats, timed "
                             "one by one and reported per kind (100 at most with --quick)")
    parser.add_argument("--warmup-queries", type=int, default=None,
                        help="distinct mode: warm-up requests, none of them measured "
                             "(default 300; 20 with --quick)")
    args = parser.parse_args(argv)
    if args.distinct:
        corpus = prepare(args.corpus, args.docs, args.seed, args.out)
        cond = conditions(corpus.describe())
        print_conditions("http", cond)
        from bench.http_distinct import main_distinct

        return main_distinct(args, corpus, cond)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("error: wrk is not installed; install it with `apt-get install -y wrk` "
              "(Debian package) and run again", file=sys.stderr)
        return 2
    args.duration = args.duration or (2.0 if args.quick else 15.0)
    args.warmup = args.warmup or (1.0 if args.quick else 5.0)
    corpus = prepare(args.corpus, args.docs, args.seed, args.out)
    cond = conditions(corpus.describe())
    print_conditions("http", cond)
    ours_dir, base_dir = ensure_indexes(corpus, args.out, baseline=not args.no_baseline)
    queries = make_queries(corpus.files, args.queries or (60 if args.quick else 600), args.seed)
    script = write_script(queries, args.out / "http" / "search.lua")
    print(f"wrk {args.threads} thread(s), {args.connections} connections, {args.duration:.0f} s "
          f"(after {args.warmup:.0f} s warm-up); gunicorn {args.workers} sync workers; "
          f"{len(queries)} queries with facets and 10 snippets")
    ours = measure("ours", "api.app:get_app()",
                   {"KARTOTEKA_INDEX_DIR": str(ours_dir)}, args, wrk, script)
    base = None
    if not args.no_baseline:
        base = measure("baseline", "bench.baseline_app:app",
                       {"BENCH_BASELINE_INDEX": str(base_dir)}, args, wrk, script)
    ratios = {}
    if base:
        ratios = {"rps": ratio(ours["rps"], base["rps"]),
                  "p50": ratio(ours["latency_ms"]["p50"], base["latency_ms"]["p50"]),
                  "p99": ratio(ours["latency_ms"]["p99"], base["latency_ms"]["p99"]),
                  "worker_rss": ratio(ours["max_worker_rss_mb"], base["max_worker_rss_mb"])}
        print("ours/baseline: " + ", ".join(f"{k} {v}" for k, v in ratios.items()))
    ok = ours["rps"] >= 300 and ours["latency_ms"]["p99"] < 50
    print(f"target: >= 300 req/s with p99 < 50 ms -> {'met' if ok else 'MISSED'}; "
          f"RSS per worker <= 250 MB -> "
          f"{'met' if ours['max_worker_rss_mb'] <= 250 else 'MISSED'}")
    write_result(args.out, args.name, {"benchmark": "http", "conditions": cond, "quick": args.quick,
                                    "wrk": {"threads": args.threads,
                                            "connections": args.connections,
                                            "duration_s": args.duration},
                                    "workers": args.workers, "queries": len(queries), "ours": ours, "baseline": base,
                                    "ratios": ratios})
    return 0


if __name__ == "__main__":
    sys.exit(main())
