"""What a full rebuild carries over from the live generation besides its sources: the
publications the site's CMS PUT through the API (in no source), and the API's writes
made while the rebuild ran, done again in the new generation after the switch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from opensearchpy import OpenSearch, helpers

from search.engine.opensearch import deletions
from search.engine.opensearch.bulk import BULK_CHUNK
from search.engine.opensearch.documents import from_source
from search.engine.opensearch.generations import Generations
from search.engine.opensearch.live_writes import delete, upsert
from search.models import Publication

__all__ = ["PUSHED", "catch_up", "then", "pushed"]

PUSHED = "api"  # the source of a publication PUT through the API (api/resources.py)


def catch_up(client: OpenSearch, gens: Generations, live: str | None, deleted: set[str],
              carried: dict[str, bytes]) -> int:
    """The API's writes to the old generation since the rebuild read it, done again in
    the new one it switched to: a PUT or DELETE answered while the rebuild went on had
    been lost at the switch (a portal admin's trial). Writes from now on reach the new
    generation. Returns how many publications were carried this way."""
    if live is None:
        return 0
    late = [pub for pub in pushed(client, live) if carried.get(pub.id) != pub.fingerprint()]
    if late:
        upsert(client, gens, late)
    gone = deletions.deleted_ids(client, gens) - deleted
    if gone:
        delete(client, gens, gone)
    return len(late)


def then(first: Iterable[Publication], later: Callable[[], Iterable[Publication]]):
    """`first`, then what `later()` gives, asked only once `first` is used up."""
    yield from first
    yield from later()


def pushed(client: OpenSearch, live: str | None) -> Iterator[Publication]:
    """The publications the site's CMS PUT through the API into the live generation: a
    full rebuild carries them over, as Whoosh's journal does (they are in no source; a
    regional admin's trial lost them at the first nightly rebuild). Read after the
    sources, so a pushed one wins over a source's copy of its id."""
    if live is None:
        return
    for hit in helpers.scan(client, index=live, query={"query": {"term": {"source": PUSHED}}},
                           _source=["pub"], size=BULK_CHUNK):
        yield from_source(hit["_source"])
