"""What a CMS's writes cost the searches: the real gunicorn, PUTs at a steady rate.

`python -m bench.writes` starts gunicorn (2 sync workers) over a copy of the corpus
index, warms it, then PUTs a new publication every `--every` seconds (`--puts` of them),
each followed by two searches of new words (whichever workers answer). It reports the
workers' CPU (user + system, from /proc) per PUT, beyond what the searches themselves
take, and how long those first searches after each PUT took. A mixed-load trial had found
each PUT costing the two workers ~2 s of CPU and the first search after it 0.5 s.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench.corpus import prepare
from bench.http import Server
from bench.indexes import ensure_indexes
from bench.report import common_parser, conditions, print_conditions, write_result

TOKEN = "bench-writes-token-0123456789"
WARM_QUERIES = ("выставка", "книга", "библиотека", "праздник", "конкурс", "читатели")


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as resp:
        resp.read()
    return time.perf_counter() - started


def _put(url: str, n: int) -> float:
    body = json.dumps({"title": f"Выставка квазарная {n}", "date": "2024-11-12",
                       "text": "Новая книжная выставка открылась в читальном зале. " * 20},
                      ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        f"{url}/api/publications/bench-put-{n}", data=body, method="PUT",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as resp:
        resp.read()
    return time.perf_counter() - started


def run(index: Path, work: Path, puts: int, every: float) -> dict:
    copy = work / "index"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy, ignore=shutil.ignore_patterns("*.lock"))
    server = Server("api.app:get_app()", {"KARTOTEKA_INDEX_DIR": str(copy),
                                          "KARTOTEKA_ADMIN_TOKEN": TOKEN},
                    work / "gunicorn-writes.log", 2)
    search = f"{server.url}/api/search?q="
    try:
        server.wait_ready()
        for q in WARM_QUERIES * 4:
            _get(search + quote(q))
        pids = server.workers()
        time.sleep(2)
        # what searches alone cost, to take off below
        quiet_start = _cpu_seconds(pids)
        for n in range(puts):
            _get(search + quote(f"книга {n} заметка")), _get(search + quote(f"выставка {n} зал"))
        quiet = (_cpu_seconds(pids) - quiet_start) / puts
        started, put_ms, first_ms = _cpu_seconds(pids), [], []
        for n in range(puts):
            put_ms.append(_put(server.url, n) * 1000)
            first_ms.append(max(_get(search + quote(f"книга {n} квазар")),
                                _get(search + quote(f"выставка {n} квазар"))) * 1000)
            time.sleep(every)
        time.sleep(3)  # what the last PUT started in the workers
        per_put = (_cpu_seconds(pids) - started) / puts - quiet
        memory = server.memory()
    finally:
        server.stop()
    return {"puts": puts, "every_s": every, "worker_cpu_s_per_put": per_put,
            "put_ms": _summary(put_ms), "first_searches_ms": _summary(first_ms),
            "memory": memory}


def _summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"p50": statistics.median(ordered), "max": ordered[-1], "n": len(ordered)}


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("writes", __doc__)
    parser.add_argument("--puts", type=int, default=None, help="PUTs sent (default 12; 3 "
                        "with --quick)")
    parser.add_argument("--every", type=float, default=1.5,
                        help="seconds between PUTs (default 1.5)")
    args = parser.parse_args(argv)
    puts = args.puts or (3 if args.quick else 12)
    corpus = prepare(args.corpus, args.docs, args.seed, args.out)
    cond = conditions(corpus.describe())
    print_conditions("writes", cond)
    ours_dir, _ = ensure_indexes(corpus, args.out, baseline=False)
    result = run(ours_dir, args.out / "writes", puts, args.every)
    print(f"{puts} PUTs, one every {args.every:g} s, gunicorn 2 sync workers:")
    print(f"  workers' CPU per PUT (beyond the searches): "
          f"{result['worker_cpu_s_per_put']:.3f} s")
    for key, label in (("put_ms", "PUT"), ("first_searches_ms", "first searches after it")):
        s = result[key]
        print(f"  {label}: p50 {s['p50']:.1f} ms, max {s['max']:.1f} ms")
    write_result(args.out, "writes", {"benchmark": "writes", "conditions": cond, **result})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
