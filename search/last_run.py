"""How the last `kartoteka reindex` ended, kept beside the index for /api/health.

A nightly cron that fails leaves the index before it serving, as it should; but the
index only looked old 48 hours later (`stale`), so a monitor learnt of a broken export
two days late. The reindex records its end here; health reports it at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
from pathlib import Path

from search.processes import process_alive

__all__ = ["LAST_RUN_FILE", "RUN_STARTED_FILE", "record_start", "record_run", "read_last_run",
           "dictionary_marks"]

LAST_RUN_FILE = "last-run.json"
RUN_STARTED_FILE = "run-started.json"
INTERRUPTED = ("запуск оборвался, не закончив работу (его остановили, не хватило памяти "
               "или машина выключилась); работает индекс, бывший до него")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write(path: Path, record: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a full or read-only disk: the run's own error says more
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def record_start(index_dir: Path, incremental: bool, create: bool = False) -> None:
    """Say that a run is going on (which process, on which machine). A run still going
    on keeps its record (this one will wait for it or be refused); one whose process is
    gone without its end recorded becomes the last run, so that a full run killed stays
    `failed_full` through the incremental runs after it."""
    index_dir = Path(index_dir)
    if create:
        with contextlib.suppress(OSError):
            index_dir.mkdir(parents=True, exist_ok=True)
    if not index_dir.is_dir():
        return
    started = _read(index_dir / RUN_STARTED_FILE)
    if started and started.get("pid") != os.getpid() and _alive(started):
        return
    earlier = read_last_run(index_dir)
    if earlier and earlier.get("interrupted"):
        _write(index_dir / LAST_RUN_FILE, earlier)
    _write(index_dir / RUN_STARTED_FILE, {
        "started_at": _now(), "pid": os.getpid(), "host": socket.gethostname(),
        "incremental": incremental})


def record_run(index_dir: Path, exit_code: int, error: str | None, incremental: bool,
               create: bool = False, skipped: int = 0, first_skip: str | None = None,
               engine: str | None = None, dictionaries: dict | None = None) -> None:
    """Write the run's end (atomically). A directory that is not there is left alone
    (a Whoosh index directory mistyped), unless `create`: on OpenSearch nothing else
    makes it, and health never said `failed` on a fresh install."""
    index_dir = Path(index_dir)
    if create:
        with contextlib.suppress(OSError):
            index_dir.mkdir(parents=True, exist_ok=True)
    if not index_dir.is_dir():
        return
    record = {"finished_at": _now(),
              "ok": exit_code == 0, "exit_code": exit_code, "incremental": incremental,
              "error": error, "skipped": skipped, "first_skip": first_skip,
              **({"engine": engine} if engine else {})}
    earlier = _read(index_dir / LAST_RUN_FILE)
    # what the index was built with: a full run's that went well; else the one before it
    # (a failed run's, or an incremental one's, which re-topics only what it changed)
    built_with = dictionaries if exit_code == 0 and not incremental else (
        (earlier or {}).get("dictionaries"))
    if built_with:
        record["dictionaries"] = built_with
    if incremental and earlier:  # a weekly full run that failed stays told
        failed_full = (earlier.get("failed_full") if earlier.get("incremental")
                       else None if earlier.get("ok") else
                       {key: earlier.get(key) for key in ("finished_at", "exit_code", "error")})
        if failed_full:
            record["failed_full"] = failed_full
    _write(index_dir / LAST_RUN_FILE, record)
    started = _read(index_dir / RUN_STARTED_FILE)
    if started and started.get("pid") == os.getpid():
        with contextlib.suppress(OSError):
            (index_dir / RUN_STARTED_FILE).unlink()


def dictionary_marks(settings) -> dict[str, str]:
    """What each dictionary file of `settings` is (topics, categories, synonyms): «shipped»,
    or the file's name and the start of its SHA-256 (no path: /api/health shows it), so a
    changed file is seen changed."""
    marks = {}
    for name in ("topics", "categories", "synonyms"):
        path = getattr(settings, f"{name}_file")
        if path is None:
            marks[name] = "shipped"
            continue
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        except OSError:
            digest = "?"
        marks[name] = f"{Path(path).name} ({digest})"
    return marks


def read_last_run(index_dir: Path) -> dict | None:
    """How the last run ended; while one runs, `running_since`; a run whose process is
    gone without its end recorded, as a failed run (`interrupted`)."""
    record = _read(Path(index_dir) / LAST_RUN_FILE)
    started = _read(Path(index_dir) / RUN_STARTED_FILE)
    if not started or not isinstance(started.get("started_at"), str):
        return record
    if record and str(record.get("finished_at", "")) > started["started_at"]:
        return record  # a later run ended (one killed between its end and this check)
    if _alive(started):
        return {**(record or {}), "running_since": started["started_at"]}
    return {"finished_at": started["started_at"], "ok": False, "exit_code": None,
            "incremental": bool(started.get("incremental")), "error": INTERRUPTED,
            "skipped": 0, "first_skip": None, "interrupted": True}


def _alive(started: dict) -> bool:
    """Whether the run's process still runs; a run on another machine is taken as
    running (its process cannot be looked at from here)."""
    if started.get("host") != socket.gethostname() or not isinstance(started.get("pid"), int):
        return True
    return process_alive(started["pid"])


def _read(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
