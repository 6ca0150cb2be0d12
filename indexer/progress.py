"""What a long reindex shows while it runs: a bar with a total and an ETA, then named phases.

On a terminal the bar counts the items read (publications and skipped records) against the
total counted before indexing starts; when the writer reaches a long step that reads nothing
(«запись индекса»: the indexing processes finish and their segments are merged) the bar gives
way to that step's name and a ticking clock. Elsewhere (cron, logs) each step is one log line.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

__all__ = ["ReindexProgress", "PeriodicCount"]

log = logging.getLogger("kartoteka")
TICK_SECONDS = 0.5


class ReindexProgress:
    """A context manager: `update(n)` as items are read, `phase(name)` as a long step starts."""

    def __init__(self, total: int, show_bar: bool):
        self.total = total
        self.show_bar = show_bar
        self._bar = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> ReindexProgress:
        if not self.show_bar:
            log.info("к индексации: %d", self.total)
        else:
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, unit=" публ.", desc="индексация",
                             file=sys.stderr)
        return self

    def update(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def phase(self, name: str) -> None:
        """A step that reads nothing: its name and the time spent in it replace the bar."""
        if self._bar is None:
            log.info("%s...", name)
        else:
            self._next_bar(name)

    def _next_bar(self, name: str) -> None:
        from tqdm import tqdm

        self._finish_bar()
        self._bar = tqdm(desc=name, bar_format="{desc}: {elapsed}", file=sys.stderr)
        self._ticker = threading.Thread(target=self._tick, args=(self._bar,), daemon=True)
        self._ticker.start()

    def _tick(self, bar) -> None:
        while not self._stop.wait(TICK_SECONDS):
            bar.refresh()

    def _finish_bar(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        self._stop.clear()
        if self._bar is not None:
            if self._bar.total is not None and self._bar.n != self._bar.total:
                self._bar.total = self._bar.n  # the count before was an estimate
                self._bar.refresh()
            self._bar.close()
            self._bar = None

    def __exit__(self, *exc) -> None:
        self._finish_bar()


class PeriodicCount:
    """Without a terminal, a log line every `seconds` while items come (a crawl of 5,000
    pages at a polite delay is silent for most of an hour otherwise)."""

    def __init__(self, what: str, seconds: float = 30.0, enabled: bool = True):
        self.what, self.seconds, self.enabled = what, seconds, enabled
        self.count = 0
        self._started = self._said = time.monotonic()

    def tick(self) -> None:
        self.count += 1
        now = time.monotonic()
        if self.enabled and now - self._said >= self.seconds:
            self._said = now
            log.info("%s: %d (за %.0f с)", self.what, self.count, now - self._started)
