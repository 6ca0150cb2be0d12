"""The distinct-query mode of bench.http: a client that times every request, per kind.

`python -m bench.http --distinct 2000` (see bench/http.py and bench/README.md).

wrk reports one latency histogram for a whole run; the distinct mode needs each
request's own time to split it by kind, so this client sends the requests, each
once and in order, over `connections` threads (one request at a time each, a new TCP
connection per request as gunicorn's sync workers close it after every response, as
wrk does too). A request's time runs from opening the connection to the last byte of
the body. It is Python on the same cores as the server, so it takes some CPU from it:
its requests/s are a lower bound of what a client elsewhere would meet.

So when wrk is installed, the same requests are sent again by wrk (C, one thread, the
same connections) to a freshly started server after the same warm-up: no response or
posting cached from the first pass. wrk gives one latency histogram for the whole run
(no kinds) and requests/s with a client that takes little CPU. Its Lua script hands
out each request once in order and stops the thread when the last answer arrived;
the connections still waiting then send at most `connections - 1` more requests
(repeats of the last, answered from the response cache), which are counted.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import threading
import time
from urllib.parse import urlencode

from bench.distinct import make_distinct
from bench.http import LUA_DONE, Server, _lua_string, wrk_result
from bench.indexes import ensure_indexes
from bench.per_kind import by_kind, describe, print_kind_table, slowest
from bench.report import write_result

__all__ = ["main_distinct", "run_requests"]


def _one(host: str, port: int, path: str) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        status = resp.status
    except OSError:
        status, body = 0, b""
    finally:
        conn.close()
    return (time.perf_counter() - t0) * 1000, status, len(body)


def run_requests(host: str, port: int, queries, connections: int = 4) -> dict:
    """Send every query's /api/search request once; rows in query order, wall time."""
    paths = ["/api/search?" + urlencode(q.params()) for q in queries]
    results: list = [None] * len(paths)
    lock = threading.Lock()
    cursor = iter(range(len(paths)))

    def worker():
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            results[i] = _one(host, port, paths[i])

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    rows = [{"kind": q.kind, "path": p, "ms": ms, "status": status, "bytes": size}
            for q, p, (ms, status, size) in zip(queries, paths, results, strict=True)]
    return {"rows": rows, "seconds": wall, "requests_per_s": len(rows) / wall,
            "errors": sum(r["status"] != 200 for r in rows)}


_WRK_LUA = """
local paths = {%s}
local sent, answered = 0, 0
function request()
  sent = sent + 1
  return wrk.format("GET", paths[math.min(sent, #paths)])
end
function response(status, headers, body)
  answered = answered + 1
  if answered == #paths then
    local f = io.open(%s, "w")
    f:write("done\\n")
    f:close()
    wrk.thread:stop()
  end
end
"""


