"""Faults on the session's real cluster: a data node killed while searches run, killed
during a rebuild, and restarted with nothing lost.

Node 2 holds data only (node 1 is the cluster manager, whose loss no two-node cluster
survives), so it is the one killed; every test leaves the cluster green again.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time

import pytest
from cluster_fixture import WAIT
from opensearch_helpers import engine_settings, sample_publications

from search import nodes as n
from search.engine import Selection
from search.engine.opensearch import OpenSearchEngine
from search.errors import RebuildFailed

pytestmark = pytest.mark.cluster

PREFIX = "kt-faults"
COPIES = 5  # the sample five times over: 350 publications
QUERIES = [n.Term("body", "библиотека"), n.Phrase("body", ("детский", "библиотека")),
           n.Or((n.Term("body", "книга"), n.Term("title", "конкурс")), minmatch=1), None]


def _publications(times: int, tag: str = "") -> list:
    """The sample `times` over under new ids; no two are copies (own text, no address)."""
    out = []
    for i in range(times):
        for pub in sample_publications():
            out.append(dataclasses.replace(pub, id=f"{pub.id}-{tag}{i}", url=None,
                                           text=f"{pub.text}\nВыпуск {tag}{i}."))
    return out


@pytest.fixture(scope="module")
def engine(cluster):
    eng = OpenSearchEngine(engine_settings(cluster, PREFIX))
    eng.rebuild(_publications(COPIES))
    yield eng
    eng.client.indices.delete(index=f"{PREFIX}-*", ignore_unavailable=True)
    eng.close()


def _expected(engine) -> dict:
    return {i: engine.find(Selection(query=q), "relevance", 0, 10, 30).total
            for i, q in enumerate(QUERIES)}


def _restart_node_2(cluster) -> None:
    started = cluster.script("start")
    assert started.returncode == 0, started.stdout + started.stderr
    health = cluster.health(wait_for_nodes="2", wait_for_status="green", timeout=WAIT)
    assert (health["status"], health["number_of_nodes"]) == ("green", 2), health


def _kill_node_2(cluster) -> None:
    os.kill(cluster.pid(2), signal.SIGKILL)


class Searchers:
    """Threads that search until stopped, each with its own engine (as web workers)."""

    def __init__(self, cluster, expected: dict, threads: int = 4):
        self.expected = expected
        self.errors: list[str] = []
        self.done = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(cluster, k))
                        for k in range(threads)]

    def _run(self, cluster, k: int) -> None:
        eng = OpenSearchEngine(engine_settings(cluster, PREFIX))
        i = k
        while not self.stop.is_set():
            q = i % len(QUERIES)
            try:
                total = eng.find(Selection(query=QUERIES[q]), "relevance", 0, 10, 30).total
                if total != self.expected[q]:
                    self.errors.append(f"query {q}: total {total} != {self.expected[q]}")
                self.done += 1
            except Exception as exc:  # noqa: BLE001 - every failure is what we look for
                self.errors.append(f"query {q}: {type(exc).__name__}: {exc}")
            i += 1
        eng.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=120)


def test_searches_go_on_while_a_data_node_is_killed(cluster, engine):
    expected = _expected(engine)
    with Searchers(cluster, expected) as searchers:
        time.sleep(1.5)
        before = searchers.done
        _kill_node_2(cluster)
        time.sleep(6)
    assert searchers.errors == []
    assert before > 0 and searchers.done > before + 8  # searching went on after the kill
    assert engine.count() == COPIES * 70
    _restart_node_2(cluster)
    assert _expected(engine) == expected


def test_a_node_killed_during_a_rebuild_leaves_a_serving_alias(cluster, engine):
    old = engine.gens.live()
    expected = _expected(engine)
    outcome: dict = {}
    progress = {"n": 0}
    killed = threading.Event()

    def count(k: int) -> None:
        progress["n"] += k
        if progress["n"] == 300:
            _kill_node_2(cluster)
            killed.set()

    def rebuild() -> None:
        writer = OpenSearchEngine(engine_settings(cluster, PREFIX))
        try:
            outcome["stats"] = writer.rebuild(_publications(COPIES * 4, "r"), progress=count)
        except Exception as exc:  # noqa: BLE001 - a clean failure is an allowed outcome
            outcome["error"] = exc
        finally:
            writer.close()

    with Searchers(cluster, expected, threads=2) as searchers:
        worker = threading.Thread(target=rebuild)
        worker.start()
        worker.join(timeout=240)
    assert killed.is_set() and not worker.is_alive()
    assert searchers.errors == [] and searchers.done > 0  # the old alias kept serving
    live = engine.gens.live()
    if "error" in outcome:  # failed cleanly: the old generation, nothing half-built left
        assert isinstance(outcome["error"], RebuildFailed), outcome["error"]
        # one Russian line naming what failed, not the client's nested English reprs
        said = str(outcome["error"])
        assert "resource_already_exists" not in said and "HTTPConnection" not in said, said
        if "primary shard is not active" in said:  # said in Russian first (an admin's trial)
            assert "шард индекса недоступен: его узел выбыл" in said, said
        assert live == old and engine.count() == COPIES * 70
    else:  # or finished on the node that was left
        assert live == outcome["stats"].generation and engine.count() == COPIES * 4 * 70
    indices = set(engine.client.indices.get(index=f"{PREFIX}-*"))
    assert indices == {live, f"{PREFIX}-meta"}
    _restart_node_2(cluster)
    assert engine.gens.live() == live and engine.count() in (COPIES * 70, COPIES * 4 * 70)


def _api_health(settings) -> tuple[str, dict]:
    """GET /api/health of the real app over `settings`: (HTTP status, body)."""
    from falcon import testing

    from api.app import create_app
    from search.searcher import SearchService

    service = SearchService(settings)
    try:
        got = testing.TestClient(create_app(settings, service)).simulate_get("/api/health")
        return got.status, got.json
    finally:
        service.close()


def test_writes_while_a_node_is_down_survive_its_return(cluster, engine, monkeypatch,
                                                        capsys, tmp_path):
    """Node 2 stopped and started again: the cluster returns green, both copies of every
    shard hold every document, the writes made meanwhile included. Meanwhile the health
    says the index is degraded (200: every shard still has a copy)."""
    documents = engine.count()
    extra = [dataclasses.replace(p, id=f"{p.id}-late") for p in _publications(1, "x")[:3]]
    settings = engine_settings(cluster, PREFIX)
    status, before = _api_health(settings)
    assert (status, before["status"], before["cluster"]["status"]) == (
        "200 OK", "ok", "green"), before
    assert "degraded" not in before
    _kill_node_2(cluster)
    cluster.health(wait_for_nodes="1", timeout=WAIT)
    cluster.health(index=PREFIX, wait_for_status="yellow", timeout=WAIT)
    status, during = _api_health(settings)
    assert (status, during["status"], during["cluster"]["status"]) == (
        "200 OK", "degraded", "yellow"), during
    assert "копии" in during["degraded"] and during["incomplete"] is False
    assert during["documents"] == documents
    # `kartoteka stats` from the shell says it too (it had shown the counts alone)
    from indexer.cli import main

    monkeypatch.setenv("KARTOTEKA_ENGINE", "opensearch")
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_URL", ",".join(cluster.urls))
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_PREFIX", PREFIX)
    capsys.readouterr()
    assert main(["--index-dir", str(tmp_path), "stats"]) == 0
    assert f"warning: {during['degraded']}" in capsys.readouterr().out.splitlines()
    assert engine.upsert(extra) == 3
    assert engine.delete([extra[0].id]) == 1
    _restart_node_2(cluster)
    assert engine.count() == documents + 2
    nodes = engine.client.nodes.info()["nodes"]
    for node_id in nodes:  # each node holds a copy of each shard: count from each alone
        resp = engine.client.count(index=PREFIX, preference=f"_only_nodes:{node_id}")
        assert resp["count"] == documents + 2, nodes[node_id]["name"]
    assert engine.get(extra[1].id) == extra[1] and engine.get(extra[0].id) is None


def test_a_red_index_answers_503_and_a_rebuild_without_replicas_warns(cluster, tmp_path):
    """An index whose only copies are on the node that died is red: /api/health answers
    503 `degraded` with `incomplete`; a rebuild while a node is down goes live yellow
    and says so (it was exit 0 and silent: a nightly run from cron never told)."""
    red = engine_settings(cluster, "kt-red", opensearch_replicas=0)
    writer = OpenSearchEngine(red)
    try:
        writer.rebuild(_publications(1, "red"))
        live = writer.gens.live()
        # one of its two shards on each node: node 2's death takes half the index
        writer.client.indices.put_settings(index=live, body={
            "index.routing.allocation.total_shards_per_node": 1})
        cluster.health(index=live, wait_for_status="green", wait_for_no_relocating_shards="true",
                       timeout=WAIT)
        _kill_node_2(cluster)
        cluster.health(wait_for_nodes="1", timeout=WAIT)
        status, body = _api_health(red)
        assert status == "503 Service Unavailable", body
        assert (body["status"], body["incomplete"], body["cluster"]["status"]) == (
            "degraded", True, "red"), body
        assert "не всё" in body["degraded"] and 0 < body["documents"] < 70

        yellow = OpenSearchEngine(engine_settings(cluster, "kt-yellow"))
        try:
            stats = yellow.rebuild(_publications(1, "y"))
            assert yellow.gens.live() == stats.generation and yellow.count() == 70
            assert len(stats.warnings) == 1, stats.warnings
            assert "в состоянии yellow" in stats.warnings[0], stats.warnings
            # and a nightly incremental run, node 2 still down, says it too (it was
            # exit 0 and a normal summary: an admin's trial)
            changed = [dataclasses.replace(pub, text=pub.text + "\nДополнено.")
                       for pub in _publications(1, "y")[:2]]
            stats = yellow.sync(changed, scopes=[])
            assert stats.updated == 2, stats
            assert len(stats.warnings) == 1 and "изменения записаны, но без запасной копии" \
                in stats.warnings[0], stats.warnings
        finally:
            yellow.client.indices.delete(index="kt-yellow-*", ignore_unavailable=True)
            yellow.close()
    finally:
        if cluster.health()["number_of_nodes"] < 2:
            _restart_node_2(cluster)
        writer.client.indices.delete(index="kt-red-*", ignore_unavailable=True)
        writer.close()


@pytest.mark.parametrize("group", [False, True], ids=["main-process", "process-group"])
def test_sigterm_during_a_rebuild_drops_the_half_built_index(cluster, tmp_path, group):
    """`kill` of a cron reindex, or `systemctl stop` signalling every process of the unit:
    the run ends as terminated, the alias stays where it was, the half-built generation
    is deleted and the rebuild lock let go (a next rebuild runs)."""
    import json
    import subprocess
    import sys

    from search.settings import PROJECT_ROOT

    prefix = f"kt-term-{int(group)}"
    eng = OpenSearchEngine(engine_settings(cluster, prefix))
    sample = sample_publications()
    eng.rebuild(sample)
    live = eng.gens.live()
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for pub in _publications(40, "t"):  # 2,800: tens of seconds of analysis and bulk
            out.write(json.dumps(pub.to_dict(), ensure_ascii=False) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    env.update(KARTOTEKA_ENGINE="opensearch", KARTOTEKA_OPENSEARCH_URL=",".join(cluster.urls),
               KARTOTEKA_OPENSEARCH_PREFIX=prefix)
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--index-dir", str(tmp_path / "state"), "reindex",
         "--no-progress", str(source)], cwd=PROJECT_ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=group)

    def generations() -> set[str]:
        names = eng.client.indices.get(index=f"{prefix}-*", ignore_unavailable=True)
        return {name for name in names if name not in (live, eng.gens.meta_index)}

    try:
        deadline = time.monotonic() + 60
        while not generations() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert generations(), "no new generation appeared"
        time.sleep(1.0)  # into the bulk loading
        if group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL) if group else proc.kill()
            proc.communicate(timeout=10)
    try:
        assert proc.returncode == 128 + signal.SIGTERM, err
        assert "остановлено (SIGTERM): прежний индекс на месте" in err
        assert "Traceback" not in err and "добавлено:" not in out
        assert eng.gens.live() == live and eng.count() == len(sample)
        assert generations() == set()
        eng.rebuild(sample[:10])  # the lock of the stopped run is not in the way
        assert eng.count() == 10
    finally:
        eng.client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
        eng.close()
