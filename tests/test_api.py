"""The HTTP API through falcon.testing over the real sample index: shapes, filters, errors,
auth, CORS, security headers and escaping."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import time
import unicodedata
import urllib.parse
from urllib.parse import quote, unquote

import pytest
from falcon import testing

from api.app import create_app
from api.middleware import CSP

ORIGIN = "https://library.example.ru"
TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HIT_KEYS = {"id", "title", "url", "published", "author", "topics", "library", "snippet",
            "score", "parent_id", "copies"}
MARK_RE = re.compile(r"<mark>(.*?)</mark>", re.S)
CYRILLIC = re.compile("[а-яё]", re.I)


def get(client, path, qs: str | dict = "", **kwargs):
    """GET with a raw query string, or a dict of params (lists repeat the parameter)."""
    if isinstance(qs, dict):
        return client.simulate_get(path, params=qs, **kwargs)
    return client.simulate_get(path, query_string=qs, **kwargs)


def assert_error(resp, status: int):
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json
    assert {"title", "description"} <= set(body) <= {"title", "description", "parameter"}
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["description"], str) and body["description"]
    # said in Russian, as everything a visitor or an editor reads
    assert CYRILLIC.search(body["title"]) and CYRILLIC.search(body["description"]), body
    return body


@pytest.fixture(scope="module")
def everything(client) -> list[dict]:
    """Every sample hit, browsed newest first."""
    resp = get(client, "/api/search", "per_page=100")
    assert resp.status_code == 200
    data = resp.json
    assert data["total"] == len(data["hits"]) > 50
    return data["hits"]


@pytest.fixture
def write_client(fresh_index):
    return testing.TestClient(create_app(fresh_index))


# -- shapes of every endpoint ---------------------------------------------------------

def test_search_shape_and_russian_forms(client):
    resp = get(client, "/api/search", "q=выставки&per_page=3")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    assert "выставки".encode() in resp.content  # Cyrillic is sent unescaped
    data = resp.json
    assert {"query", "total", "page", "per_page", "hits", "facets", "did_you_mean",
            "corrected", "relaxed", "warnings"} <= set(data)
    assert data["query"] == "выставки" and data["page"] == 1 and data["per_page"] == 3
    assert data["total"] >= 10
    assert len(data["hits"]) == 3
    assert set(data["facets"]) == {"topic", "author", "library", "year"}
    marked = set()
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert isinstance(hit["score"], float) and hit["score"] > 0
        marked |= {m.lower() for m in MARK_RE.findall(hit["snippet"])}
    forms = {m for m in marked if m.startswith("выставк")}
    assert forms, marked
    # more than the literal query form is highlighted: morphology, not string matching
    assert forms - {"выставки"}, forms
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_search_pages_do_not_overlap(client):
    first = get(client, "/api/search", "q=выставки&per_page=3&page=1").json
    second = get(client, "/api/search", "q=выставки&per_page=3&page=2").json
    assert first["total"] == second["total"]
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    beyond = get(client, "/api/search", "q=выставки&per_page=3&page=999").json
    assert beyond["hits"] == [] and beyond["total"] == first["total"]


def test_suggest_shape(client):
    resp = get(client, "/api/suggest", "q=выст&limit=5")
    assert resp.status_code == 200
    data = resp.json
    assert data["query"] == "выст"
    assert 0 < len(data["suggestions"]) <= 5
    for s in data["suggestions"]:
        assert set(s) == {"text", "kind", "id"}
        assert s["text"].lower().startswith("выст") or s["kind"] == "title"
    assert get(client, "/api/suggest", "q=").status_code == 200


def test_publication_shape(client):
    resp = get(client, "/api/publications/zlat-2023-003")
    assert resp.status_code == 200
    data = resp.json
    assert data["id"] == "zlat-2023-003"
    assert {"title", "url", "published", "author", "topics", "library", "text"} <= set(data)
    assert data["published"] == "2023-03-14"
    assert "<script>alert(1)</script>" in data["text"]  # JSON carries the raw text


def test_similar_shape(client):
    resp = get(client, "/api/publications/zlat-2023-003/similar", "limit=3")
    assert resp.status_code == 200
    data = resp.json
    assert data["id"] == "zlat-2023-003"
    assert 0 < len(data["similar"]) <= 3
    for hit in data["similar"]:
        assert set(hit) == HIT_KEYS
        assert hit["id"] != "zlat-2023-003"


def test_facets_shape(client, everything):
    data = get(client, "/api/facets").json
    assert set(data["facets"]) == {"topic", "author", "library", "year"}
    for values in data["facets"].values():
        assert values
        for v in values:
            assert set(v) == {"value", "count", "selected"}
            assert v["count"] > 0 and v["selected"] is False
    years = {v["value"]: v["count"] for v in data["facets"]["year"]}
    assert sum(years.values()) == sum(1 for h in everything if h["published"])
    assert data["warnings"] == []
    # a search's parameters do not narrow it: said so, as /api/search says of its unknown ones
    narrowed = get(client, "/api/facets", "q=выставка&topic=Выставки").json
    assert narrowed["facets"] == data["facets"]
    assert [w.split("»")[0] for w in narrowed["warnings"]] == ["параметр «q", "параметр «topic"]


def test_health_shape(client, everything):
    data = get(client, "/api/health").json
    assert data["status"] == "ok" and data["stale"] is False
    assert data["documents"] == len(everything)
    assert re.fullmatch(r"gen-\d{6}", data["generation"])
    assert data["last_reindex"]


def test_health_of_a_cluster_that_does_not_answer_keeps_its_shape(tmp_path):
    """A monitor reads `status` whatever happened: `unavailable` and a Russian
    description, 503, when no OpenSearch node answers (the generic error body before)."""
    import socket

    from search.searcher import SearchService
    from search.settings import Settings

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        settings = Settings.from_env({}, engine="opensearch", index_dir=tmp_path,
                                     opensearch_url=(f"http://127.0.0.1:{closed.getsockname()[1]}",))
        service = SearchService(settings)
        try:
            got = testing.TestClient(create_app(settings, service)).simulate_get("/api/health")
        finally:
            service.close()
    assert got.status_code == 503
    assert (got.json["status"], got.json["engine"]) == ("unavailable", "opensearch"), got.json
    assert "кластер не отвечает" in got.json["description"]


def test_health_of_an_index_built_by_another_version_keeps_its_shape(fresh_index):
    """After an upgrade the index of the old version cannot be read: /api/health said
    `{title, description}`, so a monitor reading `status` found nothing. Now `outdated`,
    503; a search says the same; the reindex that follows serves again, no restart."""
    from indexer.cli import main
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    current = index_dir / (index_dir / "CURRENT").read_text().strip() / "kartoteka.json"
    meta = json.loads(current.read_text(encoding="utf-8"))
    current.write_text(json.dumps(dict(meta, schema_version=1)), encoding="utf-8")
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        got = client.simulate_get("/api/health")
        assert got.status_code == 503 and got.json["status"] == "outdated", got.json
        assert "другой версией" in got.json["description"]
        schema = client.simulate_get("/openapi.json").json["components"]["schemas"]["Health"]
        assert set(schema["required"]) <= set(got.json), set(schema["required"]) - set(got.json)
        assert "null" in schema["properties"]["documents"]["type"]
        search = client.simulate_get("/api/search", params={"q": "книга"})
        assert search.status_code == 503 and "kartoteka reindex" in search.json["description"]
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--sample",
                     "--no-progress"]) == 0
        assert client.simulate_get("/api/health").json["status"] in ("ok", "stale")
    finally:
        service.close()


def test_health_says_at_once_that_the_last_reindex_failed(fresh_index, tmp_path):
    """A failed nightly reindex left health `ok` until the index turned stale two days
    later; an incremental run that changed nothing did not move `last_reindex` for the
    running server (it went stale although cron ran)."""

    from indexer.cli import main
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        before = client.simulate_get("/api/health").json
        time.sleep(1.1)  # times have whole seconds
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     str(tmp_path / "export-not-mounted.jsonl")]) == 1
        failed = client.simulate_get("/api/health")
        assert failed.status_code == 200 and failed.json["status"] == "failed", failed.json
        assert failed.json["last_run"]["ok"] is False
        error = failed.json["last_run"]["error"]
        assert "…/export-not-mounted.jsonl" in error and str(tmp_path) not in error, error
        assert failed.json["documents"] == before["documents"]  # the index before serves
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     "--incremental", "--sample"]) == 0  # nothing changed
        again = client.simulate_get("/api/health").json
        assert again["last_run"]["ok"] is True
        assert again["last_reindex"] > before["last_reindex"]
        # the failed full run stays told (a weekly full run's failure had been hidden by
        # the next night's incremental run), without the server's paths, until one goes well
        assert again["status"] == "failed", again
        told = again["last_run"]["failed_full"]
        assert "…/export-not-mounted.jsonl" in told["error"] and str(tmp_path) not in told["error"]
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     "--sample"]) == 0
        well = client.simulate_get("/api/health").json
        assert well["status"] == "ok" and "failed_full" not in well["last_run"], well
    finally:
        service.close()


def test_health_counts_what_the_last_run_skipped(fresh_index, tmp_path):
    """A nightly run that skipped a broken export file (and kept what it gave) ends well:
    health said `ok` and nothing else, so a monitor never heard of the file."""
    from indexer.cli import main
    from search.settings import SAMPLE_DIR

    export = tmp_path / "export"
    export.mkdir()
    (export / "news.jsonl").write_bytes((SAMPLE_DIR / "publications.jsonl").read_bytes())
    (export / "events.jsonl").write_text("", encoding="utf-8")  # its export job failed
    index_dir = fresh_index.index_dir
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 "--allow-smaller", str(export)]) == 0
    run = testing.TestClient(create_app(fresh_index)).simulate_get("/api/health").json[
        "last_run"]
    assert run["ok"] is True and run["skipped"] == 1, run
    assert run["first_skip"] == "…/events.jsonl: пустой файл", run


def test_health_says_failed_after_an_incremental_run_that_failed_on_one_site(fresh_index):
    """The nightly `--incremental` over a folder and a site that did not answer: exit 1,
    but it still wrote (the folder), in the same second, and health said `ok`."""
    from indexer.cli import main
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     "--incremental", "--sample", "http://127.0.0.1:9/"]) == 1
        health = client.simulate_get("/api/health").json
        assert health["status"] == "failed" and health["last_run"]["exit_code"] == 1, health
    finally:
        service.close()


def test_a_put_the_index_cannot_take_is_a_503_saying_why(fresh_index):
    """An index directory the server may not write (owned by root, read-only, a full
    disk): a PUT answered 500 «Внутренняя ошибка» with a traceback in the log."""
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    (index_dir / "write.lock").unlink(missing_ok=True)
    (index_dir / "write.lock").mkdir()  # opening the lock file fails, as without the right
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        put = client.simulate_put("/api/publications/new-1", json=NEW, headers=AUTH)
        body = assert_error(put, 503)
        assert body["title"] == "Индекс недоступен для записи" and "поиск работает" in (
            body["description"])
        assert assert_error(client.simulate_delete("/api/publications/new-1", headers=AUTH),
                            503)["title"] == "Индекс недоступен для записи"
        assert client.simulate_get("/api/search", params={"q": "книга"}).status_code == 200
    finally:
        service.close()


def test_health_says_when_the_cms_s_pushes_would_be_refused(fresh_index):
    """Health said `ok` while every PUT answered 503: the site's editors found out first."""
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        assert client.simulate_get("/api/health").json["status"] in ("ok", "stale")
        (index_dir / "write.lock").unlink(missing_ok=True)
        (index_dir / "write.lock").mkdir()  # opening it fails, as without the right, even for root
        health = client.simulate_get("/api/health").json
        assert health["status"] == "degraded" and "PUT" in health["degraded"], health
        assert health["unwritable"]
        put = client.simulate_put("/api/publications/new-3", json=NEW, headers=AUTH)
        assert put.status_code == 503
    finally:
        service.close()


