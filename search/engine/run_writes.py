"""What an incremental run writes: each id once, its last record winning, as in a full
rebuild, and the run counted by what each id ends up as.

A source that gives one id twice (a CMS export listing a post and its edited copy) had
each record compared with what the index held before the run: the first was written,
the second compared with the old one too, and the index held the first, then the
second, then the first again on each nightly run, each time «обновлено»; on Whoosh one
writer even held both, two documents with one id (a writer replaces only documents
committed before it). Here the records that change something are held back, up to
HOLD of them, and written when they leave the hold or at the end of the pass: a
repeated id within that reach is written once, or not at all when its last record is
what the index holds. One that comes back after its id was written (more than HOLD
changed records later) is written again after the others (`late`); Whoosh commits the
others first (search/engine/whoosh/writer.py).
"""

from __future__ import annotations

from collections.abc import Callable

from search.engine import DUPLICATE, RebuildStats
from search.models import Publication

__all__ = ["RunWrites", "HOLD"]

HOLD = 2_000  # changed records held back: a few MB of text; a nightly run changes fewer


class RunWrites:
    """One incremental run's writes; `stored(id)` is the fingerprint the index held (None:
    no such document)."""

    def __init__(self, stored: Callable[[str], bytes | None]):
        self._stored = stored
        self._last: dict[str, bytes] = {}  # id -> fingerprint of its latest record
        self._fixed: set[str] = set()  # ids the run leaves as they are (what the CMS pushed)
        self._held: dict[str, Publication] = {}  # changed, not written yet, oldest first
        self._written: dict[str, bytes] = {}  # id -> fingerprint written this run
        self._late: dict[str, Publication] = {}

    def offer(self, pub: Publication, stats: RebuildStats, fixed: bool = False) -> list[Publication]:
        """Take a record (after the engine settled its id); the records to write now.
        `fixed`: the run does not write this id (what the CMS pushed last wins)."""
        if pub.id in self._last:
            stats.skipped.append((pub.id, DUPLICATE))
        if fixed or pub.id in self._fixed:
            self._fixed.add(pub.id)
            self._last.setdefault(pub.id, b"")  # counted unchanged
            return []
        fingerprint = self._last[pub.id] = pub.fingerprint()
        if pub.id in self._written:
            if self._written[pub.id] == fingerprint:
                self._late.pop(pub.id, None)
            else:
                self._late[pub.id] = pub
            return []
        self._held.pop(pub.id, None)  # a repeated id's earlier record, never written
        if self._stored(pub.id) != fingerprint:
            self._held[pub.id] = pub
        out = []
        while len(self._held) > HOLD:
            out.append(self._write(self._held.pop(next(iter(self._held)))))
        return out

    def rest(self) -> list[Publication]:
        """The records still held, to write at the end of the pass."""
        out = [self._write(pub) for pub in self._held.values()]
        self._held.clear()
        return out

    def late(self) -> list[Publication]:
        """Last records of ids written before they came: to write again, over those."""
        return list(self._late.values())

    @property
    def wrote(self) -> bool:
        """Whether any record was handed out to be written."""
        return bool(self._written)

    def count(self, stats: RebuildStats) -> None:
        """Each id once, by its last record against what the index held."""
        for pid, fingerprint in self._last.items():
            stored = self._stored(pid)
            if pid in self._fixed or stored == fingerprint:
                stats.unchanged += 1
            elif stored is None:
                stats.indexed += 1
            else:
                stats.updated += 1

    def _write(self, pub: Publication) -> Publication:
        self._written[pub.id] = self._last[pub.id]
        return pub
