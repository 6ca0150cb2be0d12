"""Every benchmark runs on a tiny generated corpus and writes its JSON (nothing is timed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IN_CI, ROOT, require_tool

if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "search" / "data" / "sample" / "publications.jsonl"
TINY = ["--corpus", str(SAMPLE), "--docs", "60", "--quick"]


def _run(name: str, out, *extra: str, result: str | None = None) -> dict:
    proc = subprocess.run([sys.executable, "-m", f"bench.{name}", *TINY, "--out", str(out),
                           *extra], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "machine:" in proc.stdout and "corpus:" in proc.stdout
    return json.loads((out / f"{result or name}.json").read_text(encoding="utf-8"))


def test_corpus_generator_is_deterministic(tmp_path):
    from bench.corpus import generate, load_records

    records = load_records(SAMPLE)
    first = list(generate(records, 5, seed=7))
    assert first == list(generate(records, 5, seed=7))
    assert first != list(generate(records, 5, seed=8))
    assert all(r["text"] and r["title"] and r["id"].startswith("gen7-") for r in first)


def test_query_set_is_seeded_and_mixed():
    from bench.queries import make_queries

    queries = make_queries([SAMPLE], 500, seed=5)
    assert queries == make_queries([SAMPLE], 500, seed=5)
    kinds = {q.kind for q in queries}
    assert {"word", "words", "phrase"} <= {k.split("+")[0] for k in kinds}
    assert any(q.topics for q in queries) and any(q.years for q in queries)


def test_distinct_queries_are_seeded_distinct_and_in_shares():
    from bench.distinct import KINDS, make_distinct, quotas

    measured, warmup = make_distinct([SAMPLE], 500, 100, seed=5)
    assert (measured, warmup) == make_distinct([SAMPLE], 500, 100, seed=5)
    assert measured != make_distinct([SAMPLE], 500, 100, seed=6)[0]
    keys = [q.key() for q in measured + warmup]
    assert len(set(keys)) == 600  # none repeats, none shared with the warm-up
    assert quotas(2000) == {"plain": 1200, "misspelled": 200, "phrase": 200, "filtered": 200,
                            "browse": 200}
    for queries, n in ((measured, 500), (warmup, 100)):
        assert {k: sum(q.kind == k for q in queries) for k in KINDS} == quotas(n)
    by = {k: [q for q in measured if q.kind == k] for k in KINDS}
    assert all(1 <= len(q.q.split()) <= 6 and q.q == q.q.strip() for q in by["plain"])
    assert sum(q.q == q.q.lower() for q in by["plain"]) > 0.7 * len(by["plain"])
    assert any(q.q != q.q.lower() for q in by["plain"])  # some names keep their capital
    assert all(q.origin and q.q != q.origin and len(q.q.split()) == len(q.origin.split())
               for q in by["misspelled"])
    assert all(q.q.startswith('"') and 2 <= len(q.q.split()) <= 3 for q in by["phrase"])
    assert any("~" in q.q for q in by["phrase"])
    assert all(q.q and (q.topics or q.authors or q.years or q.date_from)
               for q in by["filtered"])
    assert {bool(q.topics) for q in by["filtered"]} == {True, False}
    assert all(not q.q and (q.topics or q.authors or q.years or q.date_from or q.sort)
               for q in by["browse"])
    assert any(q.page >= 5 for q in by["browse"])
    assert all(not (q.sort or q.page > 1 or q.authors or q.date_from) for q in by["plain"])


def test_distinct_request_matches_the_api_params():
    from bench.distinct import DistinctQuery

    q = DistinctQuery("browse", "", years=(2021,), date_from="2021-01-01",
                      date_to="2021-02-01", page=7)
    assert q.params() == [("q", ""), ("year", "2021"), ("from", "2021-01-01"),
                          ("to", "2021-02-01"), ("page", "7")]
    request = q.request()
    assert (request.sort, request.page, request.years) == ("date_desc", 7, (2021,))
    assert DistinctQuery("plain", "Книга  о").key() == DistinctQuery("plain", "книга о").key()


def test_search_distinct_mode_runs(tmp_path):
    data = _run("search", tmp_path, "--distinct", "100", result="search-distinct")
    assert data["queries"] == 100 and data["cache_hits_measured"] == 0
    assert {k: s["n"] for k, s in data["per_kind"]["ms"].items()} == {
        "plain": 60, "misspelled": 10, "phrase": 10, "filtered": 10, "browse": 10, "all": 100}
    assert all(len(rows) == 3 and rows[0]["profile"] for rows in data["slowest"].values())
    assert (tmp_path / "distinct-queries.json").exists()


@pytest.mark.server
def test_http_distinct_mode_runs(tmp_path):
    """The Python client's pass per kind, then wrk's pass over the same requests on a
    fresh server: each request once (plus at most connections - 1 repeats of the last)."""
    require_tool("wrk")
    data = _run("http", tmp_path, "--distinct", "100", result="http-distinct")
    assert data["errors"] == 0 and len(data["rows"]) == 100
    assert data["per_kind"]["browse"]["n"] == 10 and data["requests_per_s"] > 0
    assert data["memory"]["workers"]
    wrk = data["wrk"]
    assert 100 <= wrk["requests"] <= 100 + data["connections"] - 1
    assert sum(wrk["errors"].values()) == 0 and wrk["rps"] > 0 and wrk["memory"]["workers"]


def test_indexing_benchmark_runs(tmp_path):
    data = _run("indexing", tmp_path)
    assert data["ours"]["docs"] == 60 and data["baseline"]["docs"] == 60
    assert data["conditions"]["corpus"]["generated"] is True
    assert set(data["ratios"]) >= {"full_seconds", "index_bytes"}


def test_indexing_pairs_check_the_median_ratio(tmp_path):
    """--pairs 3: the baseline and our first rebuild three times, alternately; the ratio
    reported (and checked against the target) is the median pair's."""
    data = _run("indexing", tmp_path, "--pairs", "3")
    ratios = sorted(p["ours"]["full_seconds"] / p["baseline"]["full_seconds"]
                    for p in data["pairs"])
    assert len(data["pairs"]) == 3
    assert data["ratios"]["full_seconds"] == round(ratios[1], 3)
    assert data["ours"] in [p["ours"] for p in data["pairs"]]


