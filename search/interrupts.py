"""Ctrl-C that cannot be lost during a rebuild.

Python delivers SIGINT as a KeyboardInterrupt raised wherever the main thread happens to
be. When that is inside a callback whose exceptions Python ignores (logging's at-fork
handler runs each time a sub-writer is forked), the interrupt is printed as "Exception
ignored" and the rebuild goes on to switch generations. Here the signal also sets a flag
that the rebuild checks at its safe points, so an interrupt always stops it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["InterruptFlag", "interrupt_flag"]


class InterruptFlag:
    """Remembers a SIGINT; `check()` raises KeyboardInterrupt once one arrived."""

    def __init__(self) -> None:
        self.raised = False

    def handle(self, signum, frame) -> None:
        self.raised = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.raised:
            raise KeyboardInterrupt


@contextmanager
def interrupt_flag() -> Iterator[InterruptFlag]:
    """Install the flag's handler for SIGINT (main thread with default handling only)."""
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:  # ignored, or someone else's handler
        yield flag
        return
    signal.signal(signal.SIGINT, flag.handle)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
