"""What the argument parser (cli.py) and the command bodies (commands.py) share.

The exit codes, the search request that parsed arguments stand for, and the JSON the
commands print: kept apart so that neither of the two modules imports the other.
"""

from __future__ import annotations

import json
import logging
import sys

from search.engine import Engine
from search.errors import LEFT_AS_IT_WAS, NONE_MADE, PREVIOUS_KEPT, SearchError
from search.models import SearchRequest
from search.query_clean import clean_query

__all__ = ["EXIT_ERROR", "EXIT_USAGE", "EXIT_NO_INDEX", "SKIPPED", "request_from_args",
           "dump_json", "ErrorLines", "had_index", "said_of_index"]

EXIT_ERROR, EXIT_USAGE, EXIT_NO_INDEX = 1, 2, 3
SKIPPED = "пропущено: "  # how the log tells of a source or record skipped


def had_index(engine: Engine) -> bool:
    """Whether a reindex starts with an index to keep should it stop (True when the
    engine cannot tell: a cluster that does not answer)."""
    try:
        return engine.has_index()
    except (SearchError, OSError):
        return True


def said_of_index(message: str, had: bool) -> str:
    """`message` of a run that stopped: where it says the previous index was kept and
    there was none (a first reindex), that none was made."""
    if had:
        return message
    return message.replace(LEFT_AS_IT_WAS, NONE_MADE).replace(PREVIOUS_KEPT, NONE_MADE)


def request_from_args(args) -> SearchRequest:
    """The SearchRequest of `kartoteka search` arguments (`--sort date` means newest first)."""
    sort = {"date": "date_desc"}.get(args.sort, args.sort)
    return SearchRequest(q=clean_query(args.query), topics=tuple(args.topic),
                         authors=tuple(args.author),
                         libraries=tuple(args.library), years=tuple(args.year),
                         date_from=args.date_from, date_to=args.date_to, sort=sort,
                         page=args.page, per_page=args.per_page)


def dump_json(data) -> str:
    """JSON as the API gives it (Cyrillic unescaped), indented for a terminal."""
    return json.dumps(data, ensure_ascii=False, indent=2)


class ErrorLines:
    """Within `with`: stderr as it is, and the first `error:` line written to it kept
    (without the prefix) in `first`; the sources the run skipped, as its log warned of
    them, counted in `skips` with the first in `first_skip` (a run that skipped a broken
    export file ends well, and health said only `ok`)."""

    def __init__(self):
        self.first: str | None = None
        self.skips = 0
        self.first_skip: str | None = None
        self._stream = None
        self._handler = _SkipCounter(self)

    def __enter__(self) -> ErrorLines:
        self._stream = sys.stderr
        sys.stderr = self
        logging.getLogger("kartoteka").addHandler(self._handler)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("kartoteka").removeHandler(self._handler)
        sys.stderr = self._stream

    def skipped(self, message: str) -> None:
        self.skips += 1
        self.first_skip = self.first_skip or message[:500]

    def write(self, text: str) -> int:
        if self.first is None:
            for line in text.splitlines():
                if line.startswith("error: "):
                    self.first = line.removeprefix("error: ")[:500]
                    break
        return self._stream.write(text)

    def __getattr__(self, name: str):  # flush, isatty, fileno: the stream's own
        return getattr(self._stream, name)


class _SkipCounter(logging.Handler):
    """The log's `пропущено: …` warnings, told to an ErrorLines (a handler of its own: the
    stand-in for stderr must keep the stream's flush and close)."""

    def __init__(self, lines: ErrorLines):
        super().__init__(level=logging.WARNING)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(SKIPPED):
            self.lines.skipped(message.removeprefix(SKIPPED))
