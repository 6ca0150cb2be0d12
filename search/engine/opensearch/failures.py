"""Cluster failures as our typed errors: a missing index, a refused login, TLS, and
everything else the client raises as EngineUnavailable (a 503 for the API)."""

from __future__ import annotations

import functools
import inspect
import re
from contextlib import contextmanager

from opensearchpy.exceptions import (
    AuthenticationException,
    AuthorizationException,
    ConnectionTimeout,
    NotFoundError,
    OpenSearchException,
    SSLError,
    TransportError,
)
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.helpers import BulkIndexError

from search.errors import EngineUnavailable, IndexMissing, IndexNotWritable, WritesUnavailable
from search.os_errors import os_reason

__all__ = ["transient", "translated", "cluster_errors", "degradation", "require_manager",
           "write_blocks", "connection_problem"]


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
        raise IndexMissing(f"индекса OpenSearch нет: {exc}") from exc
    except AuthenticationException as exc:
        raise EngineUnavailable("кластер OpenSearch не принял вход (HTTP 401): проверьте "
                                "user:password@ в KARTOTEKA_OPENSEARCH_URL") from exc
    except AuthorizationException as exc:
        raise EngineUnavailable(f"у пользователя OpenSearch не хватает прав (HTTP 403; "
                                f"нужные перечислены в README): {exc}") from exc
    except SSLError as exc:
        # an https:// address of a node that speaks plain http: the answer is no TLS record
        advice = ("узел говорит по простому HTTP: пишите http:// в KARTOTEKA_OPENSEARCH_URL"
                  if "WRONG_VERSION_NUMBER" in str(exc) else
                  "для своего центра сертификации задайте KARTOTEKA_OPENSEARCH_CA_CERTS")
        raise EngineUnavailable(f"соединение TLS с кластером OpenSearch не удалось "
                                f"({advice}): {exc}") from exc
    except (OSConnectionError, ConnectionTimeout) as exc:
        raise EngineUnavailable(f"ни один узел кластера OpenSearch не ответил "
                                f"({_cause(exc)}): проверьте KARTOTEKA_OPENSEARCH_URL и что "
                                f"узлы запущены") from exc
    except TransportError as exc:
        if _blocked(str(exc)):
            raise IndexNotWritable(f"кластер OpenSearch не принимает записи: {exc}") from exc
        raise EngineUnavailable(f"кластер OpenSearch не выполнил запрос: {exc}") from exc
    except BulkIndexError as exc:  # a PUT's or DELETE's documents refused one by one
        if _blocked(str(exc.errors)[:2000]):
            raise IndexNotWritable(f"кластер OpenSearch не принимает записи (диск заполнен "
                                   f"выше порога flood-stage?): {str(exc.errors)[:300]}"
                                   ) from exc
        raise EngineUnavailable(f"кластер OpenSearch отклонил публикации: "
                                f"{str(exc.errors)[:300]}") from exc


def _blocked(text: str) -> bool:
    """A cluster block on writes: a full disk's flood-stage watermark, a read-only index
    (a PUT was a 500 with the client's traceback: a portal admin's trial)."""
    return any(mark in text for mark in ("cluster_block_exception", "flood-stage",
                                         "read_only_allow_delete", "FORBIDDEN/8"))


def connection_problem(exc: TransportError) -> str:
    """A lost connection in words: `узел 127.0.0.1:9201 не ответил (в соединении
    отказано)`, the node named when the client's message names it."""
    found = re.search(r"host='([^']+)', port=(\d+)", str(exc))
    node = f"узел {found[1]}:{found[2]}" if found else "узел кластера"
    return f"{node} не ответил ({_cause(exc)})"


def _cause(exc: TransportError) -> str:
    """The innermost reason of a connection failure (`Connection refused`, a timeout),
    not the client's nested reprs of the same thing."""
    if isinstance(exc, ConnectionTimeout):
        return "время ожидания истекло"
    inner = exc.info if isinstance(exc.info, BaseException) else exc.__cause__
    while inner is not None and (inner.__cause__ or inner.__context__) is not None:
        inner = inner.__cause__ or inner.__context__
    if isinstance(inner, OSError) and inner.errno is not None:
        return os_reason(inner)
    text = str(inner or exc.error)
    return text.rsplit("] ", 1)[-1] if "[Errno" in text else text


# What /api/health says of a live generation that is not green (engine-neutral keys:
# `degraded`, a description for the admin, and `incomplete`, searches miss publications).
_DEGRADED = {
    "yellow": "кластер жёлтый: у части индекса нет запасной копии на другом узле (какой-то "
              "узел недоступен); поиск полный, но отказ ещё одного узла может сделать его "
              "неполным",
    "red": "кластер красный: часть индекса недоступна, поиск находит не всё",
}


# No cluster manager (two nodes, the manager dead: no quorum to elect another). A node
# then calls every index red, though its shards still answer every search.
NO_MANAGER = ("у кластера нет управляющего узла: поиск находит всё, но изменения (PUT, "
              "DELETE, переиндексация) невозможны, пока он не вернётся")


def degradation(status: str, manager: bool = True) -> dict:
    """The health keys for a cluster status of the live index (none when green), and
    whether the node that answered knows a cluster manager."""
    if not manager:
        return {"degraded": NO_MANAGER, "incomplete": False}
    if status not in _DEGRADED:
        return {}
    return {"degraded": _DEGRADED[status], "incomplete": status == "red"}


BLOCKED = ("индекс в кластере закрыт для записи (обычно диск узла заполнен выше порога "
           "flood-stage): поиск работает, а PUT, DELETE и переиндексация невозможны, пока "
           "не освободят место")


def write_blocks(client, index: str) -> str | None:
    """What /api/health says of a live index closed to writes (a node's disk past its
    flood-stage watermark sets `read_only_allow_delete`), or None. Read from the node
    asked (`local`): without a cluster manager the request waited out its timeout, and
    health with it. Not known then (a node that cannot answer): None."""
    try:
        found = client.indices.get_settings(index=index, name="index.blocks.*",
                                            params={"local": "true"})
    except OpenSearchException:
        return None
    blocks = (found.get(index) or {}).get("settings", {}).get("index", {}).get("blocks", {})
    return BLOCKED if any(str(v).lower() == "true" for v in blocks.values()) else None


def require_manager(client) -> None:
    """Raise WritesUnavailable when the node asked knows no cluster manager. A write
    would first wait out its timeouts on every node (16-24 s for one PUT on the test
    cluster) and then say that no node answered, though searches work."""
    with translated():
        cluster = client.cluster.health(local=True)
    if cluster.get("discovered_cluster_manager", True) is False:
        raise WritesUnavailable("у кластера OpenSearch сейчас нет управляющего узла (узлы, "
                                "которые могут им быть, недоступны или их меньше половины): "
                                "поиск работает, изменения ждут его возвращения")


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
