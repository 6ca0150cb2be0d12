"""Export for staff: every match as CSV (UTF-8 with BOM) or XLSX, from the API and the CLI."""

from __future__ import annotations

import csv
import io
import json

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
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would garble Cyrillic"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


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
    assert list(rows[0]) == export.COLUMNS
    assert [r["id"] for r in rows] == _all_ids(capsys, sample_index_dir, QUERY)
    assert len(rows) > 10  # more than one page
    assert all(r["title"] for r in rows)
    assert any(r["url"].startswith("https://library.example.ru/") for r in rows)
    assert any("Библиотек" in r["title"] or "библиотек" in r["snippet"] for r in rows)
    assert not any("<mark>" in r["snippet"] for r in rows)


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
              author="+7 999", topics=["Отчёты"], library=None, snippet="@<mark>SUM</mark>",
              score=0.0, parent_id="page-1")
    rows = _csv_rows(export.to_csv([hit]))
    assert rows[0]["title"].startswith("'=") and rows[0]["author"] == "'+7 999"
    assert rows[0]["parent_id"] == "page-1"
    sheet = _xlsx_rows(export.to_xlsx([hit]))
    assert sheet[1][0] == '=HYPERLINK("http://evil")'
    from openpyxl import load_workbook

    cell = load_workbook(io.BytesIO(export.to_xlsx([hit]))).active["A2"]
    assert cell.data_type == "s"
