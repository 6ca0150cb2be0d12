"""An incremental run's publications whose id comes again: the last record is kept, as a
full rebuild keeps it, and the run is counted by what each id ends up as.

A source that gives one id twice (a CMS export listing a post and its edited copy) had
each record compared with what the index held before the run: the first was written,
the second compared with the old one too, and the index held the first, then the
second, then the first again on each nightly run, each time «обновлено». On Whoosh one
writer even held both records, two documents with one id, since a writer replaces only
documents committed before it. Here each engine writes the first record as it comes;
the later ones wait (`later`), and those that differ from the first are written after
the first pass (`rewrites`); `recount` counts each such id once, by its last record.
"""

from __future__ import annotations

from collections.abc import Callable

from search.engine import duplicate
from search.models import Publication

__all__ = ["RepeatedIds", "INDEXED", "UPDATED", "UNCHANGED"]

INDEXED, UPDATED, UNCHANGED = "indexed", "updated", "unchanged"  # RebuildStats' counters


class RepeatedIds:
    """The ids of one incremental run; `stored(id)` is the fingerprint the index held
    (None: none)."""

    def __init__(self, stored: Callable[[str], str | None]):
        self._stored = stored
        self._first: dict[str, tuple[str, str]] = {}  # id -> (fingerprint, how counted)
        self._fixed: set[str] = set()  # ids the run leaves as they are (what the CMS pushed)
        self.later: dict[str, Publication] = {}  # id -> its last record after the first

    def seen(self, pub: Publication, stats) -> bool:
        """Whether `pub`'s id came before in this run: then it is kept for later and
        reported as skipped, and the caller goes on to the next."""
        if pub.id not in self._first:
            return False
        if pub.id not in self._fixed:
            self.later[pub.id] = pub
        stats.skipped.append((pub.id, duplicate(pub.id)))
        return True

    def counted(self, pub: Publication, how: str, fixed: bool = False) -> None:
        """The first record of an id, and the counter it went to; `fixed`: the run does
        not write this id (what the CMS pushed last wins over the source)."""
        self._first[pub.id] = (pub.fingerprint(), how)
        if fixed:
            self._fixed.add(pub.id)

    def rewrites(self) -> list[Publication]:
        """The last records that differ from their id's first: to be written again."""
        return [pub for pid, pub in self.later.items()
                if pub.fingerprint() != self._first[pid][0]]

    def recount(self, stats) -> None:
        """Each repeated id counted once, by its last record against the index's."""
        for pid, pub in self.later.items():
            setattr(stats, self._first[pid][1], getattr(stats, self._first[pid][1]) - 1)
            stored = self._stored(pid)
            how = INDEXED if stored is None else (
                UNCHANGED if stored == pub.fingerprint() else UPDATED)
            setattr(stats, how, getattr(stats, how) + 1)