def test_a_push_that_failed_leaves_no_lock_behind(fresh_index):
    """A PUT that failed while Whoosh's writer was being made (a generation the server
    could not write) kept Whoosh's lock in that worker: once the cause was gone, every
    later PUT answered 500 (LockError) and the nightly run failed the same way."""
    from indexer.cli import main
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    live = index_dir / (index_dir / "CURRENT").read_text().strip()
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        (live / "MAIN.tmp").write_text("")  # the writer's scratch folder cannot be made
        put = client.simulate_put("/api/publications/new-4", json=NEW, headers=AUTH)
        assert put.status_code == 503, put.text
        (live / "MAIN.tmp").unlink()  # the cause is gone: writes work again, at once
        put = client.simulate_put("/api/publications/new-4", json=NEW, headers=AUTH)
        assert put.status_code == 201, put.text
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     "--incremental", "--sample"]) == 0
    finally:
        service.close()


def test_a_push_the_journal_cannot_take_leaves_the_index_as_it_was(fresh_index):
    """The journal is what full rebuilds replay: a PUT answered 503 because only
    api-journal.jsonl could not be written had still changed the live index (written
    first), and the next rebuild then dropped it. Now nothing changes."""
    from search.searcher import SearchService

    index_dir = fresh_index.index_dir
    service = SearchService(fresh_index)
    try:
        client = testing.TestClient(create_app(fresh_index, service))
        assert client.simulate_put("/api/publications/kept-1", json=NEW,
                                   headers=AUTH).status_code in (200, 201)
        (index_dir / "api-journal.jsonl").unlink()
        (index_dir / "api-journal.jsonl").mkdir()  # cannot be opened, even by root
        put = client.simulate_put("/api/publications/new-2", json=NEW, headers=AUTH)
        assert assert_error(put, 503)["title"] == "Индекс недоступен для записи"
        assert client.simulate_get("/api/publications/new-2").status_code == 404
        gone = client.simulate_delete("/api/publications/kept-1", headers=AUTH)
        assert assert_error(gone, 503)["title"] == "Индекс недоступен для записи"
        assert client.simulate_get("/api/publications/kept-1").status_code == 200
    finally:
        service.close()


def test_health_ages_the_last_reindex_not_the_last_put(write_client):
    """A PUT is not a reindex: a nightly reindex that stopped running still shows stale."""

    before = get(write_client, "/api/health").json
    time.sleep(1.1)  # built_at has whole seconds
    put = write_client.simulate_put("/api/publications/health-1", json=NEW, headers=AUTH)
    assert put.status_code == 201
    after = get(write_client, "/api/health").json
    assert after["documents"] == before["documents"] + 1
    assert after["last_reindex"] == before["last_reindex"]


def test_health_of_an_index_with_nothing_in_it_says_empty(write_client, everything):
    for hit in everything:
        assert write_client.simulate_delete(f"/api/publications/{hit['id']}",
                                            headers=AUTH).status_code == 200
    data = get(write_client, "/api/health").json
    assert data["documents"] == 0 and data["status"] == "empty"


def test_export_csv(client):
    resp = get(client, "/api/export", "q=выставки&format=csv")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    # saved as «Картотека — выставки.csv», a Latin name for clients without RFC 6266
    assert resp.headers["content-disposition"] == (
        "attachment; filename=\"kartoteka.csv\"; filename*=UTF-8''"
        + quote("Картотека — выставки") + ".csv")
    # partial matches only: the file says so by its name (a librarian's trial)
    loose = get(client, "/api/export", "q=выставки дирижаблей&format=xlsx")
    assert unquote(loose.headers["content-disposition"].split("''")[1]) == (
        "Картотека — выставки дирижаблей (частичные совпадения).xlsx")
    # named by what was searched (a correction) and by the filters: a librarian's exports
    # for one report had been «Картотека — ghfdjdst rfybreks.csv» and «Картотека.csv» each
    for query, saved in (
            ("q=dscnfdrf&format=csv", "Картотека — выставка.csv"),
            ("q=&topic=Выставки&year=2024&from=01.03.2024&format=csv",
             "Картотека — Выставки, 2024, с 01.03.2024.csv")):
        named = get(client, "/api/export", query)
        assert named.status_code == 200, named.text
        assert unquote(named.headers["content-disposition"].split("''")[1]) == saved
    assert resp.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert {"Заголовок", "Дата", "Автор", "Темы", "Библиотека", "Адрес", "Фрагмент",
            "Идентификатор"} <= set(header)
    total = get(client, "/api/search", "q=выставки").json["total"]
    assert len(rows) - 1 == total
    snippet = header.index("Фрагмент")
    assert all("<mark>" not in row[snippet] for row in rows[1:])
    # every row has an address: its own, or its page here (a library's post has no url)
    address, pid = header.index("Адрес"), header.index("Идентификатор")
    hits = {h["id"]: h["url"] for h in get(client, "/api/search",
                                             {"q": "выставки", "per_page": "100"}).json["hits"]}
    for row in rows[1:]:
        if row[pid] in hits:
            assert row[address] == (hits[row[pid]] or
                                    f"http://falconframework.org/p/{quote(row[pid], safe='')}")
    assert any(not url for url in hits.values())  # the sample has such posts
    assert_error(get(client, "/api/export", "format=xml"), 400)
    # paging does not apply to an export, but a malformed value is still refused
    assert_error(get(client, "/api/export", "q=выставки&format=csv&page=-1"), 400)
    assert_error(get(client, "/api/export", "q=выставки&format=csv&per_page=abc"), 400)
    paged = get(client, "/api/export", "q=выставки&format=csv&page=2&per_page=5")
    assert paged.status_code == 200 and paged.content == resp.content


def test_openapi_lists_the_fields_a_put_takes(client):
    from search.record_input import RECORD_FIELDS

    schema = get(client, "/openapi.json").json["components"]["schemas"]["PublicationIn"]
    assert set(schema["properties"]) == set(RECORD_FIELDS)
    assert schema["additionalProperties"] is False


def test_openapi(client):
    resp = get(client, "/openapi.json")
    assert resp.status_code == 200
    spec = resp.json
    assert spec["openapi"].startswith("3.")
    assert {"/api/search", "/api/suggest", "/api/export", "/api/publications/{pid}",
            "/api/publications/{pid}/similar", "/api/facets", "/api/health"} <= set(spec["paths"])
    # a generated client names its methods by operationId (an integrator's trial)
    operations = [op for item in spec["paths"].values() for method, op in item.items()
                  if method in ("get", "put", "delete")]
    names = [op.get("operationId") for op in operations]
    assert all(names) and len(set(names)) == len(names) == 9, names


