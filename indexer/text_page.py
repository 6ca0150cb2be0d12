"""Scraped page text (one line per block) to its parts: title, body, date, people.

The body is the longest run of long lines (6+ words), stopping at the markers of
the comment form, share buttons and the `Автор:`/`Фото:` lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.dates import DATE_LINE, find_date, parse_date_text
from indexer.people import parse_signature, split_person

__all__ = ["PageParts", "split_lines", "parse_text_page", "parts_from_lines"]

_MENU = re.compile(r"^\s*(?:[•·▪●*]|\+\d+$|\d+$)")
_STOP = re.compile(
    r"^(?:Добавить комментарий|Оставить комментарий|Комментарии|Поделиться|Похожие записи|"
    r"Читайте также|Метки:|Теги:|Рубрики:|Я согласен|Навигация по записям|Предыдущая запись|"
    r"Следующая запись|Опубликовано в|Источник:)", re.IGNORECASE)
_AUTHOR = re.compile(r"^\s*(?:Автор(?:\s+текста)?|Текст|(?:Материал\s+)?подготовил[аи]?|"
                     r"Записал[аи]?)\s*[:：]\s*(.+)$", re.IGNORECASE)
_PHOTO = re.compile(r"^\s*Фото(?:графии)?\s*[:：]\s*(.+)$", re.IGNORECASE)
_DATED = re.compile(r"^\s*(?:Дата(?:\s+(?:публикации|размещения|создания))?|Опубликовано|"
                    r"Размещено|Добавлено|Создано)\s*[:：]?\s*\d", re.IGNORECASE)
_BY = re.compile(r"^от\s+(.{3,60})$")
_SITE_SUFFIX = re.compile(r"\s+[-–—|]\s+[^-–—|]{2,60}$")
MIN_WORDS = 6


@dataclass
class PageParts:
    title: str = ""
    body: str = ""
    date: object = None
    author: str | None = None
    author_position: str | None = None
    photographer: str | None = None


def split_lines(text: str) -> list[str]:
    return [" ".join(line.replace("\u00a0", " ").split()) for line in text.splitlines()]


def _is_long(line: str) -> bool:
    return (len(line.split()) >= MIN_WORDS and not _AUTHOR.match(line)
            and not _PHOTO.match(line) and not DATE_LINE.match(line) and not _DATED.match(line)
            and parse_signature(line) is None)


def _title(lines: list[str]) -> tuple[str, int]:
    for i, line in enumerate(lines):
        if not line or _MENU.match(line):
            continue
        if i == 0 and _SITE_SUFFIX.search(line):
            return _SITE_SUFFIX.sub("", line), i
        if len(line.split()) >= 2 or i > 0:
            return line, i
    return "", 0


def _body_run(lines: list[str], start: int) -> tuple[int, int]:
    """[first, last] line indexes of the longest run of long lines after `start`."""
    best, best_words = (start, start - 1), 0
    i = start
    while i < len(lines):
        if not _is_long(lines[i]):
            i += 1
            continue
        first = last = i
        words = 0
        j = i
        while j < len(lines) and not _STOP.match(lines[j]):
            if _is_long(lines[j]):
                last, words = j, words + len(lines[j].split())
            elif lines[j] and not _next_is_long(lines, j):
                break
            j += 1
        if words > best_words:
            best, best_words = (first, last), words
        i = max(j, i + 1)
    return best


def _next_is_long(lines: list[str], j: int) -> bool:
    for k in range(j + 1, min(len(lines), j + 4)):
        if lines[k]:
            return _is_long(lines[k]) and not _STOP.match(lines[k])
    return False


_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")


def _comparable(line: str) -> str:
    """A title as the page's heading repeats it, whatever its dashes and spaces: the
    `<title>` says `объекты - качественно`, the heading `объекты — качественно`."""
    return " ".join(_DASHES.sub("-", line).split()).casefold()


def parts_from_lines(lines: list[str], title: str = "", date=None) -> PageParts:
    """Shared by text and HTML pages: everything but the title from block lines."""
    parts = PageParts(title=title, date=date)
    start = 0
    if title:
        heading = _comparable(title)
        repeats = [i for i, line in enumerate(lines) if _comparable(line) == heading]
        start = repeats[-1] + 1 if repeats else 0
    first, last = _body_run(lines, start)
    parts.body = "\n".join(line for line in lines[first:last + 1] if line)
    for line in lines[start:]:
        if (m := _AUTHOR.match(line)) and parts.author is None:
            parts.author, parts.author_position = split_person(m.group(1))
        elif (m := _PHOTO.match(line)) and parts.photographer is None:
            parts.photographer = split_person(m.group(1))[0]
    if parts.author is None:
        parts.author = _signature_or_byline(lines, start, first, last, parts)
    if parts.date is None:
        parts.date = find_date(lines[start:first] or lines[:first]) or find_date(lines[:start])
    if parts.date is None:  # «Дата публикации: 7 мая 2024 г.» under the text
        parts.date = next((found for line in lines if _DATED.match(line)
                           and (found := parse_date_text(line))), None)
    return parts


def _signature_or_byline(lines, start, first, last, parts: PageParts) -> str | None:
    for line in lines[last + 1:last + 6]:
        signed = parse_signature(line)
        if signed:
            parts.author_position = signed[1] or _following(lines, line)
            return signed[0]
    for line in lines[start:first]:
        if m := _BY.match(line):
            return m.group(1).strip()
    return None


def _following(lines: list[str], line: str) -> str | None:
    i = lines.index(line)
    for nxt in lines[i + 1:i + 3]:
        if nxt and len(nxt.split()) <= 8 and not _STOP.match(nxt) and "тел" not in nxt.lower():
            return nxt.strip(" ,.")
    return None


def closing_signature(text: str) -> tuple[str, str | None] | None:
    """The signature a record's text ends with, as a page's is read: `Алексей МИШИН`
    alone on one of the last three lines (its position after a comma or on the next
    line). An export's record with its author only in the text was not found by the
    signer's name."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i in range(max(1, len(lines) - 3), len(lines)):  # never the text's only line
        signed = parse_signature(lines[i])
        if signed:
            return signed[0], signed[1] or _following(lines, lines[i])
    return None


def parse_text_page(text: str) -> PageParts:
    lines = split_lines(text)
    title, index = _title(lines)
    parts = parts_from_lines(lines[index + 1:], title=title)
    parts.title = title
    return parts
