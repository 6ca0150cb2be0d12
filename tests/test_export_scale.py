"""An export of every publication of a large index, through the real gunicorn (30 s timeout).

Slow: builds an index of KARTOTEKA_TEST_EXPORT_DOCS generated publications (skipped when
unset). `KARTOTEKA_TEST_EXPORT_DOCS=100000 .venv/bin/python -m pytest -s
tests/test_export_scale.py` is the issue's figure; it prints the timings and memory.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from server_helpers import run_gunicorn

from indexer.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.server]

DOCS = int(os.environ.get("KARTOTEKA_TEST_EXPORT_DOCS") or 0)
WORKER_TIMEOUT = 30.0  # gunicorn.conf.py
SENTENCES = [
    "В {place} {event}.", "Читатели обсудили новые книги и записались в клуб.",
    "Библиотекари подготовили книжную выставку и рассказали о краеведческих изданиях.",
    "Для школьников прошла викторина, победители получили дипломы.",
    "Встреча завершилась чаепитием и фотографией на память.",
    "Следующее заседание клуба назначено на первую субботу месяца.",
    "Справки по телефону библиотеки и на её странице в социальной сети.",
]
PLACES = ["Центральной городской библиотеке", "Детской библиотеке", "библиотеке-филиале № 3"]
EVENTS = ["открылась выставка", "прошла встреча с писателем", "подвели итоги конкурса"]


def _records(n: int):
    for i in range(n):
        body = " ".join(s.format(place=PLACES[(i + k) % 3], event=EVENTS[(i // 3 + k) % 3])
                        for k, s in enumerate(SENTENCES * 2))
        yield {"id": f"big-{i:06d}", "title": f"{EVENTS[i % 3].capitalize()} № {i}",
               "date": f"{2010 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
               "author": ["Анна Вершинина", "Ольга Кравцова"][i % 2],
               "topic": ["Выставки", "Конкурсы", "Клубы по интересам"][i % 3],
               "library": PLACES[i % 3], "text": f"{body} Публикация {i}."}


@pytest.fixture(scope="module")
def big_index(tmp_path_factory) -> Path:
    if DOCS <= 0:
        pytest.skip("set KARTOTEKA_TEST_EXPORT_DOCS (e.g. 100000) to build a large index")
    root = tmp_path_factory.mktemp("export-scale")
    source = root / "big.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for record in _records(DOCS):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    assert main(["--quiet", "--index-dir", str(root / "index"), "reindex", "--no-progress",
                 str(source)]) == 0
    return root / "index"


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.parametrize("fmt, q", [("csv", ""), ("xlsx", ""), ("csv", "выставка"),
                                     ("xlsx", "выставка")])
def test_export_of_every_publication_streams_within_the_timeout(big_index, tmp_path, fmt, q):
    """Every publication: browsing, and a query every one matches (ranked, with snippets)."""
    with run_gunicorn(big_index, tmp_path, workers=1) as server:
        (worker,) = server.worker_pids()
        server.get("/api/search", {"q": "выставка"})  # open the index, warm the worker
        before = _hwm_mb(worker)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WORKER_TIMEOUT + 30)
        started = time.monotonic()
        conn.request("GET", f"/api/export?format={fmt}&q={quote(q)}")
        resp = conn.getresponse()
        first = resp.read1(65536)
        first_byte = time.monotonic() - started
        size, lines = len(first), first.count(b"\r\n")
        kept = [first] if fmt == "xlsx" else []  # a few MB: counted after the timing
        while chunk := resp.read1(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\r\n")
            if fmt == "xlsx":
                kept.append(chunk)
        total = time.monotonic() - started
        conn.close()
        grew = _hwm_mb(worker) - before
        print(f"\n{fmt} q={q!r}: {DOCS} publications, {size / 1e6:.1f} MB, first bytes after "
              f"{first_byte:.2f} s, all after {total:.1f} s; worker peak RSS "
              f"{before:.0f} -> {before + grew:.0f} MB")
        assert resp.status == 200
        assert server.worker_pids() == {worker}, "the worker was killed (timeout)"
        assert total < WORKER_TIMEOUT
        if fmt == "xlsx":
            with zipfile.ZipFile(io.BytesIO(b"".join(kept))) as book:
                with book.open("xl/worksheets/sheet1.xml") as sheet:
                    lines = sum(part.count(b"<row ") for part in iter(lambda: sheet.read(1 << 20), b""))
        assert lines == DOCS + 1
        assert first_byte < 5.0
        assert grew < 150, f"worker memory grew by {grew:.0f} MB"
