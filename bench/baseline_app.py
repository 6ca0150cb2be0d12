"""A WSGI app serving the plain-Whoosh baseline, for bench/http.py (`bench.baseline_app:app`).

GET /api/search?q=...&topic=...&year=... answers the top 10 with default highlights and
groupedby facet counts as JSON. The index comes from BENCH_BASELINE_INDEX.
"""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs

_search = None


def app(environ, start_response):
    global _search
    if _search is None:
        from pathlib import Path

        from bench.baseline import BaselineSearch

        _search = BaselineSearch(Path(os.environ["BENCH_BASELINE_INDEX"]))
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if environ.get("PATH_INFO") == "/api/health":
        body = b'{"status": "ok"}'
    else:
        filters = {"topic": tuple(params.get("topic", ())), "year": tuple(params.get("year", ()))}
        answer = _search.full((params.get("q") or [""])[0], filters)
        answer["facets"] = {k: [[str(v), c] for v, c in vs] for k, vs in answer["facets"].items()}
        body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]
