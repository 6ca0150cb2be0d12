"""A real gunicorn over a private copy of an index, for the server and browser tests.

Everything is bounded: start-up, each request and shutdown have timeouts, and the
server's whole process group is always terminated.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():  # pragma: no cover - running outside the project's venv
    PYTHON = Path(sys.executable)
TOKEN = "server-test-token"
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Server:
    port: int
    index_dir: Path
    proc: subprocess.Popen
    log_path: Path
    token: str = TOKEN
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, params=None, body=None, headers=None,
                timeout: float = REQUEST_TIMEOUT) -> Response:
        """One request on a fresh connection (so the workers share the load)."""
        if params:
            path += "?" + urllib.parse.urlencode(params, doseq=True)
        headers = dict(headers or {})
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                            resp.read())
        finally:
            conn.close()

    def get(self, path: str, params=None, **kwargs) -> Response:
        return self.request("GET", path, params=params, **kwargs)

    def put(self, pid: str, record: dict) -> Response:
        return self.request("PUT", f"/api/publications/{urllib.parse.quote(pid)}", body=record,
                            headers={"Authorization": f"Bearer {self.token}"})

    def health(self) -> dict:
        return self.get("/api/health").json

    def worker_pids(self) -> set[int]:
        """The master's child processes (the workers), from /proc."""
        pids: set[int] = set()
        task_dir = Path(f"/proc/{self.proc.pid}/task")
        for task in task_dir.iterdir() if task_dir.is_dir() else ():
            try:
                pids |= {int(p) for p in (task / "children").read_text().split()}
            except OSError:
                continue
        return pids

    def wait_workers(self, count: int, exclude: set[int] = frozenset(),
                     timeout: float = 30.0) -> set[int]:
        """Wait until `count` workers run (none of them in `exclude`) and answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == count and not pids & exclude:
                return pids
            time.sleep(0.05)
        raise AssertionError(f"workers {self.worker_pids()} != {count} new ones\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def reindex(self, *sources: Path, incremental: bool = False,
                timeout: float = 120.0) -> subprocess.CompletedProcess:
        """`kartoteka reindex` in a subprocess against this server's index (a full one
        may replace it with fewer publications: --allow-smaller)."""
        args = [str(PYTHON), "-m", "indexer", "--quiet", "--index-dir", str(self.index_dir),
                "reindex", "--no-progress", *map(str, sources)]
        args.append("--incremental" if incremental else "--allow-smaller")
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env=_env({}))
        assert done.returncode == 0, done.stderr
        return done


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


@contextlib.contextmanager
def run_gunicorn(index_dir: Path, log_dir: Path, workers: int = 2,
                 env: dict[str, str] | None = None, args: tuple[str, ...] = ()):
    """Start gunicorn on a free port, wait for /api/health, always stop it (`args`: more
    gunicorn flags, over api/gunicorn_conf.py)."""
    port = free_port()
    extra = {"KARTOTEKA_INDEX_DIR": str(index_dir), "KARTOTEKA_ADMIN_TOKEN": TOKEN,
             **(env or {})}
    log_path = log_dir / f"gunicorn-{port}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [str(PYTHON), "-m", "gunicorn", "--config", "python:api.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *args,
         "api.app:get_app()"],
        cwd=ROOT, env=_env(extra), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    server = Server(port, index_dir, proc, log_path, env=extra)
    try:
        _wait_healthy(server, workers)
        yield server
    finally:
        _stop(proc)
        log.close()


def _wait_healthy(server: Server, workers: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.proc.returncode}\n{server.log()}")
        try:
            if server.get("/api/health", timeout=2).status == 200 and len(
                    server.worker_pids()) == workers:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not become healthy in {START_TIMEOUT} s\n{server.log()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # workers left behind by a killed master
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def copy_index(source: Path, target: Path) -> Path:
    """A private copy of a built index (without its lock files)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def generated_records(count: int, prefix: str = "gen") -> list[dict]:
    """Plausible Russian publications with distinct ids, built from a few templates."""
    topics = ["Выставки", "Краеведение", "Клубы", "Конкурсы", "Чтение и книги"]
    authors = ["Анна Вершинина", "Ольга Кравцова", "Галина Шубина", "Ирина Соколова"]
    places = ["Центральной городской библиотеке", "Детской центральной библиотеке",
              "библиотеке-филиале № 3", "Модельной библиотеке «Лира»"]
    libraries = ["Центральная городская библиотека", "Детская центральная библиотека",
                 "Библиотека-филиал № 3", "Модельная библиотека «Лира»"]
    events = ["открылась книжная выставка", "прошла встреча с писателем",
              "состоялось заседание клуба", "подвели итоги конкурса чтецов",
              "прошёл краеведческий час"]
    records = []
    for i in range(count):
        year = 2015 + i % 10
        records.append({
            "id": f"{prefix}-{i:05d}",
            "title": f"{events[i % 5].capitalize()} № {i}",
            "date": f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "author": authors[i % 4],
            "topic": topics[i % 5],
            "library": libraries[i % 4],
            "text": f"В {places[i % 4]} {events[(i // 5) % 5]}. Читатели обсудили книги, "
                    f"посмотрели выставку и записались в клуб. Публикация номер {i}.",
        })
    return records