def test_search_benchmark_runs(tmp_path):
    data = _run("search", tmp_path)
    assert data["queries"] == 60
    for side in ("ours", "baseline"):
        assert data[side]["passes"]["warm"]["whole"]["n"] == 60
    assert (tmp_path / "queries.json").exists()


def test_spelling_benchmark_runs(tmp_path):
    data = _run("spelling", tmp_path)
    assert data["words"] == 20 and data["correction_ms"]["n"] == 20
    assert 0 < data["back_to_the_word"] <= data["corrected"] <= 20


def test_edges_benchmark_runs(tmp_path):
    data = _run("edges", tmp_path)
    kinds = {"suggest", "deep", "prefix", "exact", "similar"}
    assert {k for k, s in data["per_kind"].items() if s.get("n")} == kinds | {"all"}
    assert all(data["per_kind"][k]["n"] <= 20 for k in kinds)
    requests = [(r["kind"], r["request"]) for r in data["rows"]]
    assert len(requests) == len(set(requests))  # none repeats


@pytest.mark.server
def test_http_benchmark_runs(tmp_path):
    require_tool("wrk")
    data = _run("http", tmp_path, "--duration", "1", "--warmup", "1")
    assert data["ours"]["requests"] > 0 and data["baseline"]["requests"] > 0
    assert data["ours"]["errors"]["status"] == 0
    assert data["ours"]["memory"]["workers"]


@pytest.mark.server
def test_writes_benchmark_runs(tmp_path):
    data = _run("writes", tmp_path, "--every", "0.2")
    assert data["puts"] == 3 and data["put_ms"]["n"] == 3
    assert data["first_searches_ms"]["max"] > 0 and data["memory"]["workers"]


@pytest.mark.cluster
def test_engines_benchmark_runs_both_engines(tmp_path, cluster, monkeypatch):
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_URL", ",".join(cluster.urls))
    data = _run("engines", tmp_path, "--distinct", "20", "--warmup-queries", "5",
                "--prefix", "kt-bench-engines")
    assert set(data["results"]) == {"whoosh", "opensearch"}
    for result in data["results"].values():
        assert result["errors"] == 0 and result["rebuild_s"] > 0
        assert result["per_kind"]["all"]["n"] == 20


def test_http_benchmark_without_wrk_exits_2(tmp_path, monkeypatch):
    import bench.http

    monkeypatch.setattr(bench.http.shutil, "which", lambda name: None)
    assert bench.http.main([*TINY, "--out", str(tmp_path)]) == 2


