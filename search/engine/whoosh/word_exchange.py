"""The words a rebuild's analysis processes parse, handed to each other as they go.

Each analysis process parses (pymorphy3) every word form it meets for the first time,
and the processes share no memory: on the real corpus 77,700 of the 180,000 distinct
forms were met, and parsed, by both of two processes, a third of their parsing. Here
each process appends the readings of the words it parsed to a file of its own in the
new generation's folder, and every EXCHANGE_DOCS documents reads what the others
appended since it last looked: a word one process parsed a few documents earlier is
then a word the others need not parse (search/parsed_words.py), as a lemma cache's words are.

A file (`<prefix><pid>.exchange`) is a sequence of frames: a 4-byte length, then a
marshal of a list of (word, raw readings). A frame another process is still writing is
read the next time. Any failure only stops the exchange: it saves time and is never
needed.
"""

from __future__ import annotations

import logging
import marshal
import os
import struct
from pathlib import Path

from search.parsed_words import fresh_readings, share_parsed, stop_sharing, take_readings

__all__ = ["WordExchange", "EXCHANGE_DOCS", "SUFFIX"]

log = logging.getLogger(__name__)

EXCHANGE_DOCS = 10  # documents between two exchanges (a few ms of parsing each)
LOOK_EVERY = 50  # exchanges between two listings of the folder for other processes' files
SUFFIX = ".exchange"  # (a segment's own `.words` are its lexicon)
_LENGTH = struct.Struct("<I")


class WordExchange:
    """This process's side of the exchange among the files `<prefix>*.words` of `folder`."""

    def __init__(self, folder: Path, prefix: str):
        self._folder, self._prefix = Path(folder), prefix
        self._own = self._folder / f"{prefix}{os.getpid()}{SUFFIX}"
        self._read: dict[Path, int] = {}  # another process's file -> bytes taken from it
        self._trades = 0
        self._fd: int | None = os.open(self._own, os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                                       0o600)
        share_parsed()

    def trade(self) -> None:
        """Append what this process parsed since the last trade; take what others did."""
        if self._fd is None:
            return
        try:
            self._publish()
            self._collect()
        except (OSError, ValueError, EOFError, TypeError) as exc:
            log.debug("word exchange stopped: %s", exc)
            self.close()

    def close(self) -> None:
        stop_sharing()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _publish(self) -> None:
        words = fresh_readings()
        if not words:
            return
        data = marshal.dumps(words)
        view = memoryview(_LENGTH.pack(len(data)) + data)
        while view:  # a regular file takes it whole; the loop is for the rule, not the case
            view = view[os.write(self._fd, view):]

    def _collect(self) -> None:
        self._trades += 1
        if not self._read or self._trades % LOOK_EVERY == 0:  # a listing: only now and then
            for path in self._folder.glob(f"{self._prefix}*{SUFFIX}"):
                if path != self._own:
                    self._read.setdefault(path, 0)
        for path, taken in list(self._read.items()):
            with path.open("rb") as fh:
                fh.seek(taken)
                data = fh.read()
            at = 0
            while len(data) - at >= _LENGTH.size:
                (size,) = _LENGTH.unpack_from(data, at)
                end = at + _LENGTH.size + size
                if end > len(data):  # still being written
                    break
                take_readings(marshal.loads(data[at + _LENGTH.size:end]))
                at = end
            self._read[path] = taken + at
