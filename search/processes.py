"""Whether a process of this machine still runs: the owner of a lock, a half-written
generation or a run's start record, left behind by a `kill -9` or a crash."""

from __future__ import annotations

import os

__all__ = ["process_alive"]


def process_alive(pid: int) -> bool:
    """True while `pid` runs here (another user's process too: it is there)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's (a run as root): there
        return True
    return True
