"""Export for staff: every match as CSV for Russian Excel (`;`, BOM, Russian headers,
дд.мм.гггг) or XLSX, streamed, from the API and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from indexer.cli import main
from search import export
from search.models import Hit

QUERY = "библиотека"


def _all_ids(capsys, index_dir, query: str) -> list[str]:
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "search", query, "--per-page", "100",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] <= 100
    return [h["id"] for h in data["hits"]]


def _csv_rows(data: bytes) -> list[dict]:
    """The rows keyed by COLUMNS, after checking the BOM, the separator and the headers."""
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would garble Cyrillic"
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(export.HEADERS[c] for c in export.COLUMNS)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return [dict(zip(export.COLUMNS, r, strict=True)) for r in rows[1:]]


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_api_csv_has_every_match_with_cyrillic(client, capsys, sample_index_dir):
    resp = client.simulate_get("/api/export", params={"q": QUERY, "format": "csv"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert "kartoteka.csv" in resp.headers["content-disposition"]
    rows = _csv_rows(resp.content)
    assert [r["id"] for r in rows] == _all_ids(capsys, sample_index_dir, QUERY)
    assert len(rows) > 10  # more than one page
    assert all(r["title"] for r in rows)
    assert any(r["url"].startswith("https://library.example.ru/") for r in rows)
    assert any("Библиотек" in r["title"] or "библиотек" in r["snippet"] for r in rows)
    assert not any("<mark>" in r["snippet"] for r in rows)
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4}", r["published"]) for r in rows
               if r["published"])


def test_api_xlsx_opens_with_openpyxl(client):
    resp = client.simulate_get("/api/export", params={"q": QUERY, "format": "xlsx",
                                                      "topic": "Отчёты и итоги"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == export.CONTENT_TYPES["xlsx"]
    rows = _xlsx_rows(resp.content)
    csv_rows = _csv_rows(client.simulate_get(
        "/api/export", params={"q": QUERY, "format": "csv", "topic": "Отчёты и итоги"}).content)
    assert rows[0] == [export.HEADERS[c] for c in export.COLUMNS]
    assert len(rows) - 1 == len(csv_rows) > 0
    titles = [r[0] for r in rows[1:]]
    assert titles == [r["title"] for r in csv_rows]
    assert all("Отчёты" in r[3] for r in rows[1:])


def test_api_rejects_unknown_format(client):
    resp = client.simulate_get("/api/export", params={"q": QUERY, "format": "pdf"})
    assert resp.status_code == 400
    assert "xlsx" in resp.json["description"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_export_to_file(sample_index_dir, tmp_path, capsys, fmt):
    out = tmp_path / f"found.{fmt}"
    assert main(["--index-dir", str(sample_index_dir), "search", QUERY, "--format", fmt,
                 "--output", str(out)]) == 0
    ids = _all_ids(capsys, sample_index_dir, QUERY)
    if fmt == "csv":
        rows = _csv_rows(out.read_bytes())
        assert [r["id"] for r in rows] == ids
    else:
        rows = _xlsx_rows(out.read_bytes())
        assert [r[export.COLUMNS.index("id")] for r in rows[1:]] == ids


def test_cli_csv_to_stdout_and_xlsx_needs_a_file(sample_index_dir, capfdbinary):
    assert main(["--index-dir", str(sample_index_dir), "search", QUERY, "--format",
                 "xlsx"]) == 2
    capfdbinary.readouterr()
    assert main(["--index-dir", str(sample_index_dir), "search", QUERY, "--topic", "Отчёты и итоги",
                 "--format", "csv"]) == 0
    rows = _csv_rows(capfdbinary.readouterr().out)
    assert rows and all("Отчёты" in r["topics"] for r in rows)


def test_cells_never_become_formulas():
    hit = Hit(id="x-1", title="=HYPERLINK(\"http://evil\")", url=None, published="2024-01-01",
              author="+7 999", topics=["Отчёты"], library="-2+3+cmd|' /C calc'!A0",
              snippet="@<mark>SUM</mark>", score=0.0, parent_id="page-1")
    rows = _csv_rows(export.to_csv([hit]))
    assert rows[0]["title"].startswith("'=") and rows[0]["author"] == "'+7 999"
    assert rows[0]["library"].startswith("'-") and rows[0]["snippet"].startswith("'@")
    assert rows[0]["parent_id"] == "page-1"
    sheet = _xlsx_rows(export.to_xlsx([hit]))
    assert sheet[1][0] == '=HYPERLINK("http://evil")'
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export.to_xlsx([hit])))
    assert book.sheetnames == ["Картотека"]
    assert book.active["A2"].data_type == "s"


def test_csv_dates_and_xlsx_date_cells():
    hit = Hit(id="d-1", title="Выставка", url=None, published="2024-03-05", author=None,
              topics=[], library=None, snippet="", score=1.0)
    assert _csv_rows(export.to_csv([hit]))[0]["published"] == "05.03.2024"
    from openpyxl import load_workbook

    cell = load_workbook(io.BytesIO(export.to_xlsx([hit]))).active["B2"]
    assert cell.is_date and cell.number_format == "DD.MM.YYYY"
    assert cell.value.date().isoformat() == "2024-03-05"


# -- streaming over a larger index ---------------------------------------------------
LARGE = 3000


@pytest.fixture(scope="module")
def large_service(tmp_path_factory):
    from conftest import service_over
    from server_helpers import generated_records

    yield from service_over(generated_records(LARGE, "exp"), tmp_path_factory.mktemp("exp"))


def test_export_hits_streams_every_match_in_order(large_service):
    from search.models import SearchRequest

    request = SearchRequest(q="выставка", sort="relevance")
    total = large_service.search(request).total
    assert total > 1000
    hits = large_service.export_hits(request, batch=100)
    first_page = large_service.search(SearchRequest(q="выставка", per_page=100)).hits
    streamed = list(hits)
    assert [h.id for h in streamed[:100]] == [h.id for h in first_page]
    assert len(streamed) == len({h.id for h in streamed}) == total
    tail = [h.score for h in streamed[100:]]
    assert tail == sorted(tail, reverse=True)
    by_date = list(large_service.export_hits(SearchRequest(q="", sort="date_asc")))
    dates = [h.published for h in by_date]
    assert len(by_date) == LARGE and dates == sorted(dates)


def test_api_export_is_a_stream_with_flat_memory(large_service):
    """The response body is a generator: rows are read and sent a chunk at a time."""
    import tracemalloc

    from falcon import testing

    from api.app import create_app

    client = testing.TestClient(create_app(large_service.settings, large_service))
    for fmt in ("csv", "xlsx"):
        result = client.simulate_get("/api/export", params={"format": fmt, "q": ""})
        assert result.status_code == 200
    app = create_app(large_service.settings, large_service)
    environ = testing.create_environ("/api/export", query_string="format=csv")
    headers = {}
    body = app(environ, lambda status, h: headers.update(h))
    assert not isinstance(body, list | bytes)  # not one buffer: an iterator of chunks
    chunks = iter(body)
    first = next(chunks)
    assert first.startswith("\ufeffЗаголовок;Дата;".encode())
    tracemalloc.start()
    size, rows = len(first), 0
    for n, chunk in enumerate(chunks):
        size += len(chunk)
        rows += chunk.count(b"\r\n")
        if n == 5:
            early = tracemalloc.get_traced_memory()[0]
    late, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert rows == LARGE
    # Nothing is kept per row (memory after 3,000 rows is what it was after 600), and the
    # peak is a few chunks, not the whole file (~1.3 MB).
    assert late - early < 64 * 1024, (early, late)
    assert peak < size / 2, (peak, size)


def test_xlsx_is_sent_as_it_is_written(large_service):
    from falcon import testing

    from api.app import create_app

    app = create_app(large_service.settings, large_service)
    environ = testing.create_environ("/api/export", query_string="format=xlsx")
    chunks = iter(app(environ, lambda status, headers: None))
    first = next(chunks)
    assert first.startswith(b"PK")  # the zip starts before the rows are all read
    rest = list(chunks)
    assert len(rest) >= LARGE // export.ROWS_PER_CHUNK - 1
    rows = _xlsx_rows(first + b"".join(rest))
    assert len(rows) == LARGE + 1 and rows[0] == [export.HEADERS[c] for c in export.COLUMNS]


@pytest.mark.parametrize("filters", [{"topics": ("выставка",)},
                                     {"authors": ("вершинина",)}])
def test_an_export_of_a_filter_value_read_as_another_has_every_match(service, monkeypatch,
                                                                       filters):
    """`topic=выставка` is read as «Выставки»; past its first page, an export streamed
    the rest with the value as typed, which no publication has, and stopped there."""
    import search.searcher
    from search.models import SearchRequest

    monkeypatch.setattr(search.searcher, "RESPONSE_CACHE_MAX_HITS", 2)  # a short head
    total = service.search(SearchRequest(**filters)).total
    rows = list(service.export_hits(SearchRequest(**filters), batch=3))
    assert total > 2 and len(rows) == len({h.id for h in rows}) == total