def test_openapi_schemas_name_every_field_the_answers_have(client):
    """What /openapi.json says of a hit, a search result, a publication and the health
    is what the server sends: no field missing from either side, the statuses listed."""
    schemas = get(client, "/openapi.json").json["components"]["schemas"]
    result = get(client, "/api/search", "q=выставка&per_page=3").json
    assert set(result) == set(schemas["SearchResult"]["properties"])
    assert set(result["hits"][0]) == set(schemas["Hit"]["properties"])
    # every field is always sent: a generated client's types need not make them optional
    assert set(schemas["SearchResult"]["required"]) == set(result)
    assert set(schemas["Hit"]["required"]) == set(result["hits"][0])
    record = get(client, f"/api/publications/{result['hits'][0]['id']}").json
    assert set(record) == set(schemas["Publication"]["properties"])
    health = get(client, "/api/health").json
    assert set(health) <= set(schemas["Health"]["properties"])
    pid = result["hits"][0]["id"]
    # the other answers' required lists: what is always sent, and every part of it
    for schema, answer in [
            ("Publication", record), ("Health", health),
            ("Suggestions", get(client, "/api/suggest", "q=библ").json),
            ("Similar", get(client, f"/api/publications/{pid}/similar").json),
            ("AllFacets", get(client, "/api/facets").json),
            ("FacetValue", get(client, "/api/facets").json["facets"]["topic"][0])]:
        assert set(schemas[schema]["required"]) <= set(answer), schema
        assert set(answer) <= set(schemas[schema]["properties"]), schema
    for suggestion in get(client, "/api/suggest", "q=библ").json["suggestions"]:
        assert set(suggestion) == set(
            schemas["Suggestions"]["properties"]["suggestions"]["items"]["required"])
    assert {"ok", "stale", "degraded", "failed", "empty", "missing", "outdated", "damaged",
            "unavailable"} == set(
        schemas["Health"]["properties"]["status"]["enum"])
    docs = client.simulate_get("/docs").text  # the Russian page a web editor reads
    assert all(f"<code>{state}</code>" in docs
               for state in schemas["Health"]["properties"]["status"]["enum"])


@pytest.mark.parametrize("path, kind, needle", [
    ("/", "text/html", b'id="search-form"'),
    ("/docs", "text/html", b"<html"),
    ("/widget.js", "javascript", b"function"),
    ("/static/app.js", "javascript", b"parseSnippet"),
    ("/static/style.css", "text/css", b"{"),
])
def test_static(client, path, kind, needle):
    resp = get(client, path)
    assert resp.status_code == 200
    assert kind in resp.headers["content-type"]
    assert needle in resp.content


def test_security_headers_on_page(client):
    resp = get(client, "/")
    assert resp.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "SAMEORIGIN"
    assert resp.headers["referrer-policy"]
    api = get(client, "/api/search", "q=книга")
    assert api.headers["x-content-type-options"] == "nosniff"
    # the widget is embedded in other sites: no frame/CSP restrictions of ours
    assert "x-frame-options" not in get(client, "/widget.js").headers


# -- filters and facets ---------------------------------------------------------------

def _two_authors(everything):
    counts: dict[str, int] = {}
    for h in everything:
        if h["author"]:
            counts[h["author"]] = counts.get(h["author"], 0) + 1
    (a, _), (b, _) = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    return a, b


def _facet(data, name):
    return {v["value"]: v for v in data["facets"][name]}


def test_repeated_facet_is_or_and_facets_are_and(client, everything):
    a, b = _two_authors(everything)
    only_a = {h["id"] for h in everything if h["author"] == a}
    only_b = {h["id"] for h in everything if h["author"] == b}
    both = get(client, "/api/search", {"author": [a, b], "per_page": 100}).json
    assert {h["id"] for h in both["hits"]} == only_a | only_b
    assert both["total"] == len(only_a | only_b)

    topic = next(t for h in everything if h["author"] == a for t in h["topics"])
    expected = {h["id"] for h in everything
                if h["author"] in (a, b) and topic in h["topics"]}
    anded = get(client, "/api/search", {"author": [a, b], "topic": topic,
                                        "per_page": 100}).json
    assert {h["id"] for h in anded["hits"]} == expected
    assert 0 < anded["total"] < both["total"]


@pytest.mark.parametrize("style", ["php", "jquery"])
def test_a_list_sent_as_php_or_jquery_sends_it_filters_as_a_repeated_parameter(
        client, everything, style):
    """PHP's http_build_query sends `author[0]=…&author[1]=…`, jQuery `author[]=…`."""
    a, b = _two_authors(everything)
    names = {"php": ("author[0]", "author[1]"), "jquery": ("author[]", "author[]")}[style]
    query = "&".join(f"{key}={quote(value)}" for key, value in zip(names, (a, b), strict=True))
    listed = get(client, "/api/search", query + "&per_page=100").json
    repeated = get(client, "/api/search", {"author": [a, b], "per_page": 100}).json
    assert {h["id"] for h in listed["hits"]} == {h["id"] for h in repeated["hits"]}
    assert listed["total"] == repeated["total"] < len(everything)
    assert not listed["warnings"]


def test_facet_counts_exclude_their_own_filter(client, everything):
    a, b = _two_authors(everything)
    unfiltered = _facet(get(client, "/api/search", "per_page=1").json, "author")
    data = get(client, "/api/search", {"author": a, "per_page": 1}).json
    authors = _facet(data, "author")
    assert data["total"] == unfiltered[a]["count"]
    # multi-select: the other authors keep their counts so they can be added
    assert authors[b]["count"] == unfiltered[b]["count"]
    assert authors[a]["selected"] is True and authors[b]["selected"] is False
    # other facets are narrowed by the author filter
    years = _facet(data, "year")
    assert sum(v["count"] for v in years.values()) <= data["total"]

    selected = _facet(get(client, "/api/search", {"author": [a, b]}).json, "author")
    assert selected[a]["selected"] and selected[b]["selected"]


def test_year_and_date_filters(client, everything):
    data = get(client, "/api/search", "year=2023&per_page=100").json
    assert data["total"] == sum(1 for h in everything if (h["published"] or "").startswith("2023"))
    assert all(h["published"].startswith("2023") for h in data["hits"])
    ranged = get(client, "/api/search", "from=2023-03-01&to=2023-03-31&per_page=100").json
    assert ranged["total"] >= 1
    assert all("2023-03-01" <= h["published"] <= "2023-03-31" for h in ranged["hits"])
    same_day = get(client, "/api/search", "from=2023-03-14&to=2023-03-14").json
    assert "zlat-2023-003" in {h["id"] for h in same_day["hits"]}


def test_empty_query_with_filter_browses_newest_first(client):
    data = get(client, "/api/search", "topic=Выставки&per_page=100").json
    assert data["total"] > 1
    dates = [h["published"] or "" for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert all(h["score"] is None for h in data["hits"])
    assert all("Выставки" in h["topics"] for h in data["hits"])
    oldest = get(client, "/api/search", "topic=Выставки&per_page=100&sort=date_asc").json
    assert [h["published"] or "" for h in oldest["hits"] if h["published"]] == sorted(
        d for d in dates if d)


def test_did_you_mean_for_typo(client):
    data = get(client, "/api/search", "q=библеотека").json
    assert data["did_you_mean"] == "библиотека"
    assert data["corrected"] is True and data["total"] > 0
    assert data["query"] == "библеотека"


# -- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("qs", [
    "sort=best",
    "page=0",
    "page=-1",
    "page=abc",
    "per_page=0",
    "per_page=101",
    "from=2024-13-01",
    "to=yesterday",
    "from=2024-05-01&to=2024-01-01",
    "q=" + "а" * 501,
    "q=%D0%B2%FF%FE",  # percent-escapes that are not UTF-8
    "q=%C0%AF",  # an overlong encoding of "/"
    "q=%D0",  # a letter cut in half
    "year=abc",
    "year=99999",
    "year=20",
    "page=%D9%A3",  # an Arabic-Indic digit three: not a page number here
    "topic=" + "т" * 501,
])
def test_bad_search_parameters_are_400(client, qs):
    """Each names the parameter at fault apart from its message (a page marks the field);
    a query string that is not UTF-8 is no one parameter's."""
    body = assert_error(get(client, "/api/search", qs), 400)
    assert body.get("parameter") == _at_fault(qs), body


@pytest.mark.parametrize("length, said", [(501, "501 символ"), (502, "502 символа"),
                                          (511, "511 символов"), (525, "525 символов")])
def test_a_too_long_query_is_counted_in_russian(client, length, said):
    body = assert_error(get(client, "/api/search", "q=" + "а" * length), 400)
    assert f"длиной {said}," in body["description"]


@pytest.mark.parametrize("path, qs", [
    ("/api/suggest", "limit=0"),
    ("/api/suggest", "limit=11"),
    ("/api/suggest", "q=" + "б" * 501),
    ("/api/suggest", "q=%FF"),
    ("/api/publications/zlat-2023-003/similar", "limit=21"),
    ("/api/export", "sort=nope"),
    ("/api/export", "from=2024-02-30"),
])
def test_bad_other_parameters_are_400(client, path, qs):
    body = assert_error(get(client, path, qs), 400)
    assert body.get("parameter") == _at_fault(qs), body


