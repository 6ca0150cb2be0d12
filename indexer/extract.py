"""A raw page (text or HTML bytes) to a Publication."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from indexer.decode import decode_bytes
from indexer.html_page import parse_html_page
from indexer.text_page import PageParts, parse_text_page
from search.errors import ExtractError
from search.models import FILE_ID_KINDS, Publication

__all__ = ["publication_from_page", "extract_parts", "looks_like_html", "file_id", "PAGE", "DOC"]

PAGE, DOC = FILE_ID_KINDS  # a page's id and a document's begin so

_HTML_HINT = re.compile(r"<(?:html|body|div|p|article|head|meta|section)\b", re.IGNORECASE)
# A sentence's end: a mark, then a space or the end; not after an initial («М.») or an
# abbreviation a library's text puts inside a sentence («им.», «г.», «ул.»)
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
_NOT_AN_END = re.compile(r"(?:^|[\s(«\"])(?:[А-ЯЁA-Z]|им|г|гг|ул|пр|пер|д|св|ст|тыс|млн|"
                         r"руб|коп|т|е|др|пос|с|р|обл|ок|вв|в|н|э)\.$")
MIN_BODY_CHARS = 40


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text[:5000]))


def extract_parts(data: bytes, name: str = "") -> PageParts:
    text = decode_bytes(data, name)
    url = name if name.startswith(("http://", "https://")) else None
    parts = parse_html_page(text, url) if looks_like_html(text) else parse_text_page(text)
    if len(parts.body) < MIN_BODY_CHARS:
        raise ExtractError("текст публикации не найден")
    if not parts.title:
        parts.title = first_sentence(parts.body.split("\n", 1)[0])
    return parts


def first_sentence(line: str, shortest: int = 20, longest: int = 160) -> str:
    """The first sentence of `line` as a title (at most `longest` characters, else its
    first 120)."""
    for match in _SENTENCE_END.finditer(line, shortest - 1):
        end = match.end()
        if end > longest:
            break
        if match.group() == "." and _NOT_AN_END.search(line[max(0, end - 8):end]):
            continue
        return line[:end].strip()
    return line[:120].strip()


def publication_from_page(data: bytes, path: Path, url: str | None = None,
                          pid: str | None = None) -> Publication:
    """Extract a page; its id is `pid`, else the URL's hash when given a URL, else made of
    the file's name."""
    parts = extract_parts(data, str(path))
    pid = pid or _page_id(path, url)
    return Publication(id=pid, title=parts.title, text=parts.body, url=url,
                       published=parts.date, author=parts.author,
                       author_position=parts.author_position,
                       photographer=parts.photographer, source=str(path))


def _page_id(path: Path, url: str | None) -> str:
    if url:
        return "url-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
    return file_id(PAGE, path.name)


def file_id(kind: str, name: str) -> str:
    """The id of a file's publication from its name under the directory indexed:
    `page-index.html`, and `page-2024~01~index.html` for `2024/01/index.html` (each
    folder's `index.html` its own publication). Over 200 characters, the name's end and
    a hash of the whole."""
    parts = [re.sub(r"[^\w.-]+", "-", part).strip("-") for part in name.split("/")]
    pid = f"{kind}-" + ("~".join(p for p in parts if p) or kind)
    if len(pid) > 200:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
        pid = f"{kind}-{digest}~{pid[-(200 - len(kind) - 15):]}"
    return pid
