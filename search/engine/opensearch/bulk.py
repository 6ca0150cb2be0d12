"""Bulk requests with our ids: every failed item is an error, never a partial index."""

from __future__ import annotations

from collections.abc import Iterable

from opensearchpy import OpenSearch, helpers

__all__ = ["bulk", "BULK_CHUNK", "BULK_TIMEOUT", "PRIMARY_WAIT"]

BULK_CHUNK = 500  # documents per _bulk request
BULK_TIMEOUT = 120  # seconds for one _bulk request
# How long a bulk item waits for its primary shard: a rebuild that lost a node fails
# within this, instead of the minute OpenSearch waits by default.
PRIMARY_WAIT = "15s"


def bulk(client: OpenSearch, actions: Iterable[dict], **params) -> int:
    """Send actions in chunks; every failed item raises (no silent partial index)."""
    done = 0
    # request_timeout first: the client would take `timeout` for its own
    for ok, _item in helpers.streaming_bulk(client, actions, chunk_size=BULK_CHUNK,
                                           max_retries=3, raise_on_error=True,
                                           raise_on_exception=True,
                                           request_timeout=BULK_TIMEOUT,
                                           timeout=PRIMARY_WAIT, **params):
        done += ok
    return done
