"""A closed-loop HTTP client that times every request: per-kind latencies over HTTP.

wrk reports one latency histogram for a whole run; the distinct mode needs each
request's own time to split it by kind, so this client sends the requests, each
once and in order, over `connections` threads (one request at a time each, a new TCP
connection per request as gunicorn's sync workers close it after every response, as
wrk does too). A request's time runs from opening the connection to the last byte of
the body. It is Python on the same cores as the server, so it takes some CPU from it:
its requests/s are a lower bound of what wrk would measure.
"""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlencode

__all__ = ["run_requests"]


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
