"""What an index lacks after writes: a new generation waited for until it can serve, and
a live one looked at after an incremental run (a node down: shards without their spare
copy), said for the run's summary."""

from __future__ import annotations

from opensearchpy import OpenSearch

from search.errors import EngineUnavailable

__all__ = ["finish_generation", "live_shortfall", "GREEN_TIMEOUT"]

GREEN_TIMEOUT = "30s"  # waiting for the new generation's replicas


def finish_generation(client: OpenSearch, index: str, replicas: int) -> str | None:
    """Replicas and refreshes as for a live index, then wait until it can serve; what
    it lacks when it serves without all its replicas (a node is down), else None."""
    client.indices.put_settings(index=index, body={"index": {
        "number_of_replicas": replicas, "refresh_interval": "1s"}})
    client.indices.refresh(index=index)
    nodes = client.cluster.health()["number_of_data_nodes"]
    wanted = "green" if nodes > replicas else "yellow"  # replicas need nodes of their own
    # request_timeout first: without it the client takes `timeout` for its own
    health = client.cluster.health(index=index, params={
        "wait_for_status": wanted, "request_timeout": 90, "timeout": GREEN_TIMEOUT,
        "ignore": 408})
    if health.get("status") not in ("green", "yellow"):  # a replica may lack a node
        raise EngineUnavailable(f"новое поколение {index} в состоянии {health.get('status')}")
    if health.get("status") == "green":
        return None
    # Live anyway: every publication is there, the replicas follow when nodes return.
    # A nightly run from cron must still say so (a node down went unnoticed before).
    return (f"новое поколение {index} в состоянии yellow (жёлтый): "
            f"{_waiting(health, nodes, replicas, '')}; оно отдаёт все публикации, но без "
            "запасной копии")


def live_shortfall(client: OpenSearch, index: str) -> str | None:
    """What the live index lacks after an incremental run's writes (a node down: its
    shards' spare copies wait), else None. A full run says it of its new generation
    (finish_generation); a nightly incremental run with a node down had said nothing."""
    health = client.cluster.health(index=index)
    status = health.get("status")
    if status == "green":
        return None
    colour = {"yellow": "жёлтый", "red": "красный"}.get(status, status)
    replicas = int(client.indices.get_settings(index=index, name="index.number_of_replicas")
                   [index]["settings"]["index"]["number_of_replicas"])
    waiting = _waiting(health, health.get("number_of_data_nodes", 0), replicas,
                       " и перестройте индекс")
    return (f"индекс {index} в состоянии {status} ({colour}): {waiting}; изменения записаны, "
            "но " + ("без запасной копии" if status == "yellow" else "часть индекса недоступна"))


def _waiting(health: dict, nodes: int, replicas: int, then: str) -> str:
    """The shard copies waiting for a node, with the one-node cluster's remedy when the
    replicas outnumber the other data nodes (`then`: what to do after setting it)."""
    hint = (" (реплике нужен свой узел: возможно, какой-то узел недоступен; на кластере из "
            f"одного узла задайте KARTOTEKA_OPENSEARCH_REPLICAS=0{then})"
            if nodes <= replicas else "")
    return (f"копий шардов, ждущих узла: {health.get('unassigned_shards', '?')} (узлов данных: "
            f"{nodes}, реплик: {replicas}{hint})")
