"""kill -9 of a full reindex at several points of its run (adding, commit, switch):
the index afterwards is complete, with the old or the new document count, and the
next reindex succeeds without manual clean-up."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.cli import main
from search.settings import PROJECT_ROOT, SAMPLE_DIR
from tests.conftest import copy_sample_index, count_documents

pytestmark = pytest.mark.slow

COUNT = 2000
FRACTIONS = (0.3, 0.7, 0.88, 0.92, 0.96, 1.0)  # of an uninterrupted run's duration


def _write_source(path: Path) -> Path:
    records = [json.loads(line) for line in
               (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as out:
        for n in range(COUNT):
            record = {**records[n % len(records)], "id": f"kill-{n:05d}"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _reindex(index_dir: Path, source: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer", "--quiet", "--index-dir", str(index_dir), "reindex",
         "--no-progress", str(source)],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)




def _phase(index_dir: Path) -> str:
    """What the reindex was doing: adding, writing segments (commit), or already switched."""
    tmp = list(index_dir.glob("gen-*.tmp-*"))
    if not tmp:
        return "switched" if (index_dir / "CURRENT").read_text().strip() != "gen-000001" \
            else "starting"
    if (tmp[0] / "kartoteka.json").exists():
        return "switching"
    return "commit (segments written)" if list(tmp[0].glob("*.seg")) else "adding documents"


@pytest.fixture(scope="module")
def run_seconds(tmp_path_factory) -> float:
    """How long an uninterrupted reindex of the source takes here."""
    tmp = tmp_path_factory.mktemp("kill-timing")
    source = _write_source(tmp / "source.jsonl")
    started = time.monotonic()
    assert _reindex(tmp / "index", source).wait(timeout=300) == 0
    assert count_documents(tmp / "index") == COUNT
    return time.monotonic() - started


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_kill_at_any_point_leaves_a_complete_index(tmp_path, sample_index_dir, run_seconds,
                                                   fraction):
    index_dir = copy_sample_index(sample_index_dir, tmp_path / "index")
    old = count_documents(index_dir)
    source = _write_source(tmp_path / "source.jsonl")
    proc = _reindex(index_dir, source)
    time.sleep(run_seconds * fraction)
    phase = _phase(index_dir)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    print(f"\nkill at {fraction:.0%} of {run_seconds:.1f} s: {phase}")
    proc.wait(timeout=60)
    assert count_documents(index_dir) in (old, COUNT)  # never empty, never a mix
    # the next run cleans up whatever was half-written and succeeds
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(source)]) == 0
    assert count_documents(index_dir) == COUNT
    assert not list(index_dir.glob("gen-*.tmp-*"))
    leftovers = subprocess.run(["pgrep", "-f", f"--index-dir {index_dir}"],
                               capture_output=True, text=True).stdout.split()
    assert not leftovers, "sub-writers of the killed reindex are still running"
