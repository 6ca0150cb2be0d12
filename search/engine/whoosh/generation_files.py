"""What a worker knows of the files of the generation it has open.

Two things go wrong under a live generation, and both made searches a 500:
- a file rewritten in place (a disk fault, a backup copied over it) changes size while
  the searcher still reads the old one: the generation is opened again, or `damaged`;
- another worker's PUT commits a merge and removes the segments it merged, between this
  worker reading the table of contents and opening (or sizing) their files.
"""

from __future__ import annotations

import os
from pathlib import Path

from whoosh.searching import Searcher

GONE = -1  # the size of a file removed since it was recorded (a PUT's merge)
OPEN_ATTEMPTS = 3  # each attempt reads the newest table of contents again


class GenerationFiles:
    """The sizes of a generation's segment and table-of-contents files, as opened."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self._sizes: dict[str, int] = {}

    def record(self, path: Path) -> None:
        """Remember the files as they are now; a file listed but gone is passed over."""
        sizes = {}
        for entry in path.iterdir():
            if entry.suffix in (".seg", ".toc"):
                try:
                    sizes[entry.name] = entry.stat().st_size
                except OSError:
                    continue
        self.path, self._sizes = path, sizes

    def now(self) -> list[int]:
        """The recorded files' sizes now, GONE for those removed."""
        sizes = []
        for name in self._sizes:
            try:
                sizes.append(os.stat(self.path / name).st_size)
            except OSError:
                sizes.append(GONE)
        return sizes

    def resized(self) -> bool:
        """Whether a recorded file still there has another size: rewritten in place."""
        return any(size not in (GONE, was)
                   for size, was in zip(self.now(), self._sizes.values(), strict=True))


def open_searcher(index, weighting) -> Searcher:
    """A searcher on the index's newest commit. Whoosh reads the table of contents, then
    opens each segment's files; a merge committed by another worker in between removes
    some of them. The next attempt reads the table that merge wrote."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return index.searcher(weighting=weighting)
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
