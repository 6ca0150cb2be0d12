"""A full disk or a read-only index directory during reindex: a clear error, the old index serves."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from search.settings import SAMPLE_DIR
from tests.conftest import count_documents

ROOT = Path(__file__).resolve().parent.parent


def _reindex(index_dir: Path, source: Path, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "indexer", "--index-dir", str(index_dir), "reindex",
         "--no-progress", str(source)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=preexec)




def _big_source(tmp: Path, copies: int = 8) -> Path:
    records = [json.loads(line) for line in
               (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines()]
    out = tmp / "big.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for n in range(copies):
            for rec in records:
                fh.write(json.dumps({**rec, "id": f"{rec['id']}-{n}"}, ensure_ascii=False) + "\n")
    return out


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG errors instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_full_disk_keeps_previous_index(fresh_index, tmp_path):
    before = count_documents(fresh_index.index_dir)
    result = _reindex(fresh_index.index_dir, _big_source(tmp_path), preexec=_limit_file_size)
    assert result.returncode == 1, result.stderr
    assert "error: файл слишком большой (превышен предел размера файла)" in result.stderr
    assert "Traceback" not in result.stderr
    assert count_documents(fresh_index.index_dir) == before
    assert not list(fresh_index.index_dir.glob("gen-*.tmp-*"))
    assert _reindex(fresh_index.index_dir, SAMPLE_DIR).returncode == 0


def test_a_failed_incremental_run_leaves_no_files_in_the_live_index(fresh_index, tmp_path):
    """An incremental run on a full disk left its unfinished segment in the live
    generation, holding the last free space, so its failure was not recorded and health
    said the run before went well (an admin's trial)."""
    index_dir = fresh_index.index_dir
    live = index_dir / (index_dir / "CURRENT").read_text().strip()
    before = sorted(p.name for p in live.rglob("*"))
    result = subprocess.run(
        [sys.executable, "-m", "indexer", "--index-dir", str(index_dir), "reindex",
         "--incremental", "--no-progress", str(_big_source(tmp_path, copies=20))],
        cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in live.rglob("*")) == before
    last = json.loads((index_dir / "last-run.json").read_text(encoding="utf-8"))
    assert not last["ok"] and "файл слишком большой" in last["error"], last


def _read_only_command(index_dir: Path, source: Path) -> list[str]:
    """The reindex command, run where `index_dir` is read-only even for root."""
    command = [sys.executable, "-m", "indexer", "--index-dir", str(index_dir), "reindex",
               "--no-progress", str(source)]
    if os.geteuid() != 0:
        for path in [index_dir, *index_dir.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return command
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make a read-only mount here (unshare -m refused)")
    quoted = " ".join(f"'{c}'" for c in command)
    return ["unshare", "-m", "sh", "-c",
            f"mount --bind '{index_dir}' '{index_dir}' && "
            f"mount -o remount,ro,bind '{index_dir}' && exec {quoted}"]


def test_read_only_index_dir_keeps_previous_index(fresh_index):
    index_dir = fresh_index.index_dir
    before = count_documents(index_dir)
    command = _read_only_command(index_dir, SAMPLE_DIR)
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        for path in [index_dir, *index_dir.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error:" in result.stderr
    assert ("нет прав доступа" in result.stderr
            or "файловая система только для чтения" in result.stderr), result.stderr
    assert result.stderr.rstrip().endswith(": прежний индекс на месте"), result.stderr
    assert "Traceback" not in result.stderr
    assert count_documents(index_dir) == before


@pytest.mark.parametrize("bad", ["", "\x00\x01binary"])
def test_reindex_of_only_bad_sources_keeps_index(fresh_index, tmp_path, bad):
    before = count_documents(fresh_index.index_dir)
    source = tmp_path / "bad.txt"
    source.write_text(bad, encoding="latin-1")
    result = _reindex(fresh_index.index_dir, source)
    assert result.returncode == 1
    assert f"пропущено: {source}: " in result.stderr, result.stderr
    assert count_documents(fresh_index.index_dir) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can run a reindex as root (CI does)")
def test_a_reindex_run_as_root_leaves_the_index_to_its_owner(tmp_path):
    """`sudo kartoteka reindex` on the directory of the service's user left root's
    generation and lock files there: the server read them, but its PUTs were refused."""
    from indexer.cli import main

    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    os.chown(index_dir, 65534, 65534)  # nobody: the service's user
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 "--sample"]) == 0
    owners = {path.relative_to(index_dir).as_posix(): path.lstat().st_uid
              for path in index_dir.rglob("*")}
    assert owners and set(owners.values()) == {65534}, owners
    assert {"CURRENT", "write.lock", "last-run.json", "gen-000001"} <= set(owners)


@pytest.mark.parametrize("cut", ["segment", "toc"])
def test_an_index_whose_files_were_cut_short_says_so_and_a_reindex_mends_it(fresh_index, cut):
    """A segment cut short (a disk fault, a copy interrupted) made every request a 500
    with a traceback, and `kartoteka reindex` itself failed the same way: the admin had
    to delete the index by hand."""
    from falcon import testing

    from api.app import create_app
    from indexer.cli import main
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    live = index_dir / (index_dir / "CURRENT").read_text().strip()
    victim = next(live.glob("*.seg" if cut == "segment" else "_MAIN_*.toc"))
    os.truncate(victim, victim.stat().st_size // 2)
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        health = client.simulate_get("/api/health")
        assert health.status_code == 503 and health.json["status"] == "damaged", health.json
        found = client.simulate_get("/api/search", params={"q": "книга"})
        assert found.status_code == 503 and "kartoteka reindex" in found.json["description"]
        assert main(["--index-dir", str(index_dir), "stats"]) == 3
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     "--sample"]) == 0
        assert client.simulate_get("/api/health").json["status"] in ("ok", "stale")
        assert client.simulate_get("/api/search", params={"q": "книга"}).json["total"] > 0
    finally:
        service.close()


