"""The OpenSearch client's choice of node when none is known to be up (no cluster needed:
the pool's bookkeeping over two real connections to ports nothing listens on)."""

from __future__ import annotations

import time

from search.engine.opensearch.client import LongestDownFirst, make_client
from search.settings import Settings


def _pool():
    settings = Settings.from_env({"KARTOTEKA_OPENSEARCH_URL":
                                  "http://127.0.0.1:9,http://127.0.0.1:10"})
    pool = make_client(settings).transport.connection_pool
    assert isinstance(pool, LongestDownFirst)
    return pool


def test_with_no_node_up_the_client_asks_the_node_down_longest():
    """After an outage of both nodes, the one that failed most is retired for up to 32
    minutes; the other, killed a minute after the cluster came back, was retired for a
    minute only, and every retry of a search went back to it while the first answered
    (an admin's trial: a 503 with one node up)."""
    pool = _pool()
    first, second = pool.orig_connections
    base = time.time()
    pool.mark_dead(first, now=base - 100)  # the outage: `first` failing again and again
    for n in range(4):
        assert pool.resurrect(force=True) is first
        pool.mark_dead(first, now=base - 99 + n)
    assert pool.dead_count[first] == 5
    pool.mark_dead(second, now=base)  # `second` answered until now; it is killed
    assert pool.get_connection() is first
    # and with both down, they take turns: the one asked longest ago first
    pool.mark_dead(first, now=base + 1)
    assert pool.get_connection() is second


def test_a_node_whose_retirement_is_over_comes_back_as_before():
    pool = _pool()
    first, second = pool.orig_connections
    pool.mark_dead(first, now=time.time() - 3600)
    pool.get_connection()
    assert first in pool.connections and second in pool.connections
