"""Search hits as a spreadsheet for staff, streamed: CSV for Russian Excel and XLSX.

CSV: UTF-8 with a BOM, `;` between fields (the list separator of a Russian Windows, so
Excel opens it in columns), the XLSX's Russian headers, dates as дд.мм.гггг. XLSX: the
same headers (bold, frozen), real date cells shown as дд.мм.гггг, text never a formula.
Both take an iterator of hits and yield bytes as they go, so an export of every
publication never holds more than a chunk of rows. Shared by the API and the CLI.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from xml.sax.saxutils import escape

from search.models import Hit, SearchRequest

__all__ = ["file_name", "COLUMNS", "HEADERS", "FORMATS", "CONTENT_TYPES", "CSV_DELIMITER", "row",
           "stream", "stream_csv", "stream_xlsx", "to_csv", "to_xlsx", "render"]

_NOT_IN_NAMES = re.compile(r"[^\w\s.,()«»-]+")
NAME_QUERY_CHARS = 80


def file_name(request: SearchRequest, searched: str | None = None, partial: bool = False) -> str:
    """An export's file name without extension: «Картотека — выставки, Вершинина, 2021»:
    the query as searched (`searched`: the correction shown instead of a typo) and the
    filters, so that a librarian's several exports for one report differ by name (all
    had been «Картотека.csv»); «(частичные совпадения)» when nothing matched every word;
    only letters, digits, spaces and plain punctuation, so that no system refuses it."""
    period = " ".join(part for part in (
        f"с {request.date_from:%d.%m.%Y}" if request.date_from else "",
        f"по {request.date_to:%d.%m.%Y}" if request.date_to else "") if part)
    parts = (request.q if searched is None else searched, *request.topics, *request.authors,
             *request.libraries, *map(str, request.years), period)
    cleaned = (" ".join(_NOT_IN_NAMES.sub(" ", part).split()) for part in parts)
    said = ", ".join(part for part in cleaned if part)[:NAME_QUERY_CHARS].strip(" ,")
    name = f"Картотека — {said}" if said else "Картотека"
    return f"{name} (частичные совпадения)" if partial else name


COLUMNS = ["title", "published", "author", "topics", "library", "url", "snippet", "id",
           "parent_id"]
HEADERS = {"title": "Заголовок", "published": "Дата", "author": "Автор", "topics": "Темы",
           "library": "Библиотека", "url": "Адрес", "snippet": "Фрагмент",
           "id": "Идентификатор", "parent_id": "Приложен к публикации (идентификатор)"}
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSV_DELIMITER = ";"
DATE_FORMAT = "%d.%m.%Y"
ROWS_PER_CHUNK = 100  # CSV rows encoded and sent together
_WIDTHS = (60, 12, 24, 30, 30, 40, 80, 24, 24)


def plain(snippet: str) -> str:
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


# A hit's address in the export: its own, or, for a library's post that has none, the
# publication's page on this service when the caller knows its address (the API).
Link = Callable[[Hit], str]


def _own_url(hit: Hit) -> str:
    return hit.url or ""


def row(hit: Hit, link: Link = _own_url) -> list:
    """One hit in COLUMNS order: plain text, the date as a date (or None)."""
    return [hit.title, _date(hit.published), hit.author or "", "; ".join(hit.topics),
            hit.library or "", link(hit), plain(hit.snippet), hit.id, hit.parent_id or ""]


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (OWASP's list: a
    snippet beginning «- Сегодня…» showed as #ИМЯ? in Excel, and a pushed record could
    begin `-2+3+cmd|…`)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_cell(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return _safe(value or "")


def stream_csv(hits: Iterable[Hit], link: Link = _own_url) -> Iterator[bytes]:
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
        writer.writerow([_csv_cell(v) for v in row(hit, link)])
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def stream_xlsx(hits: Iterable[Hit], link: Link = _own_url) -> Iterator[bytes]:
    """The workbook as a zip written on the fly: the sheet's rows are sent as they come.

    openpyxl's write-only mode writes about 25,000 cells a second here, so 100,000
    rows took longer than the worker timeout, and it sends nothing before the end;
    the sheet is plain SpreadsheetML (inline strings, date cells), which Excel,
    LibreOffice and openpyxl read.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in _XLSX_PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD)
            sheet.write(_xlsx_row(1, [HEADERS[c] for c in COLUMNS], style=1))
            for number, hit in enumerate(hits, 2):
                sheet.write(_xlsx_row(number, row(hit, link)))
                if number % ROWS_PER_CHUNK == 0:
                    yield sink.take()
            sheet.write(b"</sheetData></worksheet>")
    yield sink.take()


class _Sink:
    """A write-only stream for zipfile (no seek, so it writes data descriptors)."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


_EPOCH = dt.date(1899, 12, 30).toordinal()  # Excel's day 0 (with its 1900 leap year)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LETTERS = "ABCDEFGHI"


def _xlsx_row(number: int, values: list, style: int = 0) -> bytes:
    cells = []
    shown = f' s="{style}"' if style else ""
    for letter, value in zip(_LETTERS, values, strict=True):
        ref = f"{letter}{number}"
        if isinstance(value, dt.date):
            cells.append(f'<c r="{ref}" s="2"><v>{value.toordinal() - _EPOCH}</v></c>')
        elif value:  # an inline string is text: never run as a formula
            text = escape(_ILLEGAL.sub("", value)[:32767])
            cells.append(f'<c r="{ref}" t="inlineStr"{shown}>'
                         f'<is><t xml:space="preserve">{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


_NS = "http://schemas.openxmlformats.org"
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>'
    + "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
              for n, w in enumerate(_WIDTHS, 1))
    + "</cols><sheetData>").encode()
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Types xmlns="{_NS}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" '
        f'xmlns:r="{_NS}/officeDocument/2006/relationships">'
        '<sheets><sheet name="Картотека" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS}/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (  # 0 default, 1 bold header, 2 date as дд.мм.гггг
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<styleSheet xmlns="{_NS}/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="DD.MM.YYYY"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" '
        'xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}


def stream(hits: Iterable[Hit], fmt: str, link: Link = _own_url) -> Iterator[bytes]:
    """The export of `hits` in `fmt` ("csv" or "xlsx"), as chunks of bytes; `link` gives
    each hit's address (default: its own url)."""
    if fmt == "csv":
        return stream_csv(hits, link)
    if fmt == "xlsx":
        return stream_xlsx(hits, link)
    raise ValueError(f"unknown export format {fmt!r}: use csv or xlsx")


def render(hits: Iterable[Hit], fmt: str) -> bytes:
    """The whole export as bytes (small exports and tests)."""
    return b"".join(stream(hits, fmt))


def to_csv(hits: Iterable[Hit]) -> bytes:
    return render(hits, "csv")


def to_xlsx(hits: Iterable[Hit]) -> bytes:
    return render(hits, "xlsx")