_HEALTH_ON_A_FULL_DISK = """
import json, sys
from pathlib import Path
from falcon import testing
from api.app import create_app
from indexer.cli import main
from search.settings import Settings
index_dir = Path(sys.argv[1]) / "index"
assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
             "--sample"]) == 0
settings = Settings.from_env({}, index_dir=index_dir, admin_token="test-token")
client = testing.TestClient(create_app(settings))
before = client.simulate_get("/api/health").json
try:  # the rest of the disk taken by something else
    with open(Path(sys.argv[1]) / "filler", "wb") as fh:
        while True:
            fh.write(b"0" * 65536)
except OSError:
    pass
print(json.dumps([before, client.simulate_get("/api/health").json]))
"""


def test_health_says_degraded_when_the_index_s_disk_is_full(tmp_path):
    """On a full disk every PUT answered 503 while health said `ok`."""
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here (unshare -m refused)")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = tmp_path / "health.py"
    script.write_text(_HEALTH_ON_A_FULL_DISK, encoding="utf-8")
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=24m tmpfs '{disk}' && "
         f"exec '{sys.executable}' '{script}' '{disk}'"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, after = json.loads(done.stdout.splitlines()[-1])
    assert before["status"] in ("ok", "stale"), before
    assert after["status"] == "degraded" and "не осталось места" in after["unwritable"], after


