"""What every benchmark shares: its conditions, percentiles, common flags and the JSON out."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"

__all__ = ["ROOT", "OUT_DIR", "common_parser", "conditions", "percentiles", "write_result",
           "peak_rss_mb", "print_conditions", "ratio"]


def common_parser(name: str, description: str) -> argparse.ArgumentParser:
    """The flags every benchmark takes: --docs, --corpus, --quick, --seed, --no-baseline, --out."""
    parser = argparse.ArgumentParser(
        prog=f"python -m bench.{name}", description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=None,
                        help="a JSONL file or a directory of *.jsonl (default: ../shared/corpus, "
                             "or the shipped sample search/data/sample/publications.jsonl "
                             "when that is absent)")
    parser.add_argument("--docs", type=int, default=None,
                        help="use N documents: fewer than the corpus takes the first N, more "
                             "generates N news-like documents from its vocabulary "
                             "(bench/corpus.py, seeded); default: the corpus as it is")
    parser.add_argument("--seed", type=int, default=5, help="seed of the generator and the "
                        "query set (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run (fewer queries/repetitions); for the tests")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the plain-Whoosh baseline (scale runs: at 100,000 documents "
                             "building it takes most of the time); no ratios are printed")
    parser.add_argument("--out", type=Path, default=OUT_DIR,
                        help=f"directory for {name}.json and the built indexes (default bench/out)")
    return parser


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def conditions(corpus_desc: dict) -> dict:
    """Machine, versions and corpus: printed first and stored with every result."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "whoosh": _version("Whoosh-Reloaded"),
        "pymorphy3": _version("pymorphy3"),
        "dawg": _version("DAWG2") if _version("DAWG2") != "not installed" else "python DAWG only",
        "numpy": _version("numpy"),
        "falcon": _version("falcon"),
        "gunicorn": _version("gunicorn"),
        "load_average": list(os.getloadavg()),
        "corpus": corpus_desc,
    }


def print_conditions(name: str, cond: dict) -> None:
    c = cond["corpus"]
    print(f"== bench.{name}  {cond['date']}")
    print(f"machine: {cond['cpu']}, {cond['cores']} cores; {cond['platform']}")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in cond['load_average'])} "
          "(other processes on this machine share its cores)")
    print(f"versions: Python {cond['python']}, Whoosh-Reloaded {cond['whoosh']}, "
          f"pymorphy3 {cond['pymorphy3']} (DAWG2 {cond['dawg']}), numpy {cond['numpy']}")
    print(f"corpus: {c['source']} -> {c['docs']:,} documents, {c['words']:,} words"
          + (f" (generated, seed {c['seed']})" if c.get("generated") else ""))


def percentiles(samples_ms: list[float]) -> dict:
    """p50/p95/p99/mean/max of a list of milliseconds (nearest-rank)."""
    if not samples_ms:
        return {"n": 0}
    s = sorted(samples_ms)

    def rank(p: float) -> float:
        return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]

    return {"n": len(s), "p50": rank(50), "p95": rank(95), "p99": rank(99),
            "mean": sum(s) / len(s), "max": s[-1]}


def ratio(ours: float, base: float) -> float | None:
    return round(ours / base, 3) if base else None


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its finished children) in MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def write_result(out_dir: Path, name: str, data: dict) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {path}")
    return path
