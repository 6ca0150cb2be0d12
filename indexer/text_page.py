"""Scraped page text (one line per block) to its parts: title, body, date, people.

The body is the longest run of long lines (6+ words), stopping at the markers of
the comment form, share buttons and the `Автор:`/`Фото:` lines. On an HTML page, the
short paragraphs next to it in the same element («Вход свободный.», «Ждём вас!», a last
«Источник: …») join it; a site's menu, counter, copyright and phone lines do not.
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
    r"Читайте также|Читать также|Смотрите также|Метки:|Теги:|Рубрики:|Я согласен|"
    r"Навигация по записям|Предыдущая запись|"
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


def parts_from_lines(lines: list[str], title: str = "", date=None,
                     groups: list | None = None) -> PageParts:
    """Shared by text and HTML pages: everything but the title from block lines. `groups`
    (HTML) names the element around each line's paragraph: short paragraphs next to the
    body in an element that holds body lines join it."""
    parts = PageParts(title=title, date=date)
    start = 0
    if title:
        heading = _comparable(title)
        repeats = [i for i, line in enumerate(lines) if _comparable(line) == heading]
        start = repeats[-1] + 1 if repeats else 0
    first, last = _body_run(lines, start)
    head, tail = _short_neighbours(lines, groups, first, last) if groups else (first, last)
    parts.body = "\n".join(line for line in lines[head:tail + 1] if line)
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


# Short lines of a site, not of a post: its menu, counters, copyright, bare phone numbers
_SITE_LINE = re.compile(
    r"^(?:Главная|Контакты|Новости|О нас|О библиотеке|Карта сайта|Наверх|Назад|Вверх|"
    r"Версия для слабовидящих|Поиск|Меню)\W*$|просмотр|©|\(c\)\s*\d|все права|"
    r"^\W*(?:тел(?:ефон)?\.?\s*:?\s*)?\+?[\d\s()\-–]{7,}\W*$", re.IGNORECASE)
_SOURCE = re.compile(r"^Источник\s*:", re.IGNORECASE)
MAX_SHORT = 3  # short paragraphs joined on each side of the body, at most


def _joins(line: str) -> bool:
    """A short paragraph that may join the body: no name, date, menu or site line."""
    return bool(line) and not (
        _STOP.match(line) or _MENU.match(line) or _AUTHOR.match(line) or _PHOTO.match(line)
        or DATE_LINE.match(line) or _DATED.match(line) or _BY.match(line)
        or _SITE_LINE.search(line) or parse_signature(line) is not None)


def _short_neighbours(lines: list[str], groups: list, first: int, last: int) -> tuple[int, int]:
    """The body's [first, last] widened by the short paragraphs next to it (and a last
    «Источник: …» line) that stand in an element holding its lines."""
    if last < first:
        return first, last
    inside = {groups[i] for i in range(first, last + 1) if lines[i]} - {None}
    head = first
    while (head > 0 and first - head < MAX_SHORT and groups[head - 1] in inside
           and _joins(lines[head - 1])):
        head -= 1
    tail = last
    while tail + 1 < len(lines) and tail - last < MAX_SHORT and groups[tail + 1] in inside:
        if _SOURCE.match(lines[tail + 1]):
            return head, tail + 1
        if not _joins(lines[tail + 1]):
            break
        tail += 1
    return head, tail


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
    names = [parse_signature(line) for line in lines[-4:]]
    if sum(signed is not None for signed in names) >= 2:
        return None  # a list of people (the fallen of a village), not a signature
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
