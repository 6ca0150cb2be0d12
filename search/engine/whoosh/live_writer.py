"""The writers of a generation and their failures: the live generation opened for a
write (what an unfinished write left removed first), a writer of it without Whoosh's
own lock, cancelling a writer, and tidying after a failed write.
"""

from __future__ import annotations

import shutil

from whoosh.index import clean_files
from whoosh.writing import IndexWriter

from search.engine.whoosh.schema import build_codec
from search.engine.whoosh.store import IndexLocation

__all__ = ["cancel", "live_writer", "open_for_write", "tidy_after_failure"]


def live_writer(ix) -> IndexWriter:
    """A writer of the live generation, for a caller holding `IndexLocation.write_lock`
    (which serializes every writer of every process) and without Whoosh's own lock: a
    writer that failed while it was being made (a generation the server may not write,
    a full disk) kept that lock in its gunicorn worker, and every later PUT, in any
    worker, and the nightly run failed with LockError, after the cause was gone."""
    return ix.writer(codec=build_codec(), _lk=False)


def cancel(writer: IndexWriter | None) -> None:
    if writer is not None:
        try:
            writer.cancel()
        except Exception:  # noqa: BLE001 - best effort while already failing
            pass


def open_for_write(location: IndexLocation):
    """The live generation, for a writer holding the write lock. What a writer killed
    with -9 or stopped left in it goes first, as Whoosh's next commit would remove it."""
    info = location.current()
    ix = location.open_current()
    _remove_leftovers(info, ix)
    return info, ix


def _remove_leftovers(info, ix) -> None:
    """An unfinished write's files in the live generation: its sorted runs (`MAIN.tmp`,
    hundreds of MB) and the files of its unfinished segment. No other writer can be
    using them (the write lock is held)."""
    shutil.rmtree(info.path / "MAIN.tmp", ignore_errors=True)  # Whoosh: index name + .tmp
    clean_files(ix.storage, ix.indexname, ix.latest_generation(), ix._segments())


def tidy_after_failure(info, ix) -> None:
    """What a failed write left goes at once, not at the next write: on a full disk it
    held the last free megabytes, so not even the run's failure could be recorded for
    /api/health (an admin's trial)."""
    try:
        _remove_leftovers(info, ix)
    except Exception:  # noqa: BLE001 - best effort while already failing
        pass
