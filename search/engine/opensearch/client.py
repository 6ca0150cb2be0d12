"""The OpenSearch client, built from Settings.

Several node URLs make one connection pool: a request that fails to connect or times out
on one node is retried on the next (max_retries), and that node is left out for a while,
so a node killed mid-request costs a retry, not an error. Basic auth comes from the URL
(`https://user:password@host:9200`), TLS from the CA bundle and verify settings.
"""

from __future__ import annotations

import logging

from opensearchpy import OpenSearch

from search.errors import ConfigError

__all__ = ["make_client", "REQUEST_TIMEOUT", "MAX_RETRIES"]

# Seconds for an ordinary request (bulk and health pass their own), and retries on other
# nodes: every try together stays under gunicorn's 30 s worker timeout, so a cluster that
# cannot answer (its manager node gone) is a 503 for the API, not a killed worker.
REQUEST_TIMEOUT = 8
MAX_RETRIES = 2  # a request outlives one dead node and a busy one


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
        http_compress=False,
        **options,
    )
