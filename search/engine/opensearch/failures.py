"""Cluster failures as our typed errors: a missing index, a refused login, TLS, and
everything else the client raises as EngineUnavailable (a 503 for the API)."""

from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager

from opensearchpy.exceptions import (
    AuthenticationException,
    AuthorizationException,
    ConnectionTimeout,
    NotFoundError,
    SSLError,
    TransportError,
)
from opensearchpy.exceptions import ConnectionError as OSConnectionError

from search.errors import EngineUnavailable, IndexMissing

__all__ = ["transient", "translated", "cluster_errors"]


def transient(exc: TransportError) -> bool:
    """A failure that another try may not meet: a lost node, shards being moved."""
    return isinstance(exc, OSConnectionError | ConnectionTimeout) or (
        isinstance(exc.status_code, int) and exc.status_code in (429, 500, 502, 503, 504))


@contextmanager
def translated():
    """Cluster failures as EngineUnavailable (a 503 for the API), not library errors."""
    try:
        yield
    except NotFoundError as exc:
        raise IndexMissing(f"the OpenSearch index is missing: {exc}") from exc
    except AuthenticationException as exc:
        raise EngineUnavailable("the OpenSearch cluster refused the login (HTTP 401): check "
                                "user:password@ in KARTOTEKA_OPENSEARCH_URL") from exc
    except AuthorizationException as exc:
        raise EngineUnavailable(f"the OpenSearch user lacks a permission (HTTP 403; the "
                                f"README lists the ones needed): {exc}") from exc
    except SSLError as exc:
        raise EngineUnavailable(f"TLS to the OpenSearch cluster failed (for a private CA set "
                                f"KARTOTEKA_OPENSEARCH_CA_CERTS): {exc}") from exc
    except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
        raise EngineUnavailable(f"the OpenSearch cluster failed a request: {exc}") from exc


def cluster_errors(method):
    """`translated` around a method, or around every step of a generator method."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def generator(*args, **kwargs):
            with translated():
                yield from method(*args, **kwargs)
        return generator

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with translated():
            return method(*args, **kwargs)
    return wrapper
