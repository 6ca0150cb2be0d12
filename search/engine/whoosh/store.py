"""Index generations on disk and the atomic switch between them.

    index_dir/
      CURRENT            name of the live generation, replaced atomically
      gen-000007/        a complete Whoosh index + kartoteka.json
      gen-000008.tmp-PID a rebuild in progress (removed when its process is gone)
      write.lock         serializes writers across processes (fcntl)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from search.engine.whoosh.schema import SCHEMA_VERSION, build_schema
from search.errors import (
    ConfigError,
    IndexBusy,
    IndexDamaged,
    IndexMissing,
    IndexNotWritable,
    SchemaMismatch,
)
from search.os_errors import os_problem, os_reason
from search.processes import process_alive

__all__ = ["IndexLocation", "GenerationInfo"]

_GEN_RE = re.compile(r"^gen-(\d{6})$")
_TMP_RE = re.compile(r"^gen-(\d{6})\.tmp-(\d+)$")
META_FILE = "kartoteka.json"
MIN_FREE_BYTES = 8 * 1024 * 1024  # below this a PUT's segment and journal line may not fit
SAY_WAITING_AFTER = 1.0  # seconds a writer waits for a lock before it says so
log = logging.getLogger("kartoteka")


@dataclass(frozen=True)
class GenerationInfo:
    name: str
    path: Path
    built_at: str | None
    schema_version: int | None
    analysis_version: int | None = None  # search/analysis.py ANALYSIS_VERSION


class IndexLocation:
    """A directory of index generations with a CURRENT pointer."""

    def __init__(self, root: Path):
        self.root = Path(root)

    # -- reading ----------------------------------------------------------------
    def current_name(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except UnicodeDecodeError as exc:  # overwritten with bytes: a 500 on every route
            raise damaged(self.root / "CURRENT", exc) from exc
        return name if _GEN_RE.match(name) and (self.root / name).is_dir() else None

    def current(self) -> GenerationInfo:
        name = self.current_name()
        if name is None and (self.root / "CURRENT").is_file():
            # it names no generation here (edited, or its generation removed by hand):
            # health had said «no index yet» beside generations
            raise IndexDamaged(f"{self.root / 'CURRENT'} не называет поколения индекса в "
                               f"{self.root}: постройте индекс заново командой "
                               "`kartoteka reindex`")
        if name is None:
            raise IndexMissing(
                f"индекс не найден в {self.root}: постройте его командой `kartoteka reindex`")
        path = self.root / name
        meta = self.read_meta(path)
        return GenerationInfo(name, path, meta.get("built_at"), meta.get("schema_version"),
                              meta.get("analysis_version"))

    def open_current(self):
        """Open the live generation's Whoosh index."""
        info = self.current()
        if info.schema_version != SCHEMA_VERSION:
            raise SchemaMismatch(
                f"индекс {info.path} построен со схемой версии {info.schema_version}, а этой "
                f"версии нужна {SCHEMA_VERSION}: перестройте его командой `kartoteka reindex`")
        try:
            # Without mmap: Whoosh copies every mmapped segment part it opens into a
            # private BytesIO, over 100 MB per gunicorn worker; plain file reads do not.
            ix = FileStorage(str(info.path), supports_mmap=False).open_index()
        except (whoosh_index.EmptyIndexError, OSError) as exc:
            why = os_problem(exc) if isinstance(exc, OSError) else exc
            raise IndexMissing(f"индекс {info.path} не открывается: {why}") from exc
        except Exception as exc:  # noqa: BLE001 - a table of contents cut short
            raise damaged(info.path, exc) from exc
        try:  # its segments' directories: a file cut short fails here, not deep in a search
            ix.reader().close()
        except Exception as exc:  # noqa: BLE001 - Whoosh reads pickles, structs, arrays
            ix.close()
            raise damaged(info.path, exc) from exc
        return ix

    @staticmethod
    def read_meta(path: Path) -> dict:
        try:
            return json.loads((path / META_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def touch_meta(self, path: Path, reindexed: bool = True, **extra) -> None:
        """Record a change of the generation at `path`: `built_at` is the last reindex
        (what /api/health ages), `changed_at` the last change of any kind (a PUT too)."""
        meta = self.read_meta(path)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        meta.update(extra, schema_version=SCHEMA_VERSION, changed_at=now)
        if reindexed or "built_at" not in meta:
            meta["built_at"] = now
        _atomic_write(path / META_FILE, json.dumps(meta, ensure_ascii=False))

    # -- writing ----------------------------------------------------------------
    def new_generation(self):
        """Create an empty index in a temporary directory; returns (path, index)."""
        self._ensure_root()
        self.clean_stale()
        numbers = [int(m.group(1)) for p in self.root.iterdir()
                   if (m := _GEN_RE.match(p.name) or _TMP_RE.match(p.name))]
        number = max(numbers, default=0) + 1
        path = self.root / f"gen-{number:06d}.tmp-{os.getpid()}"
        path.mkdir()
        try:
            # Without mmap, as open_current: the rebuild's own reader (the lexicon, the
            # vocabulary) would otherwise copy the whole postings file into memory.
            return path, FileStorage(str(path), supports_mmap=False).create_index(build_schema())
        except BaseException:  # Ctrl-C while the empty index is written: leave nothing
            self.discard(path)
            raise

    def publish(self, tmp_path: Path, keep: int = 2) -> str:
        """Rename a finished temporary generation into place and point CURRENT at it."""
        final = self.root / tmp_path.name.split(".tmp-")[0]
        _fsync_tree(tmp_path)
        os.rename(tmp_path, final)
        _fsync_dir(self.root)
        _atomic_write(self.root / "CURRENT", final.name + "\n")
        self._drop_old(keep)
        return final.name

    def discard(self, tmp_path: Path) -> None:
        shutil.rmtree(tmp_path, ignore_errors=True)

    @contextlib.contextmanager
    def writable(self):
        """A PUT's or DELETE's file errors as IndexNotWritable (a 503 saying why, not a
        500): a directory the server may not write, a read-only one, a full disk."""
        try:
            yield
        except OSError as exc:
            raise IndexNotWritable(f"индекс в {self.root} не записывается "
                                   f"({os_reason(exc)}: {exc.filename or ''})") from exc

    def unwritable(self) -> str | None:
        """Why a PUT or DELETE would be refused now (a file of the live index this process
        may not write, a read-only disk), or None: /api/health says so before the CMS
        finds out."""
        info = self.current()
        for path in (self.root, info.path):
            if not os.access(path, os.W_OK | os.X_OK):
                return f"{path.name}: этот процесс не может его записать"
        if shutil.disk_usage(self.root).free < MIN_FREE_BYTES:
            return "на диске индекса не осталось места"
        for path in (self.root / "write.lock", self.root / "api-journal.jsonl"):
            try:  # opened as a push opens it (nothing is written): root's rights too
                if path.exists():
                    open(path, "ab").close()
            except OSError as exc:
                return f"{path.name}: этот процесс не может его записать ({os_reason(exc)})"
        return None

    def write_lock(self, timeout: float = 60.0):
        """Serialize writers of all processes; stale locks vanish with their process."""
        return self._lock("write.lock", timeout,
                          f"индекс {self.root} занят: его записывает другой процесс")

    def rebuild_lock(self, timeout: float = 10.0):
        """Only one full rebuild at a time; a second one fails after `timeout` seconds.

        The short wait lets the sub-processes of a just-killed reindex, which share its
        lock, die first.
        """
        return self._lock("rebuild.lock", timeout,
                          f"уже идёт другая переиндексация {self.root}")

    @contextlib.contextmanager
    def _lock(self, name: str, timeout: float, busy_message: str):
        """An exclusive fcntl lock on `name`, retried until `timeout`, then IndexBusy."""
        self._ensure_root()
        fd = os.open(self.root / name, os.O_RDWR | os.O_CREAT, 0o644)
        started = time.monotonic()
        said = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - started
                    if waited > timeout:
                        raise IndexBusy(busy_message) from None
                    if waited > SAY_WAITING_AFTER and not said:  # a second reindex was silent
                        log.warning("%s: ждём (не дольше %.0f с)", busy_message, timeout)
                        said = True
                    time.sleep(0.02)
            yield
        finally:
            os.close(fd)

    def clean_stale(self) -> list[str]:
        """Remove half-written generations whose writer process is gone."""
        removed = []
        if not self.root.is_dir():
            return removed
        for p in self.root.iterdir():
            m = _TMP_RE.match(p.name)
            if m and not process_alive(int(m.group(2))) and _remove_generation(p, "недописанное"):
                removed.append(p.name)
        return removed

    def _drop_old(self, keep: int) -> None:
        gens = sorted(p for p in self.root.iterdir() if _GEN_RE.match(p.name))
        current = self.current_name()
        for p in gens[:-keep]:
            if p.name != current:
                _remove_generation(p)

    def _ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"не удаётся создать каталог индекса {self.root}: "
                              f"{os_reason(exc)}") from exc


def damaged(path: Path, exc: BaseException) -> IndexDamaged:
    """A generation whose files Whoosh cannot read: every request was a 500 with a
    traceback, and `kartoteka reindex` itself failed the same way."""
    return IndexDamaged(f"индекс {path} не читается ({type(exc).__name__}: "
                        f"{str(exc)[:200]}): постройте его заново командой `kartoteka reindex`")


def _remove_generation(path: Path, what: str = "старое") -> bool:
    """A generation removed, or a warning: one a reindex run as another user (root) left,
    old or half-written by a run killed, was kept forever, silently, with its disk space."""
    failed: list[str] = []

    def note(_function, name, exc_info) -> None:
        failed.append(f"{name}: {os_reason(exc_info[1])}")

    shutil.rmtree(path, onerror=note)
    if failed and path.exists():
        log.warning("%s поколение индекса не удалось удалить (%s; файлов: %d): удалите %s "
                    "от имени его владельца (переиндексацию запускал другой пользователь, "
                    "root?)", what, failed[0], len(failed), path)
        return False
    return True


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for p in path.iterdir():
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(path)
