"""One full rebuild at a time on a cluster, as Whoosh's rebuild.lock does on a disk.

Two `kartoteka reindex` runs over one prefix each built a generation, each switched the
alias to its own, and the first one's was dropped by the second (a portal admin's trial:
both exit 0, each 2.5 times as long). A run now creates a lock document in the meta index
(create fails when one exists); the second run is refused. A lock whose run is gone (a
process of this machine no longer there, or older than ABANDONED_AFTER_HOURS: `kill -9`,
another machine's crash) is taken over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
from collections.abc import Iterator

from opensearchpy import ConflictError, NotFoundError, OpenSearch

from search.engine.opensearch.generations import ABANDONED_AFTER_HOURS, Generations
from search.errors import IndexBusy
from search.processes import process_alive

__all__ = ["rebuild_lock"]

LOCK_ID = "rebuild-lock"


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(holder: str, since: str) -> bool:
    """Whether the run holding the lock is over without having released it."""
    host, _, pid = holder.rpartition(":")
    try:
        age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(since)
    except ValueError:
        return True
    if age > dt.timedelta(hours=ABANDONED_AFTER_HOURS):
        return True
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not process_alive(int(pid))


def _take(client: OpenSearch, gens: Generations) -> bool:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        client.create(index=gens.meta_index, id=LOCK_ID, refresh=True,
                      body={"index": _holder(), "built_at": now})
    except ConflictError:
        return False
    return True


@contextlib.contextmanager
def rebuild_lock(client: OpenSearch, gens: Generations) -> Iterator[None]:
    """Held for a full rebuild; IndexBusy when another run holds it."""
    gens.ensure_meta()
    if not _take(client, gens):
        try:
            found = client.get(index=gens.meta_index, id=LOCK_ID)["_source"]
        except NotFoundError:
            found = None
        if found is not None and not _gone(str(found.get("index", "")),
                                           str(found.get("built_at", ""))):
            raise IndexBusy(f"уже идёт другая переиндексация {gens.alias} "
                            f"({found.get('index')}, с {found.get('built_at')})")
        with contextlib.suppress(NotFoundError):
            client.delete(index=gens.meta_index, id=LOCK_ID, refresh=True)
        if not _take(client, gens):
            raise IndexBusy(f"уже идёт другая переиндексация {gens.alias}")
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # a cluster gone meanwhile: it expires
            client.delete(index=gens.meta_index, id=LOCK_ID, refresh=True)
