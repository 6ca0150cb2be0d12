"""The OpenSearch client, built from Settings.

Several node URLs make one connection pool: a request that fails to connect or times out
on one node is retried on the next (max_retries), and that node is left out for a while,
so a node killed mid-request costs a retry, not an error. Basic auth comes from the URL
(`https://user:password@host:9200`), TLS from the CA bundle and verify settings.
"""

from __future__ import annotations

import logging
import random
import time
from queue import Empty
from typing import Any

from opensearchpy import ConnectionPool, OpenSearch

from search.errors import ConfigError

__all__ = ["make_client", "REQUEST_TIMEOUT", "MAX_RETRIES", "LongestDownFirst"]

# Seconds for an ordinary request (bulk and health pass their own), and retries on other
# nodes: every try together stays under gunicorn's 30 s worker timeout, so a cluster that
# cannot answer (its manager node gone) is a 503 for the API, not a killed worker.
REQUEST_TIMEOUT = 8
MAX_RETRIES = 2  # a request outlives one dead node and a busy one


class LongestDownFirst(ConnectionPool):
    """The client's pool, but with no node known to be up it asks the one that failed
    longest ago, not the one whose retirement ends first.

    A node's retirement doubles with each failure in a row (60 s to 32 minutes), so after
    an outage of the whole cluster the node that failed most waited longest: a node
    killed a minute after the cluster came back was retired for a minute only, and every
    retry of a search went back to it while the other node answered (a 503 «кластер не
    отвечает»: an admin's trial)."""

    def __init__(self, connections: Any, **kwargs: Any) -> None:
        super().__init__(connections, **kwargs)
        self.failed_at: dict[Any, float] = {}

    def mark_dead(self, connection: Any, now: float | None = None) -> None:
        if connection in self.connections:  # else already retired: the pool ignores it
            self.failed_at[connection] = now if now else time.time()
        super().mark_dead(connection, now)

    def resurrect(self, force: bool = False) -> Any:
        if not force:
            return super().resurrect(False)
        retired = []
        while True:
            try:
                retired.append(self.dead.get(block=False))
            except Empty:
                break
        if not retired:  # another thread revived them: any node (as the client does)
            return random.choice(self.orig_connections)
        retired.sort(key=lambda entry: self.failed_at.get(entry[1], 0.0))
        for entry in retired[1:]:
            self.dead.put(entry)
        chosen = retired[0][1]
        self.connections.append(chosen)
        return chosen


def make_client(settings, timeout: float = REQUEST_TIMEOUT) -> OpenSearch:
    """A client over every URL of KARTOTEKA_OPENSEARCH_URL."""
    urls = [u for u in settings.opensearch_url if u]
    if not urls:
        raise ConfigError("в KARTOTEKA_OPENSEARCH_URL не указано ни одного узла")
    # The client logs every request at INFO and each failed try as a warning with its
    # traceback (and urllib3 each retry): a dozen tracebacks per outage, before our one
    # line. What failed reaches the user as EngineUnavailable (search/engine/opensearch/
    # failures.py): the CLI's `error:` line, the API's 503 and its log line.
    logging.getLogger("opensearch").setLevel(logging.ERROR)
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    https = any(u.startswith("https://") for u in urls)
    options: dict = {}
    if https:
        options["verify_certs"] = bool(settings.opensearch_verify_certs)
        if settings.opensearch_ca_certs:
            options["ca_certs"] = str(settings.opensearch_ca_certs)
        if not settings.opensearch_verify_certs:
            options["ssl_show_warn"] = False
    return OpenSearch(
        hosts=urls,
        timeout=timeout,
        max_retries=MAX_RETRIES,
        retry_on_timeout=True,  # a node that stops answering: the next one is asked
        retry_on_status=(502, 503, 504),
        connection_pool_class=LongestDownFirst,
        http_compress=False,
        **options,
    )
