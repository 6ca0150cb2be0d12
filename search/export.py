"""Search hits as a spreadsheet for staff: rows, CSV bytes (UTF-8 with BOM, so Excel
reads Cyrillic) and XLSX bytes (openpyxl). Shared by the API and the CLI."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable

from search.models import Hit

__all__ = ["COLUMNS", "FORMATS", "CONTENT_TYPES", "rows", "to_csv", "to_xlsx", "render"]

COLUMNS = ["title", "published", "author", "topics", "library", "url", "snippet", "id",
           "parent_id"]
HEADERS = {"title": "Заголовок", "published": "Дата", "author": "Автор", "topics": "Темы",
           "library": "Библиотека", "url": "Адрес", "snippet": "Фрагмент", "id": "id",
           "parent_id": "Вложение в"}
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def plain(snippet: str) -> str:
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


def rows(hits: Iterable[Hit]) -> list[list[str]]:
    """One row per hit, in COLUMNS order; plain text everywhere."""
    return [[hit.title, hit.published or "", hit.author or "", "; ".join(hit.topics),
             hit.library or "", hit.url or "", plain(hit.snippet), hit.id,
             hit.parent_id or ""] for hit in hits]


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "@", "\t", "\r") else value


def to_csv(hits: Iterable[Hit]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([_safe(v) for v in row] for row in rows(hits))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(hits: Iterable[Hit]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Kartoteka"
    sheet.append([HEADERS[c] for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows(hits), 2):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(row=r, column=c)
            cell.value = _xml_safe(value)
            cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with
    for letter, width in zip("ABCDEFGHI", (60, 12, 24, 30, 30, 40, 80, 24, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xml_safe(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def render(hits: Iterable[Hit], fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(hits)
    if fmt == "xlsx":
        return to_xlsx(hits)
    raise ValueError(f"unknown export format {fmt!r}: use csv or xlsx")