@pytest.mark.parametrize("name", ["corpus", "indexing", "search", "http", "spelling", "edges",
                                  "writes"])
def test_help(name):
    proc = subprocess.run([sys.executable, "-m", f"bench.{name}", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--docs" in proc.stdout and "--quick" in proc.stdout
    assert ("--distinct" in proc.stdout) == (name in ("search", "http"))


# -- relevance -------------------------------------------------------------------------
def _sphinx_or_skip() -> None:
    """Skip without Sphinx, but fail in CI, where .ci/run installs it (pymysql: test extras)."""
    from bench.sphinx_peer import sphinx_missing

    require_tool("searchd", "sphinxsearch")
    reason = sphinx_missing()
    if reason and IN_CI:
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


def test_relevance_benchmark_runs(tmp_path):
    """The quick mode runs every ranker, Sphinx for real: a broken Sphinx path fails here.

    Without Sphinx it runs the others and says why Sphinx was skipped (in CI: a failure).
    """
    from bench.rankers import OUT, RANKERS
    from bench.sphinx_peer import sphinx_missing

    missing = sphinx_missing()
    if missing and IN_CI:
        pytest.fail(f"{missing} - CI must install it")
    out = tmp_path / "relevance.json"
    proc = subprocess.run([sys.executable, "-m", "bench.relevance", "--sample-only",
                           "--per-query", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "old: regression set (sample) (48 queries)" in proc.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    table = data["old"]["table"]["all"]
    assert table["ours"]["ndcg@10"] > 0.9 and table["lemma"]["ndcg@10"] > 0.5
    if missing:
        assert data["old"]["skipped"] == {"sphinx": missing}
        assert f"  sphinx     skipped: {missing}" in proc.stdout
        return
    assert data["old"]["skipped"] == {} and set(RANKERS) <= set(table)
    assert table["sphinx"]["ndcg@10"] > 0.3
    # searchd was stopped: it removes its pid file on a clean shutdown.
    scratch = next((OUT / "sphinx").glob("sample-sphinx-*"))
    assert not (scratch / "searchd.pid").exists()
    assert "shutdown complete" in (scratch / "searchd.log").read_text()


def test_sphinx_peer_ands_words_folds_yo_and_stops(tmp_path):
    from bench.sphinx_peer import SphinxPeer
    from search.models import Publication

    _sphinx_or_skip()
    pubs = [Publication("a", "Новогодняя ёлка", "Праздник в библиотеке для детей."),
            Publication("b", "Книжная выставка", "Новые книги о ёлках и праздниках."),
            Publication("c", "Отчёт", "Итоги года: выставки, праздники, книги.")]
    peer = SphinxPeer(tmp_path / "sphinx", lambda: pubs, "k")
    try:
        pid = peer.pid
        assert pid and (tmp_path / "sphinx" / "searchd.pid").exists()
        assert peer.search("елки") == ["a", "b"]  # ё folded, stem_ru
        assert sorted(peer.search("праздник книги")) == ["b", "c"]  # ANDed
        assert peer.search("выставка -книги | (\"x") == []  # operators escaped: words ANDed
        assert peer.search("и в на") == []  # stop words only
        assert peer.search("ЕЛКИ NEAR/3 книги") == []  # operator keywords are words too
    finally:
        peer.close()
    assert not (tmp_path / "sphinx" / "searchd.pid").exists()
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_freeze_splits_each_kind_in_half(tmp_path):
    from bench.relevance_data import FreezeError, freeze, load_blind, load_seeds

    draft = tmp_path / "draft.tsv"
    rows = [f"q{i:03}\t{kind}\tзапрос {i}\tнамерение\t{'d1, d2' if i == 0 else ''}"
            for i, kind in enumerate(["word"] * 6 + ["phrase"] * 5 + ["typo"] * 3)]
    draft.write_text("# header\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert freeze(draft, data=tmp_path) == (7, 7)
    frozen = load_blind(tmp_path / "blind_queries.tsv")
    by_kind = {k: [q["split"] for q in frozen if q["kind"] == k] for k in ("word", "phrase")}
    assert by_kind["word"].count("dev") == 3 and abs(by_kind["phrase"].count("dev") - 2.5) == 0.5
    assert load_seeds(tmp_path / "blind_seeds.tsv") == {"q000": ["d1", "d2"]}
    assert freeze(draft, data=tmp_path) == (7, 7)  # the same set again: unchanged
    draft.write_text("\n".join(rows[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(FreezeError, match="frozen"):
        freeze(draft, data=tmp_path)


def test_freeze_a_fresh_set_is_all_test(tmp_path):
    from bench.relevance_data import freeze, load_blind, load_seeds

    draft = tmp_path / "draft.tsv"
    draft.write_text("c001\tword\tвыставка\tвыставки\td1\nc002\tname\tПушкин\tо Пушкине\t-\n",
                     encoding="utf-8")
    assert freeze(draft, data=tmp_path, name="fresh") == (0, 2)
    assert {q["split"] for q in load_blind(tmp_path / "fresh_queries.tsv")} == {"fresh"}
    assert load_seeds(tmp_path / "fresh_seeds.tsv") == {"c001": ["d1"]}
    assert not (tmp_path / "blind_queries.tsv").exists()


def test_a_later_set_leaves_out_what_was_tuned_on():
    """The fourth set leaves out its queries that repeat one of the sets tuned on (the
    blind dev half, the old set, and fresh and third since session 38); the third leaves
    out only the repeats of dev and old, as when it was reported first."""
    from bench.relevance import TUNED_SETS, _normal, load_set
    from bench.relevance_data import DATA, load_blind

    def texts(name):
        return {_normal(q["query"]) for q in load_blind(DATA / f"{name}_queries.tsv")}

    tuned = set().union(*(texts(name) for name in TUNED_SETS))
    fourth = {_normal(q["query"]) for q in load_set("fourth")}
    assert fourth and not fourth & tuned and fourth < texts("fourth")
    assert load_set("third") and {_normal(q["query"]) for q in load_set("third")} & texts("fresh")


def test_pool_is_blind_union_and_seeded():
    from bench.relevance_pool import pool_entries
    from search.models import Publication

    pubs = {d: Publication(d, f"Заголовок {d}", "Выставка книг. " * 60) for d in "abcdefg"}
    queries = [{"qid": "q1", "query": "выставка", "intent": "выставки"}]
    runs = {"ours": {"q1": ["a", "b", "c"]}, "sphinx": {"q1": ["c", "d"]}}
    entries, warnings = pool_entries(queries, runs, {"q1": ["g", "zz"]}, pubs, {}, depth=2)
    assert warnings == ["q1: known relevant 'zz' is not in the collection"]
    docs = entries[0]["docs"]
    assert sorted(d["docid"] for d in docs) == ["a", "b", "c", "d", "g"]
    assert set(docs[0]) == {"docid", "title", "date", "author", "topic", "excerpt"}
    assert "ours" not in json.dumps(entries) and "sphinx" not in json.dumps(entries)
    assert entries == pool_entries(queries, runs, {"q1": ["g"]}, pubs, {}, depth=2)[0]
    assert docs[0]["excerpt"].count(" [...] ") == 2
    again, _ = pool_entries(queries, runs, {"q1": ["g"]}, pubs, {"q1": {"a": 1, "b": 0}},
                            depth=2, only_unjudged=True)
    assert sorted(d["docid"] for d in again[0]["docs"]) == ["c", "d", "g"]


def test_blind_set_is_frozen_and_split():
    from bench.relevance_data import DATA, load_blind, load_qrels

    queries = load_blind()
    if not queries:
        pytest.skip("the blind set is not frozen yet")
    assert len(queries) >= 100
    assert sum(q["split"] == "dev" for q in queries) * 2 in (len(queries), len(queries) + 1)
    qrels = load_qrels(DATA / "blind_qrels.tsv")
    assert set(qrels) <= {q["qid"] for q in queries}
    assert all(0 <= g <= 3 for judged in qrels.values() for g in judged.values())


def test_relevance_help():
    proc = subprocess.run([sys.executable, "-m", "bench.relevance", "pool", "--help"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--only-unjudged" in proc.stdout


def test_relevance_doctests():
    import doctest

    import bench.rankers
    import bench.sphinx_peer

    for module in (bench.rankers, bench.sphinx_peer):
        assert doctest.testmod(module).failed == 0


def test_fuzz_job_runs(tmp_path):
    """`make fuzz` (10,000 cases, in CI) at smoke size: the real gunicorn, no 5xx."""
    proc = subprocess.run([sys.executable, "-m", "bench.fuzz", "--cases", "150", "--out",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "fuzz.json").read_text(encoding="utf-8"))
    assert data["cases"] >= 150 and data["operations"] == 9
    assert (data["server_errors"], data["tracebacks"]) == (0, 0)
