"""A journal of publications pushed through the API, replayed into every full rebuild.

Pages pushed by the site's CMS (PUT/DELETE) are not in the reindex sources, so a full
rebuild would otherwise drop them, or lose a PUT that arrived while it ran.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from search.errors import InvalidRecord
from search.models import Publication

__all__ = ["Journal"]


class Journal:
    """Append-only JSON lines `{"op": "put"|"delete", "id": ..., "pub": {...}}`; last entry wins."""

    def __init__(self, root: Path):
        self.path = Path(root) / "api-journal.jsonl"

    def record_put(self, pubs: list[Publication]) -> None:
        self._append([{"op": "put", "id": p.id, "pub": p.to_dict()} for p in pubs])

    def record_delete(self, ids: list[str]) -> None:
        self._append([{"op": "delete", "id": pid} for pid in ids])

    def _append(self, entries: list[dict]) -> None:
        if not entries:
            return
        data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

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


def _from_journal(data: dict) -> Publication:
    """A journaled `Publication.to_dict()` (lines written before the field was named `text`
    say `body`, which from_dict reads too); a push's source is `api`."""
    if not isinstance(data, dict):
        raise InvalidRecord("record is not a JSON object")
    source = data.get("source") or "api"
    if not isinstance(source, str):
        raise InvalidRecord("source is not text")
    return Publication.from_dict(data, source=source)
