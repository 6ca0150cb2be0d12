"""A reindex killed mid-way (kill -9 or Ctrl-C) leaves the previous index serving."""

from __future__ import annotations

import json
import logging
import os
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

RECORDS = [json.loads(line) for line in
           (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]
BIG_COUNT = 6000  # a few seconds of indexing: the interrupts below must land mid-way
WAIT_SECONDS = 60.0


@pytest.fixture
def big_source(tmp_path) -> Path:
    """BIG_COUNT records: the sample repeated with new ids and slightly varied text."""
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(BIG_COUNT):
            record = dict(RECORDS[n % len(RECORDS)])
            record["id"] = f"big-{n:05d}"
            record["title"] = f"{record['title']} (выпуск {n})"
            record["text"] = f"{record['text']}\nДополнение номер {n} к публикации."
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@pytest.fixture
def old_index(tmp_path, sample_index_dir) -> Path:
    return copy_sample_index(sample_index_dir, tmp_path / "index")




def _tmp_dirs(index_dir: Path) -> list[Path]:
    return sorted(index_dir.glob("gen-*.tmp-*"))


def _start_reindex(index_dir: Path, source: Path, group: bool = False,
                   *extra: str) -> subprocess.Popen:
    """`group`: in a process group of its own, as systemd runs a unit (a stop signals
    every process of it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}

    def default_ctrl_c():
        # a test run started in the background (`cmd &`) ignores SIGINT, and so would the
        # reindex it starts: give it the default Ctrl-C behaviour of a terminal
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if group:
            os.setsid()

    return subprocess.Popen(
        [sys.executable, "-m", "indexer", "--index-dir", str(index_dir), "reindex",
         "--no-progress", *extra, str(source)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=default_ctrl_c)


def _stopped(proc: subprocess.Popen, stop, timeout: float = 60) -> tuple[str, str]:
    """The run's output after `stop()` (waits for its moment, sends a signal); the run is
    killed if it is still going when this ends."""
    try:
        stop()
        return proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)


def _children(proc: subprocess.Popen) -> list[int]:
    """The indexing processes a reindex has forked so far."""
    found = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    return [int(pid) for pid in found.read_text().split()] if found.exists() else []


def _wait_for_children(proc: subprocess.Popen, count: int) -> list[int]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and proc.poll() is None:
        pids = _children(proc)
        if len(pids) >= count:
            return pids
        time.sleep(0.005)
    pytest.fail(f"the reindex did not fork {count} indexing processes")


def _wait_for_tmp_dir(proc: subprocess.Popen, index_dir: Path) -> Path:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = _tmp_dirs(index_dir)
        if found:
            return found[0]
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"reindex ended ({proc.returncode}) before writing a generation:\n"
                        f"{out}\n{err}")
        time.sleep(0.005)
    proc.kill()
    proc.communicate(timeout=10)
    pytest.fail(f"no gen-*.tmp-* directory appeared within {WAIT_SECONDS} s")


def _assert_old_index_serves(index_dir: Path, count: int, capsys) -> None:
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"
    assert count_documents(index_dir) == count
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "search", "библиотеками", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] > 10
    assert main(["--index-dir", str(index_dir), "stats"]) == 0
    assert capsys.readouterr().out.startswith(f"публикаций: {count}\n")


def test_kill_9_leaves_old_index(old_index, big_source, capsys, caplog):
    count = count_documents(old_index)
    assert count > 50
    proc = _start_reindex(old_index, big_source)
    try:
        tmp_dir = _wait_for_tmp_dir(proc, old_index)
        assert _health(old_index)["last_run"]["running_since"]  # a monitor sees it going
        time.sleep(0.05)  # let it write into the new generation
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert tmp_dir.is_dir(), "kill -9 cannot clean up: the half-written generation stays"
    _assert_old_index_serves(old_index, count, capsys)
    # the OOM killer's way: health had said the run before went well
    health = _health(old_index)
    assert health["status"] == "failed" and health["last_run"]["interrupted"], health
    assert "оборвался, не закончив работу" in health["last_run"]["error"]
    # the next night's incremental run goes well: the killed full run is still told
    caplog.set_level(logging.INFO, logger="kartoteka")
    assert main(["--index-dir", str(old_index), "reindex", "--incremental",
                 "--no-progress", str(SAMPLE_DIR / "publications.jsonl")]) == 0
    health = _health(old_index)
    assert health["status"] == "failed" and health["last_run"]["failed_full"], health
    assert "оборвался, не закончив работу" in health["last_run"]["failed_full"]["error"]
    incremental = capsys.readouterr()

    # the next reindex succeeds and removes the stale directory
    caplog.set_level(logging.INFO, logger="kartoteka")
    assert main(["--index-dir", str(old_index), "reindex", "--no-progress",
                 str(SAMPLE_DIR / "publications.jsonl")]) == 0
    captured = capsys.readouterr()
    # against the sample it replaces: its records again, the pages and HTML files gone
    assert captured.out.startswith(f"добавлено: 0  обновлено: {len(RECORDS)}  удалено: "
                                   f"{count - len(RECORDS)}  ")
    assert ("удалено недописанных каталогов индекса, оставленных прерванным запуском: 1"
            in incremental.err + captured.err + caplog.text)
    assert not tmp_dir.exists()
    assert _tmp_dirs(old_index) == []
    assert (old_index / "CURRENT").read_text().strip() != "gen-000001"
    assert count_documents(old_index) == len(RECORDS)
    assert _health(old_index)["status"] in ("ok", "stale")
    assert not (old_index / "run-started.json").exists()


def test_a_refused_second_run_keeps_the_first_one_s_record(old_index, capsys):
    """A second full run, refused while the first held the index, wrote its error as the
    last run and removed the first one's start: health said `failed` of a run going
    well, and nothing when that run was then killed (an admin's trial)."""
    import fcntl

    first = subprocess.Popen(["sleep", "60"])
    held = os.open(old_index / "rebuild.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # the first run's lock
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 1))
        (old_index / "run-started.json").write_text(json.dumps({
            "started_at": now, "pid": first.pid,
            "host": os.uname().nodename, "incremental": False}))
        assert main(["--quiet", "--index-dir", str(old_index), "reindex", "--no-progress",
                     str(SAMPLE_DIR / "publications.jsonl")]) == 1
        assert "error: уже идёт другая переиндексация" in capsys.readouterr().err
        going = _health(old_index)
        assert going["last_run"]["running_since"] == now, going
        assert going["status"] != "failed", going
    finally:
        os.close(held)
        first.kill()
        first.wait()
    killed = _health(old_index)
    assert killed["status"] == "failed" and killed["last_run"]["interrupted"], killed


def _health(index_dir: Path) -> dict:
    from falcon import testing

    from api.app import create_app
    from search.settings import Settings

    client = testing.TestClient(create_app(Settings.from_env({}, index_dir=index_dir)))
    return client.simulate_get("/api/health").json


@pytest.mark.parametrize(("signum", "code", "said"), [
    (signal.SIGINT, 130, "прервано: прежний индекс на месте"),
    # systemd stopping a unit, `kill`, `timeout` around a cron job: a clean stop too
    (signal.SIGTERM, 128 + signal.SIGTERM,
     "остановлено (SIGTERM): прежний индекс на месте"),
], ids=["ctrl-c", "sigterm"])
def test_an_interrupt_stops_cleanly_and_keeps_old_index(old_index, big_source, capsys,
                                                         signum, code, said):
    count = count_documents(old_index)
    proc = _start_reindex(old_index, big_source)

    def stop() -> None:
        _wait_for_tmp_dir(proc, old_index)
        time.sleep(0.05)
        proc.send_signal(signum)

    out, err = _stopped(proc, stop)
    assert proc.returncode == code, err
    assert said in err
    assert "Traceback" not in err and "добавлено:" not in out
    assert _tmp_dirs(old_index) == []  # an interrupted run cleans up after itself
    _assert_old_index_serves(old_index, count, capsys)


@pytest.mark.parametrize(("signum", "code", "said"), [
    (signal.SIGINT, 130, "прервано: прежний индекс на месте"),
    (signal.SIGTERM, 128 + signal.SIGTERM, "остановлено (SIGTERM): прежний индекс на месте"),
], ids=["ctrl-c", "sigterm"])
def test_a_stop_during_a_site_s_crawl_is_said_and_keeps_old_index(old_index, capsys, signum,
                                                                   code, said):
    """`timeout` around a cron job, or a systemd stop, mostly lands in the crawl, the slow
    part of a run: SIGTERM there had ended the process by the signal, with nothing said
    and the run told to /api/health as one that broke off (as after `kill -9`)."""
    from site_helpers import Resource, Site, page_html, serve

    site = serve(Site({"/": Resource(page_html({"title": "Новости", "text": "Текст.",
                                                  "date": "2024-01-01"}),
                                     delay=30)}))
    count = count_documents(old_index)
    proc = _start_reindex(old_index, site.root + "/", False, "--delay", "0")

    def stop() -> None:
        deadline = time.monotonic() + 60
        while not site.requested() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert site.requested(), proc.communicate(timeout=10)
        proc.send_signal(signum)

    try:
        _out, err = _stopped(proc, stop, timeout=30)
    finally:
        site.stop()
    assert proc.returncode == code, err
    assert said in err and "Traceback" not in err
    last_run = _health(old_index)["last_run"]
    assert not last_run.get("interrupted") and last_run["exit_code"] == code, last_run
    _assert_old_index_serves(old_index, count, capsys)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_stop_of_the_whole_process_group_keeps_the_old_index(old_index, big_source, capsys):
    """`systemctl stop` signals every process of the unit: the indexing processes die at
    once and the main one must still stop cleanly, not wait on them."""
    count = count_documents(old_index)
    proc = _start_reindex(old_index, big_source, group=True)
    try:
        _wait_for_children(proc, 2)
        time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "остановлено (SIGTERM): прежний индекс на месте" in err
    assert "Traceback" not in err and _tmp_dirs(old_index) == []
    _assert_old_index_serves(old_index, count, capsys)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_an_indexing_process_killed_fails_the_rebuild_and_keeps_the_old_index(
        old_index, big_source, capsys):
    """The OOM killer ends one indexing process: its publications would be missing, so
    the rebuild fails instead of switching to an index without them."""
    count = count_documents(old_index)
    proc = _start_reindex(old_index, big_source)
    try:
        victim = _wait_for_children(proc, 2)[0]
        time.sleep(0.2)
        os.kill(victim, signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 1, err
    assert "процесс индексации завершился раньше времени" in err and "Traceback" not in err
    assert "прежний индекс на месте" in err and "добавлено:" not in out
    assert _tmp_dirs(old_index) == []
    _assert_old_index_serves(old_index, count, capsys)


def test_finished_reindex_switches(old_index, big_source):
    held = count_documents(old_index)
    proc = _start_reindex(old_index, big_source)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    # new ids all: the sample it replaces is gone
    assert out.startswith(f"добавлено: {BIG_COUNT}  обновлено: 0  удалено: {held}  "
                          "пропущено: 0")
    assert (old_index / "CURRENT").read_text().strip() == "gen-000002"
    assert _tmp_dirs(old_index) == []
    assert count_documents(old_index) == BIG_COUNT


def _wait_for_writer(proc: subprocess.Popen, index_dir: Path) -> None:
    """Until an incremental run's writer has started writing into the live generation."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not list(index_dir.glob("gen-*/MAIN.tmp")):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no writer appeared: {proc.communicate(timeout=10)}")
        time.sleep(0.005)
    time.sleep(0.3)


def test_an_incremental_run_stops_cleanly_on_sigterm(old_index, big_source, capsys):
    count = count_documents(old_index)
    proc = _start_reindex(old_index, big_source, False, "--incremental")
    try:
        _wait_for_writer(proc, old_index)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "остановлено (SIGTERM): прежний индекс на месте" in err
    assert "Traceback" not in err and "добавлено:" not in out
    _assert_old_index_serves(old_index, count, capsys)


def test_what_a_killed_incremental_run_left_goes_with_the_next_run(old_index, big_source,
                                                                    capsys):
    count = count_documents(old_index)
    files = sorted(p.name for p in (old_index / "gen-000001").iterdir())
    proc = _start_reindex(old_index, big_source, False, "--incremental")
    _wait_for_writer(proc, old_index)
    proc.kill()
    proc.communicate(timeout=10)
    assert (old_index / "gen-000001" / "MAIN.tmp").exists()
    assert main(["--quiet", "--index-dir", str(old_index), "reindex", "--incremental",
                 "--no-progress", str(SAMPLE_DIR)]) == 0  # nothing changed: nothing written
    assert sorted(p.name for p in (old_index / "gen-000001").iterdir()) == files
    _assert_old_index_serves(old_index, count, capsys)


def test_an_incremental_run_beside_the_first_rebuild_of_a_new_directory_adds_to_it(
        tmp_path, big_source):
    """With no index yet, an incremental run builds the first; started beside a full
    rebuild of a new directory, it had waited for that rebuild's lock and then built a
    generation of its own records only: the rebuild's publications were not served,
    though both runs said they succeeded. Now it adds to what the rebuild published (or,
    after waiting too long, is refused)."""
    index_dir = tmp_path / "new-index"
    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps({**RECORDS[n], "id": f"small-{n}"}, ensure_ascii=False)
                             + "\n" for n in range(3)), encoding="utf-8")
    first = _start_reindex(index_dir, big_source)
    _wait_for_tmp_dir(first, index_dir)
    second = _start_reindex(index_dir, small, False, "--incremental")
    _, first_err = first.communicate(timeout=WAIT_SECONDS)
    _, second_err = second.communicate(timeout=WAIT_SECONDS)
    assert first.returncode == 0, first_err
    if second.returncode == 0:
        assert count_documents(index_dir) == BIG_COUNT + 3
    else:  # it waited longer than the rebuild lock's timeout
        assert second.returncode == 1, second_err
        assert "error: уже идёт другая переиндексация" in second_err, second_err
        assert count_documents(index_dir) == BIG_COUNT
