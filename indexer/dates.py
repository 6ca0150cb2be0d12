"""Publication dates in Russian page text: `14.11.2024`, `2024-11-14`, `12 ноября 2024 г.`."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["find_date", "parse_date_text", "MONTHS", "DATE_LINE"]

MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7,
    "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
_MONTH_RE = r"(январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]|октябр[яь]|ноябр[яь]|декабр[яь])"
_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda m: (int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), lambda m: (int(m[3]), int(m[2]), int(m[1]))),
    (re.compile(rf"\b(\d{{1,2}})\s+{_MONTH_RE}\s+(\d{{4}})", re.IGNORECASE),
     lambda m: (int(m[3]), _month(m[2]), int(m[1]))),
    (re.compile(r"^(янв|фев|мар|апр|май|июн|июл|авг|сен|окт|ноя|дек)[а-я]*\.?\s+(\d{1,2}),?\s+(\d{4})",
                re.IGNORECASE), lambda m: (int(m[3]), _month(m[1]), int(m[2]))),
]
DATE_LINE = re.compile(
    r"^(?:\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}|"
    r"(?:янв|фев|мар|апр|май|июн|июл|авг|сен|окт|ноя|дек)[а-я]*\.?\s+\d{1,2},?\s+\d{4})",
    re.IGNORECASE)


def _month(word: str) -> int:
    word = word.lower()
    if word.startswith("май"):
        return 5
    for number, abbr in enumerate(("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг",
                                   "сен", "окт", "ноя", "дек"), 1):
        if word.startswith(abbr):
            return number
    for stem, number in sorted(MONTHS.items(), key=lambda kv: -len(kv[0])):
        if word.startswith(stem):
            return number
    raise ValueError(word)


def parse_date_text(text: str) -> dt.date | None:
    """The first full date written in `text`, or None."""
    for pattern, parts in _PATTERNS:
        for m in pattern.finditer(text):
            try:
                return dt.date(*parts(m))
            except ValueError:
                continue
    return None


def find_date(lines: list[str], max_words: int = 8) -> dt.date | None:
    """A date from short date-like lines first, then dateparser on them (`Мар 1, 2021`)."""
    short = [line for line in lines
             if 0 < len(line.split()) <= max_words or DATE_LINE.match(line)]
    for line in short:
        found = parse_date_text(line)
        if found:
            return found
    candidates = [line for line in short if re.search(r"\d{4}", line)]
    if not candidates:
        return None
    import dateparser

    for line in candidates:
        parsed = dateparser.parse(line, languages=["ru", "en"],
                                  settings={"PREFER_DATES_FROM": "past", "STRICT_PARSING": False})
        if parsed and 1990 <= parsed.year <= dt.date.today().year + 1:
            return parsed.date()
    return None
