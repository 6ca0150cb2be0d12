"""The parser and the command bodies share cli_support.py and do not import each other."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

from indexer.cli_parser import build_parser
from indexer.cli_support import dump_json, request_from_args
from search.models import SearchRequest
from tests.conftest import ROOT


def test_request_from_search_arguments():
    args = build_parser().parse_args(["search", "выставки", "--topic", "Выставки", "--year",
                                      "2024", "--from", "2024-01-01", "--sort", "date",
                                      "--page", "2", "--per-page", "5"])
    assert request_from_args(args) == SearchRequest(
        q="выставки", topics=("Выставки",), years=(2024,), date_from=dt.date(2024, 1, 1),
        sort="date_desc", page=2, per_page=5)


def test_json_keeps_cyrillic():
    assert dump_json({"q": "ёлка"}) == '{\n  "q": "ёлка"\n}'


def test_commands_do_not_import_the_parser():
    code = ("import sys, indexer.commands; "
            "assert 'indexer.cli' not in sys.modules, 'commands imports cli'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_a_long_crawl_without_a_terminal_logs_its_count(caplog):
    from indexer.progress import PeriodicCount

    caplog.set_level("INFO", logger="kartoteka")
    counted = PeriodicCount("загружено страниц", seconds=0.0)
    for _ in range(3):
        counted.tick()
    quiet = PeriodicCount("загружено страниц", seconds=0.0, enabled=False)  # a bar shows it
    quiet.tick()
    lines = [r.getMessage() for r in caplog.records]
    assert [line.split(" (")[0] for line in lines] == [
        "загружено страниц: 1", "загружено страниц: 2", "загружено страниц: 3"]
    assert all(re.fullmatch(r"загружено страниц: \d \(за \d+ с\)", line) for line in lines)


def test_the_run_s_stderr_stand_in_keeps_the_stream_s_own_flush():
    """How the run ended is read off stderr by a stand-in for it, which also counts the
    log's skip warnings: made a logging handler itself, its flush was the handler's
    (which does nothing) and a progress bar's output could wait in the buffer."""
    import io
    import logging
    import sys

    from indexer.cli_support import ErrorLines

    class Stream(io.StringIO):
        flushes = 0

        def flush(self):
            self.flushes += 1
            super().flush()

    stream, before = Stream(), sys.stderr
    sys.stderr = stream
    try:
        with ErrorLines() as said:
            sys.stderr.write("error: the export is not mounted\n")
            sys.stderr.flush()
            logging.getLogger("kartoteka.web").warning("пропущено: %s: %s", "a.jsonl",
                                                       "пустой файл")
            logging.getLogger("kartoteka.web").warning("warning: %s: %s", "a.jsonl:2", "дата")
    finally:
        sys.stderr = before
    assert stream.flushes == 1 and said.first == "the export is not mounted"
    assert (said.skips, said.first_skip) == (1, "a.jsonl: пустой файл")