def test_a_file_cut_short_under_a_running_server_is_damaged_not_a_500(fresh_index):
    """The server had the generation open when its segment was cut short (a disk fault,
    a backup copied over it in place): health said `ok` and every search was a 500 with
    a traceback. Put back whole, it serves again without a restart."""
    from falcon import testing

    from api.app import create_app
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    live = index_dir / (index_dir / "CURRENT").read_text().strip()
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        assert client.simulate_get("/api/search", params={"q": "книга"}).status_code == 200
        segment = next(live.glob("*.seg"))
        whole = segment.read_bytes()
        segment.write_bytes(whole[:len(whole) // 2])
        health = client.simulate_get("/api/health")
        assert health.status_code == 503 and health.json["status"] == "damaged", health.json
        assert client.simulate_get("/api/search", params={"q": "книга"}).status_code == 503
        segment.write_bytes(whole)  # the backup copied back whole
        assert client.simulate_get("/api/search", params={"q": "книга"}).json["total"] > 0
        assert client.simulate_get("/api/health").json["status"] in ("ok", "stale")
    finally:
        service.close()


def test_a_segment_file_gone_while_the_generation_is_listed_is_not_a_500(fresh_index):
    """Another worker's PUT merges segments and removes the old files while this worker
    lists the generation's files to remember their sizes: a file listed and gone when
    looked at made that search a 500 (the fuzzer's PUTs and searches in two workers).
    A listed name whose file is gone (a dangling link stands for it) is passed over."""
    from falcon import testing

    from api.app import create_app
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    live = index_dir / (index_dir / "CURRENT").read_text().strip()
    (live / "MAIN_gone.seg").symlink_to(live / "no-such-file")
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        assert client.simulate_get("/api/search", params={"q": "книга"}).status_code == 200
        record = {"title": "Новая публикация", "text": "Книга о новой книге."}
        assert client.simulate_put("/api/publications/gone-test", json=record, headers={
            "Authorization": "Bearer test-token"}).status_code == 201
        assert client.simulate_get("/api/search", params={"q": "книга"}).status_code == 200
        assert client.simulate_get("/api/health").json["status"] in ("ok", "stale")
    finally:
        service.close()


def test_an_index_file_that_cannot_be_opened_is_named(fresh_index, monkeypatch):
    """The system's reason in Russian, and still which file: `[Errno 13] Permission denied:
    '…/_MAIN_1.toc'` named it, the reason alone did not."""
    from whoosh.filedb.filestore import FileStorage

    from search.engine.whoosh.store import IndexLocation
    from search.errors import IndexMissing

    toc = str(fresh_index.index_dir / "gen-000001" / "_MAIN_1.toc")

    def refused(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", toc)

    monkeypatch.setattr(FileStorage, "open_index", refused)
    with pytest.raises(IndexMissing) as raised:
        IndexLocation(fresh_index.index_dir).open_current()
    assert str(raised.value).endswith(f" не открывается: нет прав доступа: {toc}"), raised.value


def test_a_current_file_of_bytes_is_damaged_not_a_500(fresh_index):
    """`CURRENT` overwritten with bytes that are no text (a hostile tester's trial): every
    route, /api/health too, had been a 500 with a traceback in the log. Health says
    `damaged`; the generation open goes on serving; a worker with none open says 503."""
    from falcon import testing

    from api.app import create_app
    from search.searcher import SearchService

    current = fresh_index.index_dir / "CURRENT"
    name = current.read_text()
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        assert client.simulate_get("/api/search", params={"q": "книга"}).status_code == 200
        current.write_bytes(b"\xff\xfe\x00")
        health = client.simulate_get("/api/health")
        assert health.status_code == 503 and health.json["status"] == "damaged", health.json
        assert client.simulate_get("/api/search", params={"q": "книга"}).json["total"] > 0
        fresh = SearchService(fresh_index)
        try:
            cold = testing.TestClient(create_app(fresh_index, fresh))
            refused = cold.simulate_get("/api/search", params={"q": "книга"})
            assert refused.status_code == 503, refused.text
        finally:
            fresh.close()
        # naming a generation not there: damaged too, not «no index yet» beside them
        current.write_text("gen-999999")
        told = client.simulate_get("/api/health").json
        assert told["status"] == "damaged", told
        current.write_text(name)
        assert client.simulate_get("/api/health").json["status"] in ("ok", "stale")
    finally:
        current.write_text(name)
        service.close()
