"""Files derived from an index generation and kept beside it (words, suggestion forms).

What every worker would otherwise compute from the whole index on its first request is
written once, atomically, into the generation's directory; a file that is missing or
unreadable is simply derived again. A read-only index directory is no error.

A file's name carries the format of its contents (`lexicon-2.pickle`): a change of what
is pickled takes a new name, never the old one, so a server of the previous version
still running over the same generation, or reinstalled to go back, reads and writes its
own file and never another version's.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["load", "save", "load_or_build"]

T = TypeVar("T")


def load(path: Path | None):
    """The object saved at `path`, or None when there is none (or it cannot be read)."""
    if path is None or not path.exists():
        return None
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        return None


def save(path: Path, data) -> bool:
    """Write `data` to `path` atomically; False when the directory is not writable."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        tmp.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def load_or_build(path: Path | None, build: Callable[[], T]) -> T:
    """The saved object, else `build()`, saved for the next process when possible."""
    found = load(path)
    if found is not None:
        return found
    built = build()
    if path is not None:
        save(path, built)
    return built