def _at_fault(qs: str) -> str | None:
    """The parameter a bad query string's 400 names: its first, unless it is no UTF-8."""
    try:
        urllib.parse.unquote_to_bytes(qs).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return qs.split("=")[0]


@pytest.mark.parametrize("path", ["/api/publications/nonexistent",
                                  "/api/publications/nonexistent/similar"])
def test_an_unknown_id_is_named_in_the_404(client, path):
    assert "публикации с id 'nonexistent' нет" in assert_error(get(client, path), 404)[
        "description"]


def test_a_year_outside_the_period_is_said_so(client):
    data = get(client, "/api/search", "year=2023&from=2024-01-01").json
    assert data["total"] == 0 and data["warnings"] == ["год 2023 вне периода с 01.01.2024"]
    absent = get(client, "/api/search", "year=2020&from=2021-01-01").json  # none in 2020
    assert absent["warnings"] == ["нет публикаций со значением «2020» в фильтре «год»"]
    both = get(client, "/api/search", "year=2022&year=2023&from=2023-01-01").json
    assert both["total"] > 0 and both["warnings"] == []


@pytest.mark.parametrize(("method", "path", "status"), [
    ("POST", "/api/search", 405), ("PATCH", "/api/publications/zlat-2023-003", 405),
    ("GET", "/api/no-such-route", 404), ("PUT", "/api/publications/x", 401),
])
def test_refusals_by_the_framework_are_russian_json_too(client, method, path, status):
    assert_error(client.simulate_request(method, path), status)


@pytest.mark.parametrize("q", ['"((( OR', "(((", ")))", "OR", "AND NOT", '"', "***", "*",
                               "-", "автор:", "title:(", "~~~", "a" * 500, "\x00\x01",
                               "<script>", "%%%", "выставк*", "NOT выставка", "\\"])
def test_malformed_queries_never_500(client, q):
    resp = get(client, "/api/search", {"q": q})
    assert resp.status_code in (200, 400), (q, resp.status_code, resp.text)
    if resp.status_code == 400:
        assert_error(resp, 400)
    else:
        assert isinstance(resp.json["total"], int)


@pytest.mark.parametrize("path", [
    "/api/publications/no-such-id",
    "/api/publications/no-such-id/similar",
    "/api/nothing",
    "/nothing/here",
    "/static/missing.js",
    "/static/..%2F..%2Fapi%2Fapp.py",
    "/api/publications/..%2F..%2Fetc%2Fpasswd",
])
def test_unknown_is_404_json(client, path):
    assert_error(get(client, path), 404)


# -- writes ---------------------------------------------------------------------------

NEW = {"title": "Новая выставка акварели", "text": "В библиотеке открылась выставка акварелей.",
       "date": "2025-06-01", "author": "Тест Тестов", "topics": ["Выставки"]}


def test_writes_disabled_without_token(sample_settings, service):
    settings = dataclasses.replace(sample_settings, admin_token=None)
    app = testing.TestClient(create_app(settings, service))
    assert_error(app.simulate_put("/api/publications/x-1", json=NEW, headers=AUTH), 403)
    assert_error(app.simulate_delete("/api/publications/zlat-2023-003", headers=AUTH), 403)


def test_a_token_of_spaces_is_refused_and_a_line_end_is_no_part_of_it():
    """`KARTOTEKA_ADMIN_TOKEN=" "` started silently and answered every write 401 «Нужен
    токен»; a token read from a file came with its line end, which no header carries."""
    from search.errors import ConfigError
    from search.settings import Settings

    with pytest.raises(ConfigError, match="одни пробелы"):
        Settings.from_env({"KARTOTEKA_ADMIN_TOKEN": " \n"})
    settings = Settings.from_env({"KARTOTEKA_ADMIN_TOKEN": "tok-tok-tok-tok-tok\n"})
    assert settings.admin_token == "tok-tok-tok-tok-tok"


