"""Fuzzing at volume: schemathesis against the real gunicorn, every operation of /openapi.json.

    python -m bench.fuzz                  # 10,000 cases (CI runs this: `make fuzz`)
    python -m bench.fuzz --cases 300      # a smoke run (the tests)

Indexes the shipped sample into a private directory, starts `gunicorn --config
python:api.gunicorn_conf "api.app:get_app()"` with 2 workers on a free port of 127.0.0.1 and
sends generated requests for every operation in the published OpenAPI document (searches,
suggestions, facets, publications, health, export, and PUT/DELETE, half of them with the
admin token so writes really happen), round after round until --cases requests were
answered. Counts the answers by status; the run fails (exit 1) on any 5xx answer, any
request that got no answer, or any "Traceback" in the server's log. Writes
bench/out/fuzz.json (or --out DIR).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import tempfile
import time
from pathlib import Path

from bench.http import Server
from bench.report import OUT_DIR, conditions, print_conditions, write_result

__all__ = ["main"]

TOKEN = "fuzz-token"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000,
                        help="requests to send in all (default 10,000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="processes generating requests at once (default 2)")
    parser.add_argument("--max-seconds", type=float, default=600.0,
                        help="stop generating after this long (default 600); the run then fails "
                        "if fewer than --cases were sent")
    parser.add_argument("--out", type=Path, default=OUT_DIR,
                        help="directory for fuzz.json (default bench/out)")
    return parser


def _build_index(index_dir: Path) -> None:
    from indexer.cli import main as kartoteka

    if kartoteka(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                  "--sample"]) != 0:
        raise SystemExit("could not index the sample")


class Tally:
    """What the server answered, and the cases that deserve a look."""

    def __init__(self):
        self.by_status: collections.Counter = collections.Counter()
        self.by_operation: collections.Counter = collections.Counter()
        self.failures: list[dict] = []

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def record(self, label: str, case, status: int | None, detail: str = "",
               failed: bool = True) -> None:
        self.by_operation[label] += 1
        self.by_status[str(status)] += 1
        if failed and (status is None or status >= 500):
            self.failures.append({"operation": label, "status": status, "detail": detail[:300],
                                  "path": case.formatted_path, "query": case.query,
                                  "body": repr(case.body)[:300]})


def _fuzz_operation(operation, url: str, examples: int, tally: Tally) -> int:
    """Send up to `examples` generated cases of one operation; how many were sent."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    label, sent = operation.label, 0

    @given(case=operation.as_strategy(), authorized=st.booleans())
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def send(case, authorized):
        nonlocal sent
        sent += 1
        headers = {"Authorization": f"Bearer {TOKEN}"} if authorized else None
        try:
            response = case.call(base_url=url, headers=headers, timeout=30)
        except Exception as exc:  # noqa: BLE001 - no answer at all is a finding, not a crash
            tally.record(label, case, None, f"{type(exc).__name__}: {exc}")
            return
        status = response.status_code
        # busy, said so, come back later (two exports at once): an answer, no server error
        # (schemathesis gives the headers with lowercase names, each a list of values)
        busy = status == 503 and bool(response.headers.get("retry-after"))
        tally.record(label, case, status,
                     response.content[:300].decode("utf-8", "replace") if status >= 500 else "",
                     failed=not busy)

    send()
    return sent


def _fuzz_share(url: str, cases: int, max_seconds: float) -> Tally:
    """One job: every operation, round after round, until `cases` requests were sent."""
    import schemathesis

    started, tally = time.monotonic(), Tally()
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    live = [result.ok() for result in schema.get_all_operations()]
    while tally.total < cases and live and time.monotonic() - started < max_seconds:
        share = max(1, -(-(cases - tally.total) // len(live)))
        for operation in list(live):
            if _fuzz_operation(operation, url, share, tally) < share:
                live.remove(operation)  # hypothesis ran out of distinct cases for it
    return tally


def run(cases: int, workers: int, jobs: int, max_seconds: float, work: Path) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    _build_index(work / "index")
    log = work / "gunicorn.log"
    server = Server("api.app:get_app()", {"KARTOTEKA_INDEX_DIR": str(work / "index"),
                                          "KARTOTEKA_ADMIN_TOKEN": TOKEN,
                                          # each job's exports reach the code (not «busy»)
                                          "KARTOTEKA_EXPORTS_AT_ONCE": str(jobs)}, log, workers)
    started, tally = time.monotonic(), Tally()
    try:
        server.wait_ready()
        with ProcessPoolExecutor(jobs) as pool:
            shares = [cases // jobs + (n < cases % jobs) for n in range(jobs)]
            for part in pool.map(_fuzz_share, [server.url] * jobs, shares,
                                 [max_seconds] * jobs):
                tally.by_status.update(part.by_status)
                tally.by_operation.update(part.by_operation)
                tally.failures += part.failures
    finally:
        server.stop()
    text = log.read_text(encoding="utf-8", errors="replace")
    tracebacks = len(_TRACEBACK.findall(text))
    return {"cases": tally.total, "seconds": round(time.monotonic() - started, 1),
            "jobs": jobs, "operations": len(tally.by_operation),
            "by_operation": dict(tally.by_operation),
            "by_status": dict(sorted(tally.by_status.items())),
            "server_errors": len(tally.failures), "tracebacks": tracebacks,
            "failures": tally.failures[:20], "traceback_excerpts": _excerpts(text)}


# A traceback as Python prints it, at the start of a line: not the word inside a logged
# request (the fuzzer once sent `author=Traceback`, which the access log echoed).
_TRACEBACK = re.compile(r"^Traceback \(most recent call last\):", re.MULTILINE)


def _excerpts(log_text: str, limit: int = 5) -> list[str]:
    """The first tracebacks of the server log, each with the line before it."""
    lines, found = log_text.splitlines(), []
    for n, line in enumerate(lines):
        if _TRACEBACK.match(line) and len(found) < limit:
            found.append("\n".join(lines[max(0, n - 1):n + 40]))
    return found


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from search.settings import SAMPLE_DIR

    info = conditions({"source": str(SAMPLE_DIR), "docs": 70, "words": 0, "generated": False})
    print_conditions("fuzz", info)
    with tempfile.TemporaryDirectory(prefix="kartoteka-fuzz-") as tmp:
        result = run(args.cases, args.workers, args.jobs, args.max_seconds, Path(tmp))
    print(f"fuzz: {result['cases']:,} cases over {result['operations']} operations in "
          f"{result['seconds']} s ({result['jobs']} jobs); answers by status {result['by_status']}")
    print(f"server errors (5xx or no answer): {result['server_errors']}; "
          f"tracebacks in the server log: {result['tracebacks']}")
    for failure in result["failures"]:
        print("  " + json.dumps(failure, ensure_ascii=False))
    for excerpt in result["traceback_excerpts"]:
        print(excerpt)
    write_result(args.out, "fuzz", {"conditions": info, **result})
    ok = (result["server_errors"] == 0 and result["tracebacks"] == 0
          and result["cases"] >= args.cases)
    if result["cases"] < args.cases:
        print(f"only {result['cases']} of {args.cases} cases were sent")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
