"""Ctrl-C that cannot be lost during a rebuild.

Python delivers SIGINT as a KeyboardInterrupt raised wherever the main thread happens to
be. When that is inside a callback whose exceptions Python ignores (logging's at-fork
handler runs each time a sub-writer is forked), the interrupt is printed as "Exception
ignored" and the rebuild goes on to switch generations. Here the signal also sets a flag
that the rebuild checks at its safe points, so an interrupt always stops it (the
multi-process writer also holds signals back around its fork: search/engine/whoosh/parallel.py).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["InterruptFlag", "Terminated", "interrupt_flag"]


class Terminated(KeyboardInterrupt):
    """SIGTERM (systemd stopping a unit, `kill`, a cron timeout) during a rebuild: it
    stops as Ctrl-C does, cleaning up, instead of dying with the new generation half
    written."""


class InterruptFlag:
    """Remembers a SIGINT or SIGTERM; `check()` raises it again once one arrived."""

    def __init__(self) -> None:
        self.raised: type[KeyboardInterrupt] | None = None

    def handle(self, signum, frame) -> None:
        self.raised = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
        raise self.raised

    def check(self) -> None:
        if self.raised:
            raise self.raised


@contextmanager
def interrupt_flag() -> Iterator[InterruptFlag]:
    """Install the flag's handler for SIGINT and SIGTERM (main thread, and each signal
    only where it has its default handling)."""
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    defaults = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
    previous = {signum: signal.getsignal(signum) for signum in defaults}
    taken = [signum for signum, default in defaults.items() if previous[signum] is default]
    for signum in taken:  # not when ignored, or someone else's handler
        signal.signal(signum, flag.handle)
    try:
        yield flag
    finally:
        for signum in taken:
            signal.signal(signum, previous[signum])
