"""The API's PUT and DELETE into the live generation, journaled for later rebuilds."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext

from search.api_journal import Journal, JournalAppend
from search.engine.whoosh.documents import to_document
from search.engine.whoosh.live_writer import cancel, live_writer, open_for_write
from search.engine.whoosh.store import IndexLocation
from search.models import Publication

__all__ = ["delete", "upsert"]


def upsert(location: IndexLocation, publications: Iterable[Publication],
           journal: bool = True, wait: float = 60.0) -> int:
    """Add or replace publications by id in the live generation, waiting at most `wait`
    seconds for another writer (then IndexBusy).

    With `journal`, they are also recorded so that later full rebuilds keep them.
    """
    pubs = list(publications)
    with location.write_lock(wait), _journal(location, journal) as append:
        info, ix = open_for_write(location)
        try:
            writer = live_writer(ix)
            try:
                for pub in pubs:
                    writer.update_document(**to_document(pub))
                writer.commit()
            except BaseException:
                cancel(writer)
                raise
            if append:
                append.put(pubs)
            location.touch_meta(info.path, reindexed=False)
        finally:
            ix.close()
    return len(pubs)


def delete(location: IndexLocation, ids: Iterable[str], journal: bool = True,
           wait: float = 60.0) -> int:
    """Remove publications by id; returns how many were found (journaled for rebuilds)."""
    ids = list(ids)
    with location.write_lock(wait), _journal(location, journal) as append:
        info, ix = open_for_write(location)
        try:
            writer = live_writer(ix)
            removed = 0
            try:
                for pid in ids:
                    removed += writer.delete_by_term("id", pid)
                writer.commit()
            except BaseException:
                cancel(writer)
                raise
            if removed:
                if append:
                    append.delete(ids)
                location.touch_meta(info.path, reindexed=False)
        finally:
            ix.close()
    return removed


def _journal(location: IndexLocation, journal: bool) -> AbstractContextManager[JournalAppend | None]:
    """The API journal opened before a push changes the index, or nothing to write."""
    return Journal(location.root).appending() if journal else nullcontext(None)