def _wrk_pass(args, ours_dir, measured, warmup) -> dict | None:
    """The measured requests once each through wrk, on a fresh server after the warm-up."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print("  (no wrk installed: the wrk pass is skipped; `apt-get install wrk`)")
        return None
    paths = ["/api/search?" + urlencode(q.params()) for q in measured]
    script = args.out / "http" / "distinct.lua"
    marker = args.out / "http" / "distinct.done"
    marker.unlink(missing_ok=True)
    script.write_text(_WRK_LUA % (",\n".join(_lua_string(p) for p in paths),
                                  _lua_string(str(marker))) + LUA_DONE, encoding="utf-8")
    server = Server("api.app:get_app()", {"KARTOTEKA_INDEX_DIR": str(ours_dir)},
                    args.out / "http" / "gunicorn-distinct-wrk.log", args.workers)
    try:
        server.wait_ready()
        run_requests("127.0.0.1", server.port, warmup, args.connections)
        result = _run_wrk_until(wrk, server.url, script, marker, args.connections)
        result["memory"] = server.memory()
    finally:
        server.stop()
    lat, e = result["latency_ms"], result["errors"]
    print(f"  wrk pass (1 thread, {args.connections} connections, fresh server, same warm-up): "
          f"{result['rps']:.1f} requests/s; p50 {lat['p50']:.1f}, p99 {lat['p99']:.1f}, max "
          f"{lat['max']:.1f} ms ({result['requests']} requests, errors {sum(e.values())})")
    return result


def _run_wrk_until(wrk: str, url: str, script, marker, connections: int) -> dict:
    """wrk until the script marks the last answer: wrk's main thread sleeps its whole -d
    even when every thread has stopped, and SIGINT ends that sleep (then it reports)."""
    cmd = [wrk, "-t1", f"-c{connections}", "-d3600s", "--timeout", "10s", "--latency",
           "-s", str(script), url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 1800
    while proc.poll() is None and not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return wrk_result(out, err)


def main_distinct(args, corpus, cond) -> int:
    n = min(args.distinct, 100) if args.quick else args.distinct
    w = args.warmup_queries if args.warmup_queries is not None else (20 if args.quick else 300)
    measured, warmup = make_distinct(corpus.files, n, w, args.seed)
    ours_dir, _ = ensure_indexes(corpus, args.out, baseline=False)
    print(f"{n} distinct requests after {w} others as warm-up; gunicorn {args.workers} sync "
          f"workers; Python client, {args.connections} connections, every request timed; "
          "no baseline")
    (args.out / "http").mkdir(parents=True, exist_ok=True)
    server = Server("api.app:get_app()", {"KARTOTEKA_INDEX_DIR": str(ours_dir)},
                    args.out / "http" / "gunicorn-distinct.log", args.workers)
    host, port = "127.0.0.1", server.port
    try:
        server.wait_ready()
        warm = run_requests(host, port, warmup, args.connections)
        cond["load_average_measured"] = list(os.getloadavg())
        out = run_requests(host, port, measured, args.connections)
        out["memory"] = server.memory()
    finally:
        server.stop()
    for row, query in zip(out["rows"], measured, strict=True):
        row["request"] = describe(query)
    stats = by_kind(out["rows"])
    print_kind_table("whole request over HTTP, ms:", stats)
    rss = [m.get("rss_mb", 0) for m in out["memory"]["workers"]]
    print(f"  {out['requests_per_s']:.1f} requests/s overall ({n} in {out['seconds']:.1f} s), "
          f"errors {out['errors']}; warm-up {warm['requests_per_s']:.1f} requests/s; worker RSS "
          f"{', '.join(f'{r:.0f}' for r in rss)} MB")
    print("  three slowest requests per kind:")
    for kind, rows in slowest(out["rows"]).items():
        for r in rows:
            print(f"    {kind:<11} {r['ms']:7.1f} ms  {r['request']}")
    ok = out["requests_per_s"] >= 300 and stats["all"]["p99"] < 50 and not out["errors"]
    print(f"target: >= 300 req/s with p99 < 50 ms -> {'met' if ok else 'MISSED'} "
          "(Python client)")
    wrk = _wrk_pass(args, ours_dir, measured, warmup)
    if wrk is not None:
        wrk_ok = (wrk["rps"] >= 300 and wrk["latency_ms"]["p99"] < 50
                  and not sum(wrk["errors"].values()))
        print(f"target: >= 300 req/s with p99 < 50 ms -> {'met' if wrk_ok else 'MISSED'} (wrk)")
    write_result(args.out, args.name if args.name != "http" else "http-distinct",
                 {"benchmark": "http-distinct", "conditions": cond, "quick": args.quick,
                  "queries": n, "warmup_queries": w, "connections": args.connections,
                  "workers": args.workers, "per_kind": stats, "warmup": by_kind(warm["rows"]),
                  "target_met": ok, "slowest": slowest(out["rows"]), "wrk": wrk, **out})
    return 0
