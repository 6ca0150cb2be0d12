"""A record's field values as a Publication holds them: its id, text without the
characters no page shows, a link a page may follow, a date as libraries write one.

The indexer's sources and the API's PUT bodies both go through these (search/models.py
Publication.from_dict), so a value means the same wherever it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from search.errors import InvalidRecord

__all__ = ["validate_id", "is_link", "YEARS", "record_id", "json_type", "parse_iso_date",
           "clean_text", "clean_name", "far_future", "FUTURE_DAYS", "FUTURE_MARK"]

_ID_RE = re.compile(r"^[\w.:~@+=-]{1,200}$")
# A publication's year: four digits, as the `year` filter takes it, and none from the
# far future (`9999-12-31` is a placeholder, not a date).
YEARS = range(1000, 3000)
# A date this many days ahead is kept but said: a library announces events weeks or
# months ahead, while `2099-01-01` (a year mistyped) put a post first among the newest
# for ever, without a word.
FUTURE_DAYS = 366
FUTURE_MARK = "более чем на год вперёд"  # the warning's words, which the summary counts by
# A link a reader may follow: http(s), or a path on the library's own site.
_LINK = re.compile(r"(?:https?://[^\s/?#]+|/(?!/))\S*", re.IGNORECASE)
_DOT_SEGMENT = re.compile(r"/\.\.?(?:[/?#]|$)")


def is_link(url: str) -> bool:
    r"""An address a page may link to (no `javascript:`, `data:` or `//host`), and none a
    browser reads otherwise than it looks: no `\` (`/\host` is `//host` to a browser), no
    `.` or `..` segment, a host that parses (`https://[::1` did not)."""
    url = url.strip()
    if _LINK.fullmatch(url) is None or "\\" in url or _DOT_SEGMENT.search(url.split("?")[0]):
        return False
    try:
        urlsplit(url).port  # noqa: B018 - raises for a malformed host or port
    except ValueError:
        return False
    return True


def validate_id(value: str) -> str:
    """Accept ids made of word characters and a few safe marks; no slashes or path tricks."""
    if not isinstance(value, str) or not _ID_RE.match(value) or value in {".", ".."}:
        raise InvalidRecord(
            f"неверный id {str(value)[:100]!r}: от 1 до 200 букв, цифр и знаков "
            ". _ - : ~ @ + =")
    return value


def record_id(value) -> str | None:
    """A record's `id` as text: a string, or an integer (`1` is "1"); None when absent."""
    if isinstance(value, bool) or not isinstance(value, int | str | None):
        raise InvalidRecord(f"id должен быть строкой или целым числом, а это "
                            f"{json_type(value)}")
    return str(value) if isinstance(value, int) else value


def json_type(value) -> str:
    """A value's JSON type, in Russian, for messages ("…, а это список")."""
    kinds = ((bool, "логическое значение"), (int, "число"), (float, "число"), (list, "список"),
             (dict, "объект"), (str, "строка"), (type(None), "null"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "не строка")


def clean_name(value, field: str = "") -> str:
    """A facet value (an author, a library, a topic) with single spaces: filters and
    facets compare values with runs of spaces as one (search.engine.facet_key)."""
    return " ".join(clean_text(value, field).split())


def clean_text(value, field: str = "") -> str:
    """A string field's value, without NULs and outer spaces; InvalidRecord naming `field`
    when it is another JSON type."""
    if value is None:
        return ""
    if not isinstance(value, str):
        named = f"{field}: " if field else ""
        raise InvalidRecord(f"{named}ожидалась строка, а это {json_type(value)}")
    if _UNSHOWN.search(value) is not None:
        value = _UNSHOWN.sub("", value)
    return value.strip()


# Characters no text shows, but a terminal or a viewer acts on: C0 and C1 controls but
# tab and line ends, DEL, noncharacters, and the bidi embeddings, overrides and isolates
# (U+202E made «Отчёт \u202etxt.exe» display as «Отчёт exe.txt»): a security tester's
# PUT kept them in every field and the CSV export wrote them out.
_UNSHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                      "\ufdd0-\ufdef\ufffe\uffff]")


_RUSSIAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# `12 ноября 2024 г.`, as a library's post dates itself (the genitive month)
_MONTHS = ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
_DATE_IN_WORDS = re.compile(r"(\d{1,2})\s+(января|февраля|марта|апреля|мая|июня|июля|августа|"
                            r"сентября|октября|ноября|декабря)\s+(\d{4})(?:\s*г(?:ода|\.)?)?")


def parse_iso_date(value) -> dt.date | None:
    """`YYYY-MM-DD` (or a longer ISO timestamp: the date as written, its time and zone
    not converted), `ДД.ММ.ГГГГ` as the exports write dates, or `12 ноября 2024 г.`, to a
    date; None stays None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise InvalidRecord(f"дата должна быть строкой, а это {json_type(value)}")
    text = value.strip()[:10]
    if russian := _RUSSIAN_DATE.fullmatch(value.strip()):
        text = f"{russian[3]}-{int(russian[2]):02d}-{int(russian[1]):02d}"
    elif words := _DATE_IN_WORDS.fullmatch(value.strip().lower()):
        text = f"{words[3]}-{_MONTHS.index(words[2][:3]) + 1:02d}-{int(words[1]):02d}"
    try:
        date = dt.date.fromisoformat(text)
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise InvalidRecord(f"даты {value!r} нет в календаре") from exc
        raise InvalidRecord(f"дата {value!r} не в виде ГГГГ-ММ-ДД (или с временем: "
                            f"2024-11-12T18:30:00), ДД.ММ.ГГГГ или «12 ноября 2024 г.»"
                            ) from exc
    if len(value.strip()) > 10 and not russian and not words:
        try:  # a timestamp: its time must be one too (`T25:00` is no time)
            dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidRecord(f"в дате {value!r} не читается время: ГГГГ-ММ-ДДTЧЧ:ММ[:СС]"
                                ) from None
    if date.year not in YEARS:
        raise InvalidRecord(f"дата {value!r}: год должен быть от {YEARS[0]} до {YEARS[-1]}")
    return date


def far_future(date: dt.date | None, today: dt.date | None = None) -> str | None:
    """What to say of a publication dated more than FUTURE_DAYS ahead, or None."""
    today = today or dt.date.today()
    if date is None or (date - today).days <= FUTURE_DAYS:
        return None
    return (f"публикация датирована {date.strftime('%d.%m.%Y')} — {FUTURE_MARK}: "
            "проверьте год (она будет первой среди новых)")
