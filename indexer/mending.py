"""A corpus record made indexable where a part of it is not, instead of skipped whole.

A JSONL line read by indexer/sources.py may hold what JSON can carry but nothing can
serve: a lone surrogate (`\\ud800`, which no UTF-8 output can write), a date written
otherwise or not at all plausible, a `javascript:` link. Each is mended or dropped here,
and what was done is said, for the reindex's warnings.
"""

from __future__ import annotations

import re
import reprlib

from indexer.dates import parse_date_text
from indexer.page_code import without_code
from search.errors import InvalidRecord
from search.record_fields import YEARS, is_link, parse_iso_date
from search.record_input import FIELD_LIMITS, MAX_TOPIC_LENGTH, MAX_TOPICS

__all__ = ["mended"]

# A scraper that joined a site to an address already whole:
# `https://russian.rt.comhttps://russian.rt.com/news/…` (171 records of the real corpus).
_DOUBLED_SITE = re.compile(r"https?://[^/?#\s]*?(https?://\S+)", re.IGNORECASE)
# Lone surrogates: JSON escapes them (`\ud800`) though no text can hold them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def mended(record, raw: bytes):
    """A corpus record made indexable where a part of it is not, and what was changed
    (None when nothing): characters JSON can escape but no text can hold (a lone
    surrogate, `\\ud800`) replaced, an unreadable or implausible date dropped, an address
    with its site written twice mended, a link no page may follow (`javascript:`)
    dropped, lines of page code a scraper left in the text (indexer/page_code.py) left
    out, names and topics cut to what a PUT takes."""
    if not isinstance(record, dict):
        return record, None
    problems = []
    if b"\\u" in raw and _has_surrogates(record):
        record = _without_surrogates(record)
        problems.append("испорченные символы (одиночные суррогаты) заменены на \ufffd")
    record, problem = _readable_date(record)
    problems += [problem] if problem else []
    for key in ("text", "body"):
        value = record.get(key)
        if isinstance(value, str):
            text, lines = without_code(value)
            if lines:
                record = {**record, key: text}
                problems.append(f"из текста убраны строки кода страницы (скрипты, стили): "
                                f"{lines}")
    record, cut = _within_limits(record)
    problems += cut
    url = record.get("url")
    whole = url.strip() if isinstance(url, str) else ""
    while doubled := _DOUBLED_SITE.fullmatch(whole):  # twice, or more
        whole = doubled.group(1)
    if whole != (url.strip() if isinstance(url, str) else "") and is_link(whole):
        record = {**record, "url": whole}
        # their beginnings, the site twice and once (shortened in the middle, both had
        # read 'https://russ...iya-hokkei-oi': a librarian's trial)
        site = len(url.strip()) - len(whole)
        problems.append(f"в адресе {_beginning(url.strip(), 2 * site + 12)} сайт записан "
                        f"дважды; проиндексирован как {_beginning(whole, site + 12)}")
    elif isinstance(url, str) and url.strip() and not is_link(url):
        record = {**record, "url": None}
        problems.append(f"url {reprlib.repr(url)} — не адрес http(s) и не путь на сайте; "
                        "проиндексировано без него")
    return record, "; ".join(problems) or None


def _within_limits(record: dict) -> tuple[dict, list[str]]:
    """The record with its names and topics within what a PUT takes (FIELD_LIMITS,
    MAX_TOPICS): an export's author of 100,000 characters had come back on every hit
    (a hostile tester's trial). Cut, and said."""
    said = []
    for name in _NAMES:
        limit, value = FIELD_LIMITS[name], record.get(name)
        if isinstance(value, str) and len(value) > limit:
            record = {**record, name: value[:limit - 1].rstrip() + "…"}
            said.append(f"{name} длиннее {limit} символов: сокращено")
    topics = record.get("topics")
    if not isinstance(topics, list):
        return record, said
    kept = [t[:MAX_TOPIC_LENGTH] if isinstance(t, str) else t for t in topics[:MAX_TOPICS]]
    if len(topics) > MAX_TOPICS:
        said.append(f"topics: оставлены первые {MAX_TOPICS} тем из {len(topics)}")
    if kept != topics[:MAX_TOPICS]:
        said.append(f"topics: темы длиннее {MAX_TOPIC_LENGTH} символов сокращены")
    return ({**record, "topics": kept} if kept != topics else record), said


# What is cut to FIELD_LIMITS (an address or a parent id cut would be another's: those a
# PUT refuses are left to the record's own checks)
_NAMES = ("title", "author", "author_position", "photographer", "library")


def _beginning(value: str, limit: int) -> str:
    """`value` quoted, its first `limit` characters and «…» when it is longer."""
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


def _has_surrogates(value) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(map(_has_surrogates, value.values()))
    if isinstance(value, list):
        return any(map(_has_surrogates, value))
    return False


def _without_surrogates(value):
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


def _readable_date(record: dict):
    """The record with its date as YYYY-MM-DD when it is written otherwise (`31.12.2024`,
    `12 ноября 2024 г.`), or without it when it cannot be read or its year is not
    plausible: (record, what was dropped).
    """
    key = "date" if "date" in record else "published"  # as Publication.from_dict reads it
    value = record.get(key)
    try:
        parse_iso_date(value)
        return record, None
    except InvalidRecord:
        found = parse_date_text(value) if isinstance(value, str) else None
    if found is not None and found.year in YEARS:
        return {**record, key: found.isoformat()}, None
    return {**record, key: None}, (f"дата {reprlib.repr(value)} не распознана (или год не "
                                   f"от {YEARS[0]} до {YEARS[-1]}); "
                                   "проиндексировано без даты")
