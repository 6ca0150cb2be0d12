"""PDF, DOCX and ODT documents (report attachments) to Publications.

pypdf reads PDF text layers, python-docx Word files, odfpy OpenDocument text. A PDF
without a text layer (a scan) raises ExtractError("нет текстового слоя ...") so the caller
reports it instead of indexing an empty document.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from search.errors import ExtractError
from search.models import Publication

__all__ = ["DOCUMENT_SUFFIXES", "sniff_document", "extract_document", "publication_from_document",
           "DocumentText"]

DOCUMENT_SUFFIXES = {".pdf", ".docx", ".odt"}
MIN_TEXT_CHARS = 20


@dataclass
class DocumentText:
    text: str
    title: str | None = None
    date: dt.date | None = None
    author: str | None = None


def sniff_document(data: bytes) -> str | None:
    """'pdf', 'docx', 'odt' or None, from the bytes (not the name)."""
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").strip() == \
                    b"application/vnd.oasis.opendocument.text":
                return "odt"
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def extract_document(data: bytes, name: str = "") -> DocumentText:
    kind = sniff_document(data)
    try:
        if kind == "pdf":
            doc = _pdf(data)
        elif kind == "docx":
            doc = _docx(data)
        elif kind == "odt":
            doc = _odt(data)
        else:
            raise ExtractError(f"{name}: не документ PDF, DOCX или ODT")
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on a broken file
        raise ExtractError(f"{name}: документ {kind.upper()} не читается "
                           f"({type(exc).__name__})") from None
    doc.text = _clean(doc.text)
    if len(doc.text) < MIN_TEXT_CHARS:
        if kind == "pdf":
            raise ExtractError(f"{name}: нет текстового слоя (отсканированный PDF?)")
        raise ExtractError(f"{name}: в документе нет текста")
    return doc


def publication_from_document(data: bytes, pid: str, *, name: str, url: str | None = None,
                              parent_id: str | None = None, parent_date: dt.date | None = None,
                              source: str = "") -> Publication:
    """A document as a Publication: metadata title (or its first line when that reads as
    a heading, else the file name), metadata date (or the parent's), metadata author
    unless it is a program's or a template's, linked to its parent publication."""
    doc = extract_document(data, name)
    title = (doc.title or "").strip() or _heading(doc.text) or _file_title(url or name)
    author = doc.author if doc.author and not _GENERIC_AUTHOR.match(doc.author.strip()) else None
    return Publication(id=pid, title=title, text=doc.text, url=url,
                       published=doc.date or parent_date, author=author,
                       source=source or name, parent_id=parent_id)


# Who a document's properties name when nobody set them: the program that wrote it, or
# the template's owner (a library's .docx had `python-docx` in the author filter).
_GENERIC_AUTHOR = re.compile(
    r"(?i)^(?:python-docx|microsoft(?: office)? user|windows user|user|admin(?:istrator)?|"
    r"пользователь(?: windows)?|администратор|автор|author|unknown|owner|\d+|"
    r"(?:microsoft|libreoffice|openoffice|adobe|acrobat|itext|pdf|word|excel|writer)\b.*)$")


def _heading(text: str) -> str | None:
    """The document's first line, when it reads as its heading: short, not a sentence's
    end, not a form's stock line (`УТВЕРЖДАЮ`, `Приложение № 1`)."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if not (3 <= len(first) <= 150 and any(c.isalpha() for c in first)):
        return None
    return None if first.endswith((".", ",", ":", ";")) or _STOCK_LINE.match(first) else first


_STOCK_LINE = re.compile(r"(?i)^(?:утверждаю|утверждено|согласовано|приложение|принято|"
                         r"рассмотрено|министерство|муниципальное|государственное)\b")


def _file_title(where: str) -> str:
    path = urlsplit(where).path if "://" in where else where
    stem = PurePosixPath(unquote(path)).stem
    return re.sub(r"[_\s]+", " ", stem).strip() or "document"


def _clean(text: str) -> str:
    text = text.replace("\x00", "").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out = "\n".join(line for line in lines if line)
    return out.strip()


def _pdf(data: bytes) -> DocumentText:
    from pypdf import PdfReader

    # pypdf logs what it repairs ("EOF marker not found") as warnings: a cron run with
    # --quiet should print only what was skipped, which ExtractError reports.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:  # noqa: BLE001
            raise ExtractError("зашифрованный PDF") from None
    text = "\n".join((page.extract_text() or "") for page in reader.pages)
    meta = reader.metadata or {}
    date = None
    try:
        created = meta.creation_date if hasattr(meta, "creation_date") else None
        date = created.date() if created else None
    except Exception:  # noqa: BLE001 - malformed date strings are common
        date = None
    return DocumentText(text=text, title=_str(meta.get("/Title")), date=date,
                        author=_str(meta.get("/Author")))


def _docx(data: bytes) -> DocumentText:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    props = document.core_properties
    date = props.created.date() if props.created else None
    return DocumentText(text="\n".join(parts), title=props.title or None, date=date,
                        author=props.author or None)


def _odt(data: bytes) -> DocumentText:
    from odf import dc, meta, teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    document = load(io.BytesIO(data))
    ordered = []  # paragraphs and headings in document order
    for node in _walk(document.text):
        if node.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
            ordered.append(teletype.extractText(node))
    title = _first_text(document.meta, dc.Title)
    created = _first_text(document.meta, meta.CreationDate) or _first_text(document.meta,
                                                                             dc.Date)
    date = None
    if created:
        try:
            date = dt.date.fromisoformat(created[:10])
        except ValueError:
            date = None
    return DocumentText(text="\n".join(ordered), title=title, date=date,
                        author=_first_text(document.meta, dc.Creator))


def _walk(node):
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            yield child
            if child.qname[1] not in ("p", "h"):  # text:span etc. are read with their paragraph
                yield from _walk(child)


def _first_text(parent, element) -> str | None:
    from odf import teletype

    found = parent.getElementsByType(element)
    return teletype.extractText(found[0]).strip() or None if found else None


def _str(value) -> str | None:
    return str(value).strip() or None if value else None
