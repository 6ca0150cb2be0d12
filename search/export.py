"""Search hits as a spreadsheet for staff, streamed: CSV for Russian Excel and XLSX.

CSV: UTF-8 with a BOM, `;` between fields (the list separator of a Russian Windows, so
Excel opens it in columns), the XLSX's Russian headers, dates as дд.мм.гггг. XLSX:
openpyxl's write-only mode (rows go to a temporary file as they come), real date cells
shown as дд.мм.гггг. Both take an iterator of hits and yield bytes, so an export of
every publication never holds more than a batch of rows. Shared by the API and the CLI.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import tempfile
from collections.abc import Iterable, Iterator

from search.models import Hit

__all__ = ["COLUMNS", "HEADERS", "FORMATS", "CONTENT_TYPES", "CSV_DELIMITER", "row",
           "stream", "stream_csv", "stream_xlsx", "to_csv", "to_xlsx", "render"]

COLUMNS = ["title", "published", "author", "topics", "library", "url", "snippet", "id",
           "parent_id"]
HEADERS = {"title": "Заголовок", "published": "Дата", "author": "Автор", "topics": "Темы",
           "library": "Библиотека", "url": "Адрес", "snippet": "Фрагмент",
           "id": "Идентификатор", "parent_id": "Вложение в"}
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSV_DELIMITER = ";"
DATE_FORMAT = "%d.%m.%Y"
ROWS_PER_CHUNK = 100  # CSV rows encoded and sent together
CHUNK_BYTES = 64 * 1024
_WIDTHS = (60, 12, 24, 30, 30, 40, 80, 24, 24)


def plain(snippet: str) -> str:
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def row(hit: Hit) -> list:
    """One hit in COLUMNS order: plain text, the date as a date (or None)."""
    return [hit.title, _date(hit.published), hit.author or "", "; ".join(hit.topics),
            hit.library or "", hit.url or "", plain(hit.snippet), hit.id, hit.parent_id or ""]


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "@", "\t", "\r") else value


def _csv_cell(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return _safe(value or "")


def stream_csv(hits: Iterable[Hit]) -> Iterator[bytes]:
    """BOM and header first, then the rows a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([HEADERS[c] for c in COLUMNS])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    pending = 0
    for hit in hits:
        if pending == 0:
            buffer.seek(0)
            buffer.truncate()
        writer.writerow([_csv_cell(v) for v in row(hit)])
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def stream_xlsx(hits: Iterable[Hit]) -> Iterator[bytes]:
    """The workbook, written row by row to a temporary file, then sent in chunks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Kartoteka")
    for letter, width in zip("ABCDEFGHI", _WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=HEADERS[name])
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for hit in hits:
        sheet.append([_xlsx_cell(sheet, value, WriteOnlyCell) for value in row(hit)])
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK_BYTES):
            yield chunk


def _xlsx_cell(sheet, value, cell_type):
    if isinstance(value, dt.date):
        cell = cell_type(sheet, value=value)
        cell.number_format = "DD.MM.YYYY"
        return cell
    value = _xml_safe(value or "")
    if value[:1] == "=":  # text, never a formula
        cell = cell_type(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _xml_safe(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def stream(hits: Iterable[Hit], fmt: str) -> Iterator[bytes]:
    """The export of `hits` in `fmt` ("csv" or "xlsx"), as chunks of bytes."""
    if fmt == "csv":
        return stream_csv(hits)
    if fmt == "xlsx":
        return stream_xlsx(hits)
    raise ValueError(f"unknown export format {fmt!r}: use csv or xlsx")


def render(hits: Iterable[Hit], fmt: str) -> bytes:
    """The whole export as bytes (small exports and tests)."""
    return b"".join(stream(hits, fmt))


def to_csv(hits: Iterable[Hit]) -> bytes:
    return render(hits, "csv")


def to_xlsx(hits: Iterable[Hit]) -> bytes:
    return render(hits, "xlsx")
