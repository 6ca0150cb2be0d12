"""A journal of publications pushed through the API, replayed into every full rebuild.

Pages pushed by the site's CMS (PUT/DELETE) are not in the reindex sources, so a full
rebuild would otherwise drop them, or lose a PUT that arrived while it ran. The Whoosh
engine keeps it in its index directory (search/engine/whoosh/push.py); the OpenSearch
engine keeps what it needs in the cluster, and reads this file once, at its first
rebuild over a directory Whoosh used (a site growing from one machine to a cluster).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from search.errors import InvalidRecord
from search.models import Publication

__all__ = ["Journal"]


class Journal:
    """Append-only JSON lines `{"op": "put"|"delete", "id": ..., "pub": {...}}`; last entry wins."""

    def __init__(self, root: Path):
        self.path = Path(root) / "api-journal.jsonl"

    def record_put(self, pubs: list[Publication]) -> None:
        with self.appending() as append:
            append.put(pubs)

    def record_delete(self, ids: list[str]) -> None:
        with self.appending() as append:
            append.delete(ids)

    @contextmanager
    def appending(self) -> Iterator[JournalAppend]:
        """The journal opened for appending before the index is changed: a journal that
        cannot be written then refuses the change instead of leaving a PUT in the live
        index that the next full rebuild would drop."""
        torn = _ends_without_newline(self.path)
        with open(self.path, "a", encoding="utf-8") as fh:
            if torn:  # a line cut by a crash mid-append: the next one must not join it
                fh.write("\n")
            yield JournalAppend(fh)

    def latest(self) -> dict[str, Publication | None]:
        """The last state of every journaled id: a Publication, or None when deleted."""
        state: dict[str, Publication | None] = {}
        for entry in self._entries():
            if entry.get("op") == "delete":
                state[entry["id"]] = None
            elif entry.get("op") == "put":
                try:
                    state[entry["id"]] = _from_journal(entry["pub"])
                except (InvalidRecord, KeyError, TypeError):
                    continue
        return state

    def _entries(self) -> Iterator[dict]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        yield json.loads(line)
                    except ValueError:
                        continue  # a line torn by a crash mid-append
        except FileNotFoundError:
            return


def _ends_without_newline(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except OSError:  # no journal yet, or an empty one
        return False


class JournalAppend:
    """Entries written (and synced) to a journal file already open."""

    def __init__(self, fh: TextIO):
        self._fh = fh

    def put(self, pubs: list[Publication]) -> None:
        self._write([{"op": "put", "id": p.id, "pub": p.to_dict()} for p in pubs])

    def delete(self, ids: list[str]) -> None:
        self._write([{"op": "delete", "id": pid} for pid in ids])

    def _write(self, entries: list[dict]) -> None:
        if not entries:
            return
        self._fh.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries))
        self._fh.flush()
        os.fsync(self._fh.fileno())


def _from_journal(data: dict) -> Publication:
    """A journaled `Publication.to_dict()` (lines written before the field was named `text`
    say `body`, which from_dict reads too); a push's source is `api`."""
    if not isinstance(data, dict):
        raise InvalidRecord("запись — не объект JSON")
    source = data.get("source") or "api"
    if not isinstance(source, str):
        raise InvalidRecord("source — не строка")
    return Publication.from_dict(data, source=source)