def test_write_auth_and_lifecycle(write_client):
    c = write_client
    body = assert_error(c.simulate_put("/api/publications/api-1", json=NEW), 401)
    assert body["title"]
    assert "Bearer" in c.simulate_put("/api/publications/api-1", json=NEW).headers.get(
        "www-authenticate", "")
    assert_error(c.simulate_put("/api/publications/api-1", json=NEW,
                                headers={"Authorization": "Bearer wrong"}), 403)
    assert_error(c.simulate_put("/api/publications/api-1", json=NEW,
                                headers={"Authorization": f"Basic {TOKEN}"}), 401)
    assert_error(c.simulate_delete("/api/publications/zlat-2023-003"), 401)
    assert_error(c.simulate_delete("/api/publications/zlat-2023-003",
                                   headers={"Authorization": "Bearer nope"}), 403)

    created = c.simulate_put("/api/publications/api-1", json=NEW, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.json == {"id": "api-1", "status": "created", "topics": ["Выставки"],
                            "warnings": []}
    found = c.simulate_get("/api/search", query_string="q=акварели").json
    assert [h["id"] for h in found["hits"]] == ["api-1"]
    assert found["hits"][0]["published"] == "2025-06-01"

    updated = c.simulate_put("/api/publications/api-1", json={**NEW, "title": "Другое"},
                             headers=AUTH)
    assert updated.status_code == 200 and updated.json["status"] == "updated"
    assert c.simulate_get("/api/publications/api-1").json["title"] == "Другое"
    # the replaced version is gone (a stale reader once returned both)
    assert c.simulate_get("/api/search", query_string="q=акварели").json["total"] == 1

    deleted = c.simulate_delete("/api/publications/api-1", headers=AUTH)
    assert deleted.status_code == 200 and deleted.json == {"id": "api-1", "status": "deleted"}
    assert_error(c.simulate_get("/api/publications/api-1"), 404)
    assert_error(c.simulate_delete("/api/publications/api-1", headers=AUTH), 404)


@pytest.mark.parametrize("body", [None, [], "text", {"title": "", "text": ""}, {"title": 5}])
def test_put_invalid_body_is_400(write_client, body):
    kwargs = {"json": body} if body is not None else {"body": b""}
    resp = write_client.simulate_put("/api/publications/api-2", headers=AUTH, **kwargs)
    assert_error(resp, 400)


@pytest.mark.parametrize(("extra", "said"), [
    ({"titel": "Опечатка"}, "неизвестное поле 'titel'"),
    ({"topics": 5}, "topics должно быть строкой или списком строк"),
    ({"topics": ["Выставки", 7]}, "topics должно быть строкой или списком строк"),
    ({"url": "javascript:alert(1)"}, "не адрес http(s)"),
    ({"url": "//evil.example/x"}, "не адрес http(s)"),
    # a browser reads `/\host` as `//host`; a host that does not parse; dot segments
    ({"url": "/\\evil.example/x"}, "не адрес http(s)"),
    ({"url": "https://[::1"}, "не адрес http(s)"),
    ({"url": "/p/../../api/health"}, "не адрес http(s)"),
    ({"id": "another"}, "в адресе ('api-3')"),
    ({"id": True}, "id должен быть строкой или целым числом"),
    ({"date": "0001-01-01"}, "год должен быть от 1000 до 2999"),
    ({"date": "2024-02-30"}, "даты '2024-02-30' нет в календаре"),
    ({"date": "30.02.2024"}, "нет в календаре"), ({"date": "2024/03/01"}, "не в виде ГГГГ-ММ-ДД"),
    ({"author": ["Анна"]}, "author: ожидалась строка, а это список"),
    ({"date": "2024-11-12T25:00:00"}, "не читается время"),
    ({"author": "Иванова " * 100}, "author длиннее 300 символов (800)"),
    ({"topics": [f"Тема {n}" for n in range(21)]}, "topics: не больше 20 тем, а их 21"),
])
def test_put_a_record_with_a_wrong_field_is_400_naming_it(write_client, extra, said):
    resp = write_client.simulate_put("/api/publications/api-3", headers=AUTH,
                                     json={**NEW, **extra})
    assert said in assert_error(resp, 400)["description"]
    assert write_client.simulate_get("/api/publications/api-3").status_code == 404


@pytest.mark.parametrize(("date", "stored"), [
    ("12 ноября 2024 г.", "2024-11-12"), ("1 мая 2020", "2020-05-01"),
    ("2024-11-12T23:30:00+03:00", "2024-11-12"), ("12.11.2024", "2024-11-12")])
def test_put_reads_a_date_as_the_readme_lists_them(write_client, date, stored):
    resp = write_client.simulate_put("/api/publications/api-d", headers=AUTH,
                                     json={**NEW, "date": date})
    assert resp.status_code in (200, 201), resp.text
    assert write_client.simulate_get("/api/publications/api-d").json["published"] == stored


def test_put_with_both_date_and_published_says_which_it_took(write_client):
    resp = write_client.simulate_put("/api/publications/api-e", headers=AUTH, json={
        **NEW, "date": "2024-11-12", "published": "2023-01-01"})
    assert resp.json["warnings"] == ["указаны и date, и published: взята date"]
    assert write_client.simulate_get("/api/publications/api-e").json["published"] == "2024-11-12"


def test_put_of_a_date_more_than_a_year_ahead_keeps_it_and_says_so(write_client):
    """A CMS's mistyped year (2099) had gone in with no warning, first among the newest."""
    resp = write_client.simulate_put("/api/publications/api-f", headers=AUTH,
                                     json={**NEW, "date": "2099-01-01"})
    assert resp.status_code == 201 and resp.json["warnings"] == [
        "публикация датирована 01.01.2099 — более чем на год вперёд: проверьте год (она "
        "будет первой среди новых)"]
    assert write_client.simulate_get("/api/publications/api-f").json["published"] == "2099-01-01"
    resp = write_client.simulate_put("/api/publications/api-f", headers=AUTH,
                                     json={**NEW, "date": "2024-11-12"})
    assert resp.json["warnings"] == []


def test_put_a_numeric_id_in_the_body_and_the_address(write_client):
    """An id may be a number: `{"id": 1}` sent to /api/publications/1 is that record."""
    resp = write_client.simulate_put("/api/publications/1", headers=AUTH, json={**NEW, "id": 1})
    assert resp.status_code == 201, resp.text
    assert write_client.simulate_get("/api/publications/1").json["id"] == "1"


def test_a_put_record_s_names_keep_single_spaces(write_client):
    """An author or library typed with a double space or a tab is stored with single
    spaces, so its facet value and its filter are one."""
    record = {**NEW, "author": " Анна  \tПроверкина ", "library": "ЦГБ   им. Лермонтова"}
    assert write_client.simulate_put("/api/publications/api-s", headers=AUTH,
                                     json=record).status_code == 201
    stored = write_client.simulate_get("/api/publications/api-s").json
    assert (stored["author"], stored["library"]) == ("Анна Проверкина", "ЦГБ им. Лермонтова")
    found = write_client.simulate_get("/api/search", params={"q": "", "author": "анна  проверкина"})
    assert [hit["id"] for hit in found.json["hits"]] == ["api-s"]


def test_a_record_put_through_one_worker_is_read_at_once_through_another(fresh_index):
    """Two workers: one takes the PUT, the other is asked for the record right after,
    well within its interval between looks at the disk."""
    settings = dataclasses.replace(fresh_index, reload_interval=600.0)
    one = testing.TestClient(create_app(settings))
    other = testing.TestClient(create_app(settings))
    assert other.simulate_get("/api/publications/zlat-2021-001").status_code == 200
    assert_error(other.simulate_get("/api/publications/w-1"), 404)
    assert one.simulate_put("/api/publications/w-1", json=NEW, headers=AUTH).status_code == 201
    assert other.simulate_get("/api/publications/w-1").json["title"] == NEW["title"]
    edited = {**NEW, "title": "Вторая версия"}
    assert one.simulate_put("/api/publications/w-1", json=edited, headers=AUTH).status_code == 200
    assert other.simulate_get("/api/publications/w-1").json["title"] == "Вторая версия"


def test_a_put_or_delete_through_one_worker_is_searched_at_once_through_another(fresh_index):
    """A CMS saves a post and shows the site's search right after: the next search, on
    any worker, finds it (and no longer finds a deleted one), well within the interval."""
    settings = dataclasses.replace(fresh_index, reload_interval=600.0)
    one = testing.TestClient(create_app(settings))
    other = testing.TestClient(create_app(settings))
    def found():
        hits = other.simulate_get("/api/search", params={"q": "Гексаметрова"}).json["hits"]
        return [h["id"] for h in hits]
    record = {"title": "Вечер поэзии", "text": "Стихи читает Гексаметрова."}
    assert found() == []
    assert one.simulate_put("/api/publications/w-2", json=record, headers=AUTH).status_code == 201
    assert found() == ["w-2"]
    assert one.simulate_delete("/api/publications/w-2", headers=AUTH).status_code == 200
    assert found() == []


def test_one_search_reads_one_generation_and_the_next_search_the_new_one(fresh_index):
    """A search asks the engine several times (the hits, the words, the spelling): all
    from the generation it first saw, while another worker's PUT lands; the next search
    sees the PUT."""
    from search.models import SearchRequest
    from search.searcher import SearchService

    settings = dataclasses.replace(fresh_index, reload_interval=600.0)
    one = testing.TestClient(create_app(settings))
    service = SearchService(settings)

    def found():
        return [h.id for h in service.search(SearchRequest(q="Ямбохореева")).hits]

    record = {"title": "Вечер поэзии", "text": "Стихи читает Ямбохореева."}
    with service.engine.pinned():
        first = service.engine.generation()
        assert one.simulate_put("/api/publications/w-3", json=record, headers=AUTH).status_code == 201
        assert service.engine.generation() == first
        assert found() == []
    assert service.engine.generation() != first
    assert found() == ["w-3"]
    with pytest.raises(RuntimeError), service.engine.pinned():  # a search that failed
        raise RuntimeError
    assert one.simulate_delete("/api/publications/w-3", headers=AUTH).status_code == 200
    assert found() == []
    service.close()


def test_an_id_sent_in_raw_utf8_is_the_id_percent_escapes_give(write_client):
    """curl sends a Cyrillic path as raw UTF-8 bytes, which WSGI hands over as latin-1."""
    raw = "/api/publications/ёлка-1".encode().decode("latin-1")
    assert write_client.simulate_put(raw, json=NEW, headers=AUTH).status_code == 201
    assert write_client.simulate_get(f"/api/publications/{quote('ёлка-1')}").json["id"] == "ёлка-1"
    assert write_client.simulate_get(raw).json["id"] == "ёлка-1"


def test_put_says_which_topics_it_dropped(write_client):
    """A topic that is not on the list (and maps onto none of it) is not kept: the answer
    says so, and gives the topics the publication has."""
    resp = write_client.simulate_put("/api/publications/api-t", headers=AUTH,
                                     json={**NEW, "topics": ["-2+3", "Выставки", "sport",
                                                             "Своя рубрика", "Новости"]})
    assert resp.status_code == 201, resp.text
    assert resp.json["topics"] == ["Выставки", "Спорт", "Своя рубрика"]
    assert resp.json["warnings"] == [
        "темы «-2+3» нет в списке тем: она пропущена",
        "темы «Своя рубрика» нет в списке тем: она добавлена как есть",
        # listed as naming no subject (topic_categories_ru.txt `Новости = -`)
        "рубрика «Новости» не говорит о теме: она пропущена"]
    assert write_client.simulate_get("/api/publications/api-t").json["topics"] == [
        "Выставки", "Спорт", "Своя рубрика"]


def test_put_takes_back_what_get_gives(write_client):
    """A record read by GET can be edited and sent back as it is."""
    record = write_client.simulate_get("/api/publications/zlat-2021-001").json
    record = {**record, "title": record["title"] + " (исправлено)", "url": "/news/1"}
    resp = write_client.simulate_put("/api/publications/zlat-2021-001", headers=AUTH,
                                     json=record)
    assert resp.status_code == 200, resp.text
    got = write_client.simulate_get("/api/publications/zlat-2021-001").json
    assert got["title"] == record["title"] and got["url"] == "/news/1"


def test_put_rich_text_is_stored_as_the_page_shows_it(write_client):
    """A CMS sends its editor's HTML: the tags, scripts and entities are not words, and
    snippets show the text, not the markup."""
    record = {"title": "Вечер &laquo;Поэзия&raquo;",
              "text": '<div class="post"><p>Приглашаем на&nbsp;вечер <strong>поэзии'
                      '</strong> Гексаметрова.</p><script>alert("xss")</script>'
                      "<style>.post{color:red}</style><p>Вход свободный.<br>Ждём!</p></div>"}
    assert write_client.simulate_put("/api/publications/cms-html", headers=AUTH,
                                     json=record).status_code == 201
    stored = write_client.simulate_get("/api/publications/cms-html").json
    assert stored["title"] == "Вечер «Поэзия»"
    assert stored["text"] == ("Приглашаем на вечер поэзии Гексаметрова.\n\n"
                              "Вход свободный.\nЖдём!")
    for word in ("nbsp", "post", "alert", "strong", "laquo"):
        hits = write_client.simulate_get("/api/search", params={"q": word}).json["hits"]
        assert "cms-html" not in [h["id"] for h in hits], word
    found = write_client.simulate_get("/api/search", params={"q": "Гексаметрова"}).json
    assert [h["id"] for h in found["hits"]] == ["cms-html"]
    assert "&lt;" not in found["hits"][0]["snippet"] and "strong" not in found["hits"][0]["snippet"]


@pytest.mark.parametrize("body", [
    b'{"title": "a\\ud800", "text": "b"}',  # a lone surrogate: no UTF-8 for it
    b'{"title": "a", "text": "b", "author": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"title": "\xff", "text": "b"}',  # not UTF-8
    b'{"title": "a", "text": "b", "date": ' + b"9" * 5000 + b"}",  # past int()'s 4,300 digits
])
def test_put_bodies_that_cannot_be_stored_are_400(write_client, body):
    resp = write_client.simulate_put("/api/publications/api-4", body=body,
                                     headers={**AUTH, "Content-Type": "application/json"})
    assert_error(resp, 400)


def test_an_export_beyond_the_slots_is_503_and_a_slot_frees_when_its_stream_ends(client):
    """Twenty exports at once held every worker and a search waited 10 s behind them (a
    security tester's trial): one export runs at a time (KARTOTEKA_EXPORTS_AT_ONCE), the
    next is told to come back, and the slot frees when the first's body is done or closed."""
    app = client.app
    statuses = []

    def start(query: str):
        environ = testing.create_environ(path="/api/export", query_string=query)
        body = app(environ, lambda status, headers, *_: statuses.append(status))
        return body

    first = start("q=выставки&format=csv")  # its body not read yet: the slot is held
    assert statuses[-1].startswith("200")
    refused = client.simulate_get("/api/export", params={"q": "книги", "format": "xlsx"})
    body = assert_error(refused, 503)
    assert refused.headers["retry-after"] == "3" and "Выгрузка занята" in body["title"]
    assert body["description"].endswith("повторите через 3 секунды")
    assert client.simulate_get("/api/search", params={"q": "книги"}).status_code == 200
    assert b"".join(first)  # read to its end: the slot is free
    first.close()
    assert client.simulate_get("/api/export", params={"q": "книги"}).status_code == 200
    closed = start("q=выставки&format=xlsx")
    closed.close()  # a client gone before the body: the slot is free too
    assert client.simulate_get("/api/export", params={"q": "книги"}).status_code == 200


def test_facets_follow_each_put_and_delete(write_client):
    """A commit's facet table takes the unchanged segments' parts from the last one's
    (search/engine/whoosh/segment_facets.py): what a PUT adds, changes or deletes shows
    in the counts and filters at once, and the rest stays as it was."""
    def facets(**params):
        found = write_client.simulate_get("/api/search", params={"q": "", **params}).json
        return found["total"], {name: {v["value"]: v["count"] for v in values}
                                for name, values in found["facets"].items()}

    total, before = facets()
    record = {"title": "Вечер поэзии", "text": "Стихи читали вслух.", "date": "1999-05-01",
              "author": "Пётр Фасетов", "topics": ["Фасетная тема"]}
    assert write_client.simulate_put("/api/publications/facet-1", headers=AUTH,
                                     json=record).status_code == 201
    added, after = facets()
    assert added == total + 1 and after["author"]["Пётр Фасетов"] == 1
    assert after["year"]["1999"] == 1 and after["topic"]["Фасетная тема"] == 1
    record.update(author="Павел Фасетов", date="1998-05-01")
    assert write_client.simulate_put("/api/publications/facet-1", headers=AUTH,
                                     json=record).status_code == 200
    changed, now = facets(author="Павел Фасетов")
    assert changed == 1 and now["year"] == {"1998": 1}
    assert "Пётр Фасетов" not in facets()[1]["author"]
    assert write_client.simulate_delete("/api/publications/facet-1", headers=AUTH).status_code == 200
    assert facets() == (total, before)


def test_put_text_of_unclosed_comments_takes_no_quadratic_time(write_client):
    """`<!--` repeated with no `-->`: finding markup in it took 10 s for 64 KB and killed
    the worker at 960 KB (a security tester's trial). Now it is linear: well under 10 s."""
    for text in ("<!--" * 240_000, "<!--" * 200_000 + "Ждём! -->Вход свободный."):
        started = time.monotonic()
        resp = write_client.simulate_put("/api/publications/cms-comments", headers=AUTH,
                                         json={"title": "Комментарии", "text": text})
        assert resp.status_code in (200, 201), resp.text
        assert time.monotonic() - started < 10
    stored = write_client.simulate_get("/api/publications/cms-comments").json
    assert stored["text"] == "Вход свободный."


def test_put_fields_lose_controls_and_bidi_overrides(write_client):
    """ESC, DEL, noncharacters and U+202E were stored and written out raw by the CSV
    export: an escape sequence acts on a terminal that shows the file, and the override
    showed «Отчёт \u202etxt.exe» as «Отчёт exe.txt» (a security tester's trial)."""
    record = {"title": "Отчёт \u202etxt.exe \u0001\u001b[31m\u007f\ufffe",
              "text": "Строка\tодна\nстрока две\u0007", "author": "Иван\u0003ов",
              "library": "Биб\u0007лиотека", "topics": ["Вы\u2066ставки"]}
    assert write_client.simulate_put("/api/publications/ctl-1", headers=AUTH,
                                     json=record).status_code == 201
    stored = write_client.simulate_get("/api/publications/ctl-1").json
    assert (stored["title"], stored["text"], stored["author"], stored["library"]) == (
        "Отчёт txt.exe [31m", "Строка\tодна\nстрока две", "Иванов", "Библиотека")
    assert "Выставки" in stored["topics"]  # and the topic its words name
    exported = write_client.simulate_get("/api/export", params={"q": "txt", "format": "csv"})
    assert "Отчёт txt.exe" in exported.text and not re.search("[\x00-\x08\x1b\u202e]",
                                                                 exported.text)


def test_put_body_compressed_is_415_saying_so(write_client):
    """A gzip body had been called «not UTF-8»: its encoding is what is wrong."""
    import gzip

    resp = write_client.simulate_put(
        "/api/publications/api-gz", body=gzip.compress(b'{"title": "a", "text": "b"}'),
        headers={**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert_error(resp, 415)
    assert "gzip" in resp.json["description"]


def test_put_json_sent_as_a_form_is_read(write_client):
    """`curl -d '{...}'` says application/x-www-form-urlencoded."""
    body = json.dumps({"title": "Запись из curl", "text": "Текст."}, ensure_ascii=False)
    resp = write_client.simulate_put(
        "/api/publications/api-5", body=body.encode(),
        headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 201, resp.text
    assert write_client.simulate_get("/api/publications/api-5").json["title"] == "Запись из curl"


@pytest.mark.parametrize(("body", "content_type", "said"), [
    (b"", "application/json", "пустое тело запроса"),
    ('{"title": "Вечер", "text": "Стихи"}'.encode("cp1251"),
     "application/json; charset=windows-1251", "тело не в UTF-8 (байт 0xc2 на позиции 11; "
                                               "заголовок говорит charset=windows-1251)"),
    (b'{"title": "a",\n "text": }', "application/json", "неверный JSON в строке 2, столбце 10"),
    (b'[{"title": "a", "text": "b"}]', "application/json", "ожидался объект JSON, а это список"),
    (b'{"title": 123, "text": "b"}', "application/json", "title: ожидалась строка, а это число"),
])
def test_a_bad_put_body_is_400_saying_what_is_wrong(write_client, body, content_type, said):
    resp = write_client.simulate_put("/api/publications/api-6", body=body,
                                     headers={**AUTH, "Content-Type": content_type})
    assert said in assert_error(resp, 400)["description"]


def test_put_json_with_a_bom_is_read(write_client):
    """Notepad and PowerShell write UTF-8 with a BOM; JSON Lines files are read with it too."""
    body = "\ufeff" + json.dumps({"title": "Запись с BOM", "text": "Текст."}, ensure_ascii=False)
    resp = write_client.simulate_put("/api/publications/api-7", body=body.encode("utf-8"),
                                     headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 201, resp.text
    assert write_client.simulate_get("/api/publications/api-7").json["title"] == "Запись с BOM"


def test_put_malformed_json_is_400(write_client):
    resp = write_client.simulate_put("/api/publications/api-2", body=b"{not json",
                                     headers={**AUTH, "Content-Type": "application/json"})
    assert_error(resp, 400)


def test_oversized_put_is_413(write_client):
    big = {"title": "x", "text": "слово " * 250_000}
    assert_error(write_client.simulate_put("/api/publications/big", json=big, headers=AUTH),
                 413)


@pytest.mark.parametrize("pid", ["..", "a%00b", "%20", "bad%20id", "x" * 201, "a%5Cb",
                                 "..%5C..%5Cwin"])
def test_put_with_an_invalid_id_is_400_naming_it(write_client, pid):
    resp = write_client.simulate_put(f"/api/publications/{pid}", json=NEW, headers=AUTH)
    assert_error(resp, 400)
    assert "неверный id" in resp.json["description"]
    assert len(resp.json["description"]) < 200  # a long id is not echoed whole
    assert write_client.simulate_get("/api/health").json["documents"] == 70


@pytest.mark.parametrize("pid", ["..%2F..%2Fetc%2Fpasswd", "a%2Fb"])
def test_put_to_another_path_is_404(write_client, pid):
    resp = write_client.simulate_put(f"/api/publications/{pid}", json=NEW, headers=AUTH)
    assert_error(resp, 404)
    assert write_client.simulate_get("/api/health").json["documents"] == 70


def test_answers_are_gzipped_for_a_browser_that_takes_gzip(client):
    """A page of hits was 86 KB of JSON to a phone (22 KB gzipped)."""
    import gzip

    plain = get(client, "/api/search", "q=книга&per_page=50")
    packed = get(client, "/api/search", "q=книга&per_page=50",
                 headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"] and len(packed.content) < len(plain.content)
    assert json.loads(gzip.decompress(packed.content)) == plain.json
    refused = get(client, "/api/search", "q=книга&per_page=50",
                  headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers
    small = get(client, "/api/suggest", "q=щщщщ", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # too small to gain
    export = get(client, "/api/export", "q=книга&format=csv", headers={"Accept-Encoding": "gzip"})
    assert export.status_code == 200 and "content-encoding" not in export.headers
    page = client.simulate_get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert b"<html" in gzip.decompress(page.content).lower()


def test_an_answer_the_browser_holds_is_a_304(client):
    """No ETag and no Cache-Control: Back and every repeated search fetched the whole
    answer again."""
    first = get(client, "/api/search", "q=книга")
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    again = get(client, "/api/search", "q=книга", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other = get(client, "/api/search", "q=выставка", headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    packed = get(client, "/api/search", "q=книга&per_page=50",
                 headers={"Accept-Encoding": "gzip"})
    assert get(client, "/api/search", "q=книга&per_page=50", headers={
        "Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("path", ["/api/search?q=книга&per_page=50", "/", "/api/health"])
def test_head_answers_with_the_headers_of_its_get(client, path):
    """The README says HEAD has GET's status and headers: it had no ETag, no
    Cache-Control, no Vary and the uncompressed length of a gzipped GET."""
    headers = {"Accept-Encoding": "gzip"}
    whole = client.simulate_get(path, headers=headers)
    head = client.simulate_head(path, headers=headers)
    assert head.status_code == whole.status_code == 200 and head.content == b""
    for name in ("etag", "cache-control", "vary", "content-length", "content-encoding",
                 "content-type"):
        assert head.headers.get(name) == whole.headers.get(name), name


def test_a_304_says_what_its_200_says_and_compares_tags_weakly(client):
    """A 304 must carry the Vary of its 200 (a cache keys on it), and If-None-Match
    compares weakly: a proxy that strips W/ still gets its 304."""
    headers = {"Accept-Encoding": "gzip"}
    whole = get(client, "/api/search", "q=книга&per_page=50", headers=headers)
    tag = whole.headers["etag"]
    for asked in (tag, tag.removeprefix("W/"), f'"other", {tag.removeprefix("W/")}'):
        again = get(client, "/api/search", "q=книга&per_page=50",
                    headers={**headers, "If-None-Match": asked})
        assert again.status_code == 304, asked
        assert again.headers["vary"] == whole.headers["vary"]
        assert again.headers["etag"] == tag and "content-type" not in again.headers


# -- CORS -----------------------------------------------------------------------------

def test_cors_allowed_origin_on_search(client):
    resp = get(client, "/api/search", "q=книга", headers={"Origin": ORIGIN})
    assert resp.headers["access-control-allow-origin"] == ORIGIN
    assert "Origin" in resp.headers.get("vary", "")
    assert resp.headers["access-control-allow-credentials"] == "true"  # withCredentials
    # a site's script reads an export's file name, a 503's Retry-After, the ETag
    assert resp.headers["access-control-expose-headers"] == "Content-Disposition, Retry-After, ETag"
    other = get(client, "/api/search", "q=книга", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    plain = get(client, "/api/search", "q=книга")
    assert "access-control-allow-origin" not in plain.headers
    # a shared cache keeps these apart from the allowed site's answer
    assert "Origin" in other.headers["vary"] and "Origin" in plain.headers["vary"]
    # a mistyped API address: its JSON 404 reaches the site's script, not a CORS failure
    # in its console (a web editor's trial); an admin route's answers stay closed
    missing = get(client, "/api/serch", "q=книга", headers={"Origin": ORIGIN})
    assert missing.status_code == 404 and missing.json["title"] == "Не найдено"
    assert missing.headers["access-control-allow-origin"] == ORIGIN
    page = get(client, "/nothing-here", "", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in page.headers


def test_cors_preflight_for_search(client):
    ok = client.simulate_options("/api/search", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    # the headers a site's fetch wrapper adds were refused (only Content-Type was allowed)
    wrapped = client.simulate_options("/api/search", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-requested-with, traceparent"})
    assert wrapped.headers["access-control-allow-headers"] == "x-requested-with, traceparent"
    assert wrapped.headers["access-control-allow-credentials"] == "true"
    assert "Access-Control-Request-Headers" in wrapped.headers["vary"]  # echoed, so varies
    bad = client.simulate_options("/api/search", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in bad.headers
    assert bad.status_code == 403 and bad.json["title"] == "Доступ запрещён"
    assert "https://evil.example" in bad.json["description"]
    # a listed site asking to read an address not open to it: no word of writes
    closed = client.simulate_options("/p/zlat-2023-003", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert closed.status_code == 403 and closed.json["description"] == (
        f"этот адрес не открыт для запросов с сайта {ORIGIN}")


@pytest.mark.parametrize("configured", [ORIGIN + "/", ORIGIN.upper().replace("HTTPS", "https")])
def test_cors_origins_as_pasted_from_the_address_bar_match(fresh_index, configured):
    c = testing.TestClient(create_app(dataclasses.replace(fresh_index,
                                                          cors_origins=(configured,))))
    got = get(c, "/api/search", "q=выставки", headers={"Origin": ORIGIN})
    assert got.headers["access-control-allow-origin"] == ORIGIN


@pytest.mark.parametrize(("configured", "sent"), [
    ("https://библиотека.рф", "https://xn--80abaqnbpf2a4b.xn--p1ai"),
    ("https://Библиотека.РФ:8443/", "https://xn--80abaqnbpf2a4b.xn--p1ai:8443")])
def test_a_cyrillic_domain_matches_the_punycode_browsers_send(fresh_index, configured, sent):
    c = testing.TestClient(create_app(dataclasses.replace(fresh_index,
                                                          cors_origins=(configured,))))
    got = get(c, "/api/search", "q=выставки", headers={"Origin": sent})
    assert got.headers["access-control-allow-origin"] == sent


@pytest.mark.parametrize("configured", ["library.example.ru", "https://library.example.ru/search",
                                        "ftp://library.example.ru"])
def test_cors_origins_no_browser_sends_are_a_setting_error(configured):
    from search.errors import ConfigError
    from search.settings import Settings

    with pytest.raises(ConfigError, match="KARTOTEKA_CORS_ORIGINS"):
        Settings.from_env({"KARTOTEKA_CORS_ORIGINS": f"https://ok.example,{configured}"})


def test_no_cors_on_admin_routes(fresh_index):
    settings = dataclasses.replace(fresh_index, cors_origins=(ORIGIN,))
    c = testing.TestClient(create_app(settings))
    headers = {**AUTH, "Origin": ORIGIN}
    put = c.simulate_put("/api/publications/cors-1", json=NEW, headers=headers)
    assert put.status_code == 201
    assert "access-control-allow-origin" not in put.headers
    delete = c.simulate_delete("/api/publications/cors-1", headers=headers)
    assert delete.status_code == 200
    assert "access-control-allow-origin" not in delete.headers
    for method in ("PUT", "DELETE"):
        pre = c.simulate_options("/api/publications/cors-1", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert pre.status_code in (403, 405), pre.status_code
        assert not any(k.startswith("access-control-") for k in pre.headers), pre.headers
        # the site is listed: the refusal says why (it had said the site was not)
        assert pre.json["description"] == (
            f"с сайта {ORIGIN} открыт только просмотр (GET), а не {method}: запись и "
            "удаление делает сервер сайта с ключом администратора")
    got = c.simulate_get("/api/publications/zlat-2023-003", headers={"Origin": ORIGIN})
    assert got.headers["access-control-allow-origin"] == ORIGIN


# -- escaping -------------------------------------------------------------------------

def _only_mark_tags(snippet: str) -> bool:
    return re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_snippets_escape_html(client):
    data = get(client, "/api/search", "q=скрипт alert").json
    hit = next(h for h in data["hits"] if h["id"] == "zlat-2023-003")
    assert "&lt;script&gt;" in hit["snippet"]
    assert "<script>" not in hit["snippet"]
    assert _only_mark_tags(hit["snippet"])
    for qs in ("q=html", "q=<script>", "q=жирный", ""):
        for h in get(client, "/api/search", qs + "&per_page=100").json["hits"]:
            assert _only_mark_tags(h["snippet"]), h["snippet"]
    similar = get(client, "/api/publications/zlat-2023-001/similar", "limit=20").json
    assert all(_only_mark_tags(h["snippet"]) for h in similar["similar"])


def test_markup_in_a_title_is_no_script_anywhere(write_client):
    c = write_client
    title = "<img src=x onerror=alert(1)> <b>акварель</b>"
    assert c.simulate_put("/api/publications/xss-1", headers=AUTH, json={
        "title": title, "text": "Текст про <script>alert(2)</script> акварель."}).status_code == 201
    data = c.simulate_get("/api/search", query_string="q=акварель").json
    hit = next(h for h in data["hits"] if h["id"] == "xss-1")
    assert hit["title"] == "акварель"  # a CMS's markup is taken out; no script is kept
    assert "<script>" not in hit["snippet"] and _only_mark_tags(hit["snippet"])
    csv_text = c.simulate_get("/api/export", query_string="q=акварель").content.decode("utf-8-sig")
    assert "<img" not in csv_text and "alert" not in csv_text


def test_a_date_written_right_that_does_not_exist_is_said_so(client):
    resp = get(client, "/api/search", "q=книга&from=2024-02-30")
    assert "даты '2024-02-30' нет в календаре" in assert_error(resp, 400)["description"]
    resp = get(client, "/api/search", "q=книга&to=30.02.2024")
    assert "даты '30.02.2024' нет в календаре" in assert_error(resp, 400)["description"]
    resp = get(client, "/api/search", "q=книга&to=2024/02/01")
    assert "ГГГГ-ММ-ДД (2024-03-31) или ДД.ММ.ГГГГ" in assert_error(resp, 400)["description"]


def test_latin_look_alikes_inside_a_russian_word_are_read_as_cyrillic(client):
    """`Пушкинcкий` with a Latin «c» (a keyboard switched mid-word) is «Пушкинский»."""
    mixed = get(client, "/api/search", "q=Пушкинcкий").json
    plain = get(client, "/api/search", "q=Пушкинский").json
    assert mixed["total"] == plain["total"] > 0 and mixed["query"] == "Пушкинский"


def test_a_filter_value_repeated_is_one(client):
    found = get(client, "/api/search", "q=&topic=нет&topic=нет&topic=нет").json
    assert len(found["warnings"]) == 1


def test_a_filter_given_too_many_values_is_refused(client):
    """500 topics had answered 200 with 500 warnings (40 KB); 50 are still a search."""
    many = "&".join(f"topic=t{i}" for i in range(52))
    resp = get(client, "/api/search", "q=&" + many)
    assert resp.status_code == 400 and resp.json["parameter"] == "topic"
    assert resp.json["description"] == "«topic» передан 52 раза, а можно не больше 50 значений"
    assert get(client, "/api/search", "q=&" + many.rsplit("&", 2)[0]).status_code == 200
    assert get(client, "/api/export", "format=csv&" + many).status_code == 400


def test_a_date_is_read_as_russians_write_it_too(client):
    """The exports and the period's warnings write dates as ДД.ММ.ГГГГ; so may a user."""
    iso = get(client, "/api/search", "q=&from=2024-01-01&to=2024-12-31").json
    russian = get(client, "/api/search", "q=&from=01.01.2024&to=31.12.2024").json
    short = get(client, "/api/search", "q=&from=1.1.2024&to=31.12.2024").json
    short_iso = get(client, "/api/search", "q=&from=2024-1-1&to=2024-12-31").json
    assert iso["total"] == russian["total"] == short["total"] == short_iso["total"] > 0
    wrong = get(client, "/api/search", "q=&from=2024-2-30")
    assert wrong.status_code == 400
    assert wrong.json["description"].startswith("«from»: даты '2024-2-30' нет в календаре")


@pytest.mark.parametrize("pasted", [
    "выс\u00adтавка",  # a soft hyphen, as pages copied from a browser carry
    "выс\u200bтавка",  # a zero-width space
    "выста\u0301вка",  # a stress mark
    "выст\u2060авка",  # a word joiner
])
def test_invisible_characters_and_stress_marks_keep_a_word_whole(client, pasted):
    plain = get(client, "/api/search", {"q": "выставка"}).json
    found = get(client, "/api/search", {"q": pasted}).json
    assert found["total"] == plain["total"] > 0
    assert [h["id"] for h in found["hits"]] == [h["id"] for h in plain["hits"]]
    assert not found["corrected"] and not found["did_you_mean"] and not found["warnings"]
    assert found["query"] == "выставка"


def test_a_decomposed_yo_is_the_letter_yo(client):
    composed = get(client, "/api/search", {"q": "ёлка"}).json
    decomposed = get(client, "/api/search", {"q": "е\u0308лка"}).json
    assert decomposed["query"] == "ёлка" and decomposed["total"] == composed["total"]
    assert not decomposed["did_you_mean"]


def test_a_decomposed_filter_value_and_a_long_decomposed_query(client):
    """A filter value typed on a Mac (`й` as `и` + U+0306) found nothing, with a message
    quoting a value that looked the same; a query was counted before it was composed:
    300 letters said to be 600."""
    topics = get(client, "/api/facets").json["facets"]["topic"]
    topic = next(t["value"] for t in topics if "й" in t["value"].lower() or "ё" in t["value"])
    decomposed = unicodedata.normalize("NFD", topic)
    assert decomposed != topic
    assert get(client, "/api/search", {"topic": decomposed}).json["total"] == (
        get(client, "/api/search", {"topic": topic}).json["total"]) > 0
    letters = "и\u0306" * 300  # 300 letters й, 600 code points
    assert get(client, "/api/search", {"q": letters}).status_code == 200
    assert_error(get(client, "/api/search", {"q": letters * 2}), 400)


def test_choices_ignore_case_and_values_their_surrounding_spaces(client):
    newest = get(client, "/api/search", "sort=date_desc&per_page=5").json
    assert get(client, "/api/search", "sort=DATE_DESC&per_page=5").json["hits"] == newest["hits"]
    assert get(client, "/api/search", {"sort": " date_desc ", "page": " 1 ",
                                       "per_page": "5"}).json["hits"] == newest["hits"]
    year = newest["facets"]["year"][0]["value"]
    assert get(client, "/api/search", {"year": f"{year} "}).json["total"] == (
        get(client, "/api/search", {"year": year}).json["total"])
    every = get(client, "/api/search", "").json["total"]
    assert get(client, "/api/search", {"topic": "   "}).json["total"] == every  # no filter
    assert get(client, "/api/search", {"from": " "}).json["total"] == every
    resp = get(client, "/api/export", "q=выставки&format=CSV")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")


def test_the_search_boxs_examples_find_publications(client):
    """The page offers them as what to type: each must find something in the sample."""
    page = client.simulate_get("/").text
    examples = re.search(r'placeholder="Например: ([^"]+)"', page).group(1).split(", ")
    assert len(examples) >= 2
    for example in examples:
        result = get(client, "/api/search", {"q": example}).json
        assert result["total"] > 0 and not result["relaxed"] and not result["corrected"], example


def test_a_long_value_quoted_back_in_an_error_says_it_was_cut(client):
    page = assert_error(get(client, "/api/search", "page=" + "9" * 23), 400)["description"]
    assert "'" + "9" * 20 + "'…" in page
    short = assert_error(get(client, "/api/search", "page=abc"), 400)["description"]
    assert "'abc'" in short and "…" not in short


@pytest.mark.parametrize("qs", ["q=выставка&q=конкурс", "page=2&page=3", "sort=date&sort=relevance",
                                "per_page=5&per_page=50"])
def test_a_parameter_that_takes_one_value_given_twice_is_a_400(client, qs):
    description = assert_error(get(client, "/api/search", qs), 400)["description"]
    assert description.endswith("указан несколько раз: оставьте одно значение")


def test_facet_filters_still_take_several_values(client):
    one = get(client, "/api/search", "year=2024").json["total"]
    two = get(client, "/api/search", "year=2024&year=2025").json["total"]
    assert two > one > 0


def test_an_unknown_parameter_and_a_page_past_the_end_are_said_so(client):
    """`topik=` (a typo) had browsed everything without a word; `page=500` was an empty
    page with no word either."""
    found = get(client, "/api/search", {"q": "выставка", "topik": "Выставки"}).json
    assert found["warnings"][0].startswith("параметр «topik» не известен и пропущен (можно: q, "
                                           "topic,")
    assert not get(client, "/api/search", {"q": "выставка", "topic": "Выставки"}).json[
        "warnings"]
    # what a site's scripts and ad links add is no typo: nothing a visitor would be shown
    tagged = {"q": "выставка", "_": "1733600000000", "utm_source": "vk", "fbclid": "abc",
              "yclid": "1"}
    assert not get(client, "/api/search", tagged).json["warnings"]
    past = get(client, "/api/search", {"q": "выставка", "page": "500"}).json
    pages = -(-past["total"] // past["per_page"])
    assert past["hits"] == [] and past["warnings"] == [
        f"страницы 500 нет: всего страниц — {pages}"]


def test_a_put_s_new_word_becomes_a_correction_soon(write_client):
    """A PUT's words are corrections too, once a thread has counted the new commit's
    words (the last commit's serve meanwhile): they had waited for the next rebuild."""

    for n in range(3):
        put = write_client.simulate_put(f"/api/publications/zeppelin-{n}", headers=AUTH, json={
            "title": "Дирижаблестроение", "text": "Дирижаблестроение в библиотеке.",
            "date": "2025-06-01"})
        assert put.status_code in (200, 201), put.text
    deadline = time.monotonic() + 20
    while True:
        found = get(write_client, "/api/search", "q=дирижаблестраение").json
        if found["corrected"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert found["corrected"] and found["did_you_mean"] == "дирижаблестроение", found
    assert found["total"] == 3


def test_a_pushed_publication_is_found_through_a_family_asked_before(write_client):
    """A one-word query asks for its derivational family, whose stems the engine lists by
    their first letters once per index version: a publication pushed after that is
    found through it at once (`шахматы`: «шахматисты»)."""
    assert write_client.simulate_get("/api/search", params={"q": "шахматы"}).json["total"] == 0
    put = write_client.simulate_put("/api/publications/chess-1", headers=AUTH, json={
        "title": "Турнир", "text": "Юные шахматисты сыграли турнир в библиотеке.",
        "date": "2024-05-01"})
    assert put.status_code == 201, put.text
    found = write_client.simulate_get("/api/search", params={"q": "шахматы"}).json
    assert [h["id"] for h in found["hits"]] == ["chess-1"]


def test_fullwidth_latin_is_read_as_latin_and_a_warning_is_said_once(client):
    """A Japanese or Chinese keyboard's `ｖｙｓｔａｖｋｉ` found nothing, and `**********`
    said its warning ten times (a hostile tester's trial)."""
    wide = get(client, "/api/search", {"q": "ｖｙｓｔａｖｋｉ"}).json
    plain = get(client, "/api/search", {"q": "vystavki"}).json
    assert wide["total"] == plain["total"] > 0 and wide["corrected"]
    stars = get(client, "/api/search", {"q": "*" * 10}).json
    assert len(stars["warnings"]) == len(set(stars["warnings"])) == 1, stars["warnings"]
