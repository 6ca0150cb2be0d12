"""A real two-node OpenSearch cluster, started and stopped by deploy/opensearch/cluster.py.

The session's one cluster (tests/cluster_fixture.py), shared with the engine's tests.
Without Java or Maven the tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import os
import signal
import threading

import httpx
import pytest
from cluster_fixture import WAIT

pytestmark = pytest.mark.cluster

ANALYSIS = {
    "filter": {"alternatives": {"type": "pattern_capture", "patterns": ["([^|]+)"],
                                "preserve_original": False}},
    "analyzer": {"lemmas": {"tokenizer": "whitespace", "filter": ["alternatives"]}},
}
# Texts as the engine will index them: lemmas, alternatives of an ambiguous form joined by |.
DOCS = {
    "1": "он стать|сталь мастер",
    "2": "мастер он стать|сталь",
    "3": "выставка книга",
}
FILLER = 20  # more documents, so both shards of the index hold some


def _create(client: httpx.Client, name: str, mappings: dict | None = None) -> None:
    body = {"settings": {"number_of_shards": 2, "number_of_replicas": 1, "analysis": ANALYSIS},
            "mappings": mappings or {"properties": {"text": {"type": "text",
                                                             "analyzer": "lemmas"}}}}
    resp = client.put(f"/{name}", json=body)
    assert resp.status_code == 200, resp.text
    health = client.get(f"/_cluster/health/{name}",
                        params={"wait_for_status": "green", "timeout": WAIT}).json()
    assert health["status"] == "green", health


@pytest.fixture(scope="session")
def books(cluster) -> str:
    """An index of DOCS plus filler, 2 primary shards with 1 replica each."""
    _create(cluster.client, "books")
    docs = dict(DOCS) | {f"f{i}": f"книга номер{i}" for i in range(FILLER)}
    lines = "".join(f'{{"index":{{"_id":"{doc_id}"}}}}\n{{"text":"{text}"}}\n'
                    for doc_id, text in docs.items())
    resp = cluster.client.post("/books/_bulk", params={"refresh": "true"}, content=lines,
                               headers={"Content-Type": "application/x-ndjson"})
    assert resp.status_code == 200 and not resp.json()["errors"], resp.text
    return "books"


def _count(client: httpx.Client, index: str) -> int:
    return client.get(f"/{index}/_count").json()["count"]


def _phrase_ids(client: httpx.Client, index: str, phrase: str) -> list[str]:
    resp = client.post(f"/{index}/_search",
                       json={"query": {"match_phrase": {"text": phrase}}, "sort": ["_doc"]})
    assert resp.status_code == 200, resp.text
    return sorted(hit["_id"] for hit in resp.json()["hits"]["hits"])


def test_both_nodes_joined_and_green(cluster):
    health = cluster.health(wait_for_nodes="2", wait_for_status="green", timeout=WAIT)
    assert (health["status"], health["number_of_nodes"], health["number_of_data_nodes"]) == (
        "green", 2, 2)
    nodes = cluster.client.get("/_nodes/http").json()["nodes"].values()
    assert sorted((n["name"], sorted(n["roles"]), n["http"]["publish_address"])
                  for n in nodes) == [
        ("node-1", ["cluster_manager", "data", "ingest"], cluster.urls[0].removeprefix("http://")),
        ("node-2", ["data"], cluster.urls[1].removeprefix("http://")),
    ]
    for node in (1, 2):
        os.kill(cluster.pid(node), 0)  # the pid files name live processes
    assert (cluster.data_dir / "node-1" / "logs" / "kartoteka-test.log").exists()


def test_an_index_can_be_snapshotted_and_restored(cluster, books):
    """The README's backups are snapshots; the local cluster had no `path.repo`, so no
    repository could be registered (500 «path.repo … empty»: a portal admin's trial)."""
    location = cluster.data_dir / "snapshots" / "backup"
    put = cluster.client.put("/_snapshot/kt-backup", json={
        "type": "fs", "settings": {"location": str(location)}})
    assert put.status_code == 200, put.text
    made = cluster.client.put("/_snapshot/kt-backup/one", params={
        "wait_for_completion": "true"}, json={"indices": books})
    assert made.status_code == 200 and made.json()["snapshot"]["state"] == "SUCCESS", made.text
    restored = cluster.client.post("/_snapshot/kt-backup/one/_restore", params={
        "wait_for_completion": "true"}, json={"indices": books, "rename_pattern": "(.+)",
                                              "rename_replacement": "restored-$1"})
    assert restored.status_code == 200, restored.text
    cluster.client.post(f"/restored-{books}/_refresh")
    assert _count(cluster.client, f"restored-{books}") == _count(cluster.client, books)
    cluster.client.delete(f"/restored-{books}")


def test_index_has_two_primaries_and_replicas_on_both_nodes(cluster, books):
    shards = cluster.client.get(f"/_cat/shards/{books}", params={"format": "json"}).json()
    assert sorted((s["shard"], s["prirep"], s["state"]) for s in shards) == [
        ("0", "p", "STARTED"), ("0", "r", "STARTED"), ("1", "p", "STARTED"), ("1", "r", "STARTED")]
    for shard in ("0", "1"):  # a primary and its replica never share a node
        assert sorted(s["node"] for s in shards if s["shard"] == shard) == ["node-1", "node-2"]
    assert _count(cluster.client, books) == len(DOCS) + FILLER


def test_alternatives_share_a_position(cluster, books):
    resp = cluster.client.post(f"/{books}/_analyze",
                               json={"analyzer": "lemmas", "text": "он стать|сталь мастер"})
    assert [(t["token"], t["position"]) for t in resp.json()["tokens"]] == [
        ("он", 0), ("стать", 1), ("сталь", 1), ("мастер", 2)]


@pytest.mark.parametrize(("phrase", "ids"), [
    ("стать мастер", ["1"]),
    ("сталь мастер", ["1"]),
    ("он сталь", ["1", "2"]),
    ("он стать|сталь мастер", ["1"]),  # the query's alternatives too
])
def test_match_phrase_finds_either_alternative(cluster, books, phrase, ids):
    assert _phrase_ids(cluster.client, books, phrase) == ids


def test_match_phrase_keeps_word_order(cluster, books):
    assert _phrase_ids(cluster.client, books, "мастер сталь") == []
    assert _phrase_ids(cluster.client, books, "мастер он стать") == ["2"]


def test_alias_switch_is_atomic(cluster):
    client = cluster.client
    for gen in ("1", "2"):
        _create(client, f"pubs-{gen}")
        client.put(f"/pubs-{gen}/_doc/gen-{gen}", params={"refresh": "true"},
                   json={"text": f"поколение {gen}"}).raise_for_status()
    client.post("/_aliases", json={"actions": [
        {"add": {"index": "pubs-1", "alias": "pubs"}}]}).raise_for_status()
    seen, switched = [], threading.Event()

    def search_while_switching():  # every answer names exactly one generation
        with httpx.Client(base_url=cluster.urls[1], timeout=30, trust_env=False) as other:
            while True:
                after = switched.is_set()  # this search starts after the switch answered
                hits = other.get("/pubs/_search").json()["hits"]["hits"]
                seen.append(tuple(hit["_id"] for hit in hits))
                if (after and len(seen) >= 20) or len(seen) >= 2000:
                    return

    searcher = threading.Thread(target=search_while_switching)
    searcher.start()
    resp = client.post("/_aliases", json={"actions": [
        {"remove": {"index": "pubs-1", "alias": "pubs"}},
        {"add": {"index": "pubs-2", "alias": "pubs"}}]})
    switched.set()
    searcher.join(timeout=120)
    assert resp.json() == {"acknowledged": True}
    assert set(seen) <= {("gen-1",), ("gen-2",)} and seen[-1] == ("gen-2",)
    assert list(client.get("/_alias/pubs").json()) == ["pubs-2"]


def test_killed_data_node_leaves_index_searchable_and_rejoins(cluster, books):
    """Last: kill -9 node 2 (yellow, all documents found), then `cluster.py start` again."""
    total = len(DOCS) + FILLER
    os.kill(cluster.pid(2), signal.SIGKILL)
    health = cluster.health(wait_for_nodes="1", wait_for_status="yellow", timeout=WAIT)
    assert (health["status"], health["number_of_nodes"]) == ("yellow", 1), health
    assert _count(cluster.client, books) == total
    assert _phrase_ids(cluster.client, books, "сталь мастер") == ["1"]
    assert cluster.script("status").returncode == 1  # node 2 is down

    restarted = cluster.script("start")
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    health = cluster.health(wait_for_nodes="2", wait_for_status="green", timeout=WAIT)
    assert (health["status"], health["number_of_nodes"], health["unassigned_shards"]) == (
        "green", 2, 0)
    shards = cluster.client.get(f"/_cat/shards/{books}", params={"format": "json"}).json()
    assert sorted(s["node"] for s in shards) == ["node-1", "node-1", "node-2", "node-2"]
    assert _count(cluster.client, books) == total
    assert _phrase_ids(cluster.client, books, "стать мастер") == ["1"]


def test_killed_manager_node_leaves_search_answering_at_once(cluster, monkeypatch, tmp_path,
                                                                  capsys):
    """Last: kill -9 node 1, the cluster manager. Node 2 cannot elect itself (two nodes,
    no quorum) but still serves reads: the engine's searches and health come from it in
    well under gunicorn's 30 s (cluster-state reads asked of the manager waited 30 s
    each, and the worker was killed). Then node 1 is started again."""
    import time

    from falcon import testing
    from opensearch_helpers import engine_settings, sample_publications

    from api.app import create_app
    from indexer.cli import main
    from search.engine.opensearch import OpenSearchEngine
    from search.errors import WritesUnavailable
    from search.models import SearchRequest
    from search.searcher import SearchService

    settings = engine_settings(cluster, "kt-manager", admin_token="kt-token")
    engine = OpenSearchEngine(settings)
    sample = sample_publications()
    engine.rebuild(sample)
    service = SearchService(settings, engine=engine)
    try:
        os.kill(cluster.pid(1), signal.SIGKILL)
        time.sleep(3)  # node 2 notices: its searches would now wait on a manager
        started = time.monotonic()
        found = service.search(SearchRequest(q="выставка"))
        health = engine.health()
        assert time.monotonic() - started < 10
        assert found.total > 5 and health["documents"] == 70
        # not "red, searches miss publications": every search is whole, writes wait
        assert health["cluster"]["manager"] is False and health["incomplete"] is False
        # what this node last saw of the cluster is not told as known (it said `red`, two
        # nodes, with one of them down)
        assert (health["cluster"]["status"], health["cluster"]["nodes"]) == ("unknown", None)
        assert "нет управляющего узла" in health["degraded"]
        # a change is refused at once, saying why (it waited 16-24 s on every node's
        # timeouts, then said that no node answered)
        client = testing.TestClient(create_app(settings, service))
        started = time.monotonic()
        auth = {"Authorization": "Bearer kt-token"}
        put = client.simulate_put("/api/publications/kt-new", headers=auth, json={
            "title": "Новая выставка", "text": "Открылась выставка книг."})
        removed = client.simulate_delete("/api/publications/" + sample[0].id, headers=auth)
        assert time.monotonic() - started < 5
        for answer in (put, removed):
            assert answer.status_code == 503, answer.text
            assert answer.json["title"] == "Изменения недоступны"
            assert "поиск работает" in answer.json["description"]
        with pytest.raises(WritesUnavailable):
            engine.rebuild(sample)
        # the command a cron line runs tidies first: that said «no node answered»
        for name, value in (("KARTOTEKA_ENGINE", "opensearch"),
                            ("KARTOTEKA_OPENSEARCH_URL", ",".join(cluster.urls)),
                            ("KARTOTEKA_OPENSEARCH_PREFIX", "kt-manager")):
            monkeypatch.setenv(name, value)
        assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                     "--sample"]) == 1
        err = capsys.readouterr().err
        assert "нет управляющего узла" in err and "ни один узел" not in err, err
        # the dev script's status: node 2 answers, without a manager (it said «not
        # reachable» though node 2 served searches: an admin's trial)
        status = cluster.script("status")
        assert f"no cluster manager (answering: {cluster.urls[1]}" in status.stdout, status.stdout
    finally:
        restarted = cluster.script("start")
        assert restarted.returncode == 0, restarted.stdout + restarted.stderr
        cluster.health(wait_for_nodes="2", wait_for_status="green", timeout=WAIT)
        engine.client.indices.delete(index="kt-manager-*", ignore_unavailable=True)
        engine.close()
