"""Every benchmark runs on a tiny generated corpus and writes its JSON (nothing is timed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, require_tool

if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "search" / "data" / "sample" / "publications.jsonl"
TINY = ["--corpus", str(SAMPLE), "--docs", "60", "--quick"]


def _run(name: str, out, *extra: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", f"bench.{name}", *TINY, "--out", str(out),
                           *extra], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "machine:" in proc.stdout and "corpus:" in proc.stdout
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


def test_corpus_generator_is_deterministic(tmp_path):
    from bench.corpus import generate, load_records

    records = load_records(SAMPLE)
    first = list(generate(records, 5, seed=7))
    assert first == list(generate(records, 5, seed=7))
    assert first != list(generate(records, 5, seed=8))
    assert all(r["text"] and r["title"] and r["id"].startswith("gen7-") for r in first)


def test_query_set_is_seeded_and_mixed():
    from bench.queries import make_queries

    queries = make_queries([SAMPLE], 500, seed=5)
    assert queries == make_queries([SAMPLE], 500, seed=5)
    kinds = {q.kind for q in queries}
    assert {"word", "words", "phrase"} <= {k.split("+")[0] for k in kinds}
    assert any(q.topics for q in queries) and any(q.years for q in queries)


def test_indexing_benchmark_runs(tmp_path):
    data = _run("indexing", tmp_path)
    assert data["ours"]["docs"] == 60 and data["baseline"]["docs"] == 60
    assert data["conditions"]["corpus"]["generated"] is True
    assert set(data["ratios"]) >= {"full_seconds", "index_bytes"}


def test_search_benchmark_runs(tmp_path):
    data = _run("search", tmp_path)
    assert data["queries"] == 60
    for side in ("ours", "baseline"):
        assert data[side]["passes"]["warm"]["whole"]["n"] == 60
    assert (tmp_path / "queries.json").exists()


@pytest.mark.server
def test_http_benchmark_runs(tmp_path):
    require_tool("wrk")
    data = _run("http", tmp_path, "--duration", "1", "--warmup", "1")
    assert data["ours"]["requests"] > 0 and data["baseline"]["requests"] > 0
    assert data["ours"]["errors"]["status"] == 0
    assert data["ours"]["memory"]["workers"]


def test_http_benchmark_without_wrk_exits_2(tmp_path, monkeypatch):
    import bench.http

    monkeypatch.setattr(bench.http.shutil, "which", lambda name: None)
    assert bench.http.main([*TINY, "--out", str(tmp_path)]) == 2


@pytest.mark.parametrize("name", ["corpus", "indexing", "search", "http"])
def test_help(name):
    proc = subprocess.run([sys.executable, "-m", f"bench.{name}", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--docs" in proc.stdout and "--quick" in proc.stdout


def test_fuzz_job_runs(tmp_path):
    """`make fuzz` (10,000 cases, in CI) at smoke size: the real gunicorn, no 5xx."""
    proc = subprocess.run([sys.executable, "-m", "bench.fuzz", "--cases", "150", "--out",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "fuzz.json").read_text(encoding="utf-8"))
    assert data["cases"] >= 150 and data["operations"] == 9
    assert (data["server_errors"], data["tracebacks"]) == (0, 0)
