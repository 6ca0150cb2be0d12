"""How the last `kartoteka reindex` ended, kept beside the index for /api/health.

A nightly cron that fails leaves the index before it serving, as it should; but the
index only looked old 48 hours later (`stale`), so a monitor learnt of a broken export
two days late. The reindex records its end here; health reports it at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path

__all__ = ["LAST_RUN_FILE", "record_run", "read_last_run"]

LAST_RUN_FILE = "last-run.json"


def record_run(index_dir: Path, exit_code: int, error: str | None, incremental: bool,
               create: bool = False, skipped: int = 0, first_skip: str | None = None) -> None:
    """Write the run's end (atomically). A directory that is not there is left alone
    (a Whoosh index directory mistyped), unless `create`: on OpenSearch nothing else
    makes it, and health never said `failed` on a fresh install."""
    index_dir = Path(index_dir)
    if create:
        with contextlib.suppress(OSError):
            index_dir.mkdir(parents=True, exist_ok=True)
    if not index_dir.is_dir():
        return
    record = {"finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "ok": exit_code == 0, "exit_code": exit_code, "incremental": incremental,
              "error": error, "skipped": skipped, "first_skip": first_skip}
    tmp = index_dir / f".{LAST_RUN_FILE}.{os.getpid()}"
    try:
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, index_dir / LAST_RUN_FILE)
    except OSError:  # a full or read-only disk: the run's own error says more
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def read_last_run(index_dir: Path) -> dict | None:
    try:
        record = json.loads((Path(index_dir) / LAST_RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
