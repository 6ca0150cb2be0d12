"""Query-string parameters to a validated SearchRequest; every complaint in Russian."""

from __future__ import annotations

import datetime as dt
import re

import falcon

from search.models import SORTS, SearchRequest
from search.plural import plural
from search.query_clean import clean_query
from search.settings import Settings

__all__ = ["search_request", "text_param", "int_param", "bad_parameter"]

_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII only: int() would also take «٣» or «３»


def bad_parameter(description: str, name: str | None = None) -> falcon.HTTPBadRequest:
    """A 400 for a parameter; its `name` is also sent apart (`"parameter": "year"`), so a
    page can mark the field at fault without reading the Russian message."""
    error = falcon.HTTPBadRequest(title="Неверный параметр", description=description)
    error.parameter = name
    return error


def single_param(req: falcon.Request, name: str) -> str | None:
    """A parameter that takes one value: `q=выставка&q=конкурс` is a 400, not the last one
    silently (facet filters, which take several, are read by `_values`)."""
    value = req.params.get(name)
    if isinstance(value, list):
        raise bad_parameter(f"«{name}» указан несколько раз: оставьте одно значение", name)
    return value


def shown(value: str, limit: int) -> str:
    """A value quoted back in an error message: at most `limit` characters, with «…» when
    it was longer."""
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


def choice_param(req: falcon.Request, name: str) -> str | None:
    """A parameter naming one of a few choices (`sort`, `format`): any case, no spaces."""
    return (single_param(req, name) or "").strip().lower() or None


def int_param(req: falcon.Request, name: str, low: int, high: int, default: int) -> int:
    """A whole-number parameter within [low, high]."""
    raw = (single_param(req, name) or "").strip()
    if not raw:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise bad_parameter(f"«{name}» должен быть целым числом от {low} до {high}, "
                            f"а не {shown(raw, 20)}", name)
    return int(raw)


# The Russian way of writing a date (the page's warnings and the exports use it) is read
# too: `from=01.01.2024`.
_RUSSIAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# ISO with the zeros left out (`2021-1-1`), as `1.1.2021` is read.
_SHORT_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _date(req: falcon.Request, name: str) -> dt.date | None:
    raw = (single_param(req, name) or "").strip()
    if not raw:
        return None
    russian, short = _RUSSIAN_DATE.fullmatch(raw), _SHORT_ISO.fullmatch(raw)
    iso = (f"{russian[3]}-{int(russian[2]):02d}-{int(russian[1]):02d}" if russian else
           f"{short[1]}-{int(short[2]):02d}-{int(short[3]):02d}" if short else raw)
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
            raise bad_parameter(f"«{name}»: даты {raw!r} нет в календаре", name) from None
        raise bad_parameter(f"«{name}» должен быть датой вида ГГГГ-ММ-ДД (2024-03-31) или "
                            f"ДД.ММ.ГГГГ (31.03.2024), а не {shown(raw, 40)}", name) from None


# PHP's http_build_query and jQuery's $.param send a list as `topic[0]=…&topic[1]=…` or
# `topic[]=…`: read as `topic=…&topic=…` (before, ignored with a warning: an unfiltered 200).
_LISTED = re.compile(r"([a-z_]+)\[[0-9]{0,4}\]")
MULTI_VALUED = ("topic", "author", "library", "year")


def _listed_name(key: str) -> str:
    """The parameter a key names: `topic[0]` and `topic[]` are `topic`."""
    found = _LISTED.fullmatch(key)
    return found[1] if found and found[1] in MULTI_VALUED else key


# The most values one filter takes: a visitor ticks a few; 500 topics had answered 200
# with a warning for each unknown one (40 KB).
MAX_FILTER_VALUES = 50


def _values(req: falcon.Request, name: str, settings: Settings) -> tuple[str, ...]:
    values = [v for key, given in req.params.items() if _listed_name(key) == name
              for v in (given if isinstance(given, list) else [given])]
    if len(values) > MAX_FILTER_VALUES:
        raise bad_parameter(f"«{name}» передан {len(values)} "
                            f"{plural(len(values), 'раз', 'раза', 'раз')}, а можно не больше "
                            f"{MAX_FILTER_VALUES} значений", name)
    for value in values:
        if len(value) > settings.max_query_length:
            raise bad_parameter(f"значение «{name}» длиннее {settings.max_query_length} "
                                "символов", name)
    # `topic=   `: no filter, as `topic=` is; `Иванова  Анна` is «Иванова Анна»; typed
    # on a Mac or pasted from a PDF (`й` as `и` and a combining breve), the value it shows
    spaced = (" ".join(clean_query(v).split()) for v in values)
    return tuple(dict.fromkeys(v for v in spaced if v))  # a value repeated counts once


def _characters(count: int) -> str:
    """«символ» in the form a Russian number takes."""
    return plural(count, "символ", "символа", "символов")


def text_param(req: falcon.Request, name: str, settings: Settings) -> str:
    """A free-text parameter, bounded in length, cleaned as the query language reads it."""
    raw = single_param(req, name) or ""
    # counted as the box shows it (`й` typed as `и` and a combining breve is one letter);
    # a value far over the limit is refused before any work on it
    value = clean_query(raw) if len(raw) <= 4 * settings.max_query_length else raw
    if len(value) > settings.max_query_length:
        error = falcon.HTTPBadRequest(
            title="Слишком длинный запрос",
            description=f"«{name}» длиной {len(value)} {_characters(len(value))}, а можно не больше "
                        f"{settings.max_query_length}: сократите запрос")
        error.parameter = name
        raise error
    return value


# What /api/search reads; anything else is said back in `warnings` (`topik=`: a typo
# had browsed everything without a word).
SEARCH_PARAMETERS = ("q", "topic", "author", "library", "year", "from", "to", "sort", "page",
                     "per_page")
# What a site's own scripts and ad links add to an address (jQuery's cache buster `_`,
# campaign tags, click ids): no typo of ours, so no warning a visitor would be shown.
SITE_PARAMETERS = frozenset({"_", "fbclid", "gclid", "yclid", "ysclid", "dclid", "msclkid",
                             "igshid", "_openstat", "_ga", "_gl", "mc_cid", "mc_eid", "from_block"})


def _said_unknown(name: str) -> bool:
    """Whether an unknown parameter is worth a warning: not one a site adds itself."""
    return name not in SITE_PARAMETERS and not name.startswith(("utm_", "pk_"))


def search_request(req: falcon.Request, settings: Settings, paged: bool = True) -> SearchRequest:
    sort = choice_param(req, "sort")
    sort = {"date": "date_desc"}.get(sort, sort)  # the CLI's name for newest first
    q = text_param(req, "q", settings)
    if sort is not None and sort not in SORTS:
        raise bad_parameter(f"неизвестный порядок {shown(sort, 40)}: можно {', '.join(SORTS)} "
                            "(date — то же, что date_desc)", "sort")
    years = []
    for raw in _values(req, "year", settings):  # stripped
        if not re.fullmatch(r"[0-9]{4}", raw) or not 1000 <= int(raw) <= 9999:
            raise bad_parameter(f"«year» должен быть годом из четырёх цифр, а не {shown(raw, 20)}",
                                "year")
        years.append(int(raw))
    # checked even where they do not apply (an export is every match): malformed is a 400
    page = int_param(req, "page", 1, 10_000, 1)
    per_page = int_param(req, "per_page", 1, settings.max_page_size, settings.page_size)
    if not paged:
        page, per_page = 1, settings.page_size
    unknown = [name for name in req.params
               if _listed_name(name) not in SEARCH_PARAMETERS and _said_unknown(name)]
    notes = tuple(f"параметр «{name[:30]}» не известен и пропущен (можно: "
                  f"{', '.join(SEARCH_PARAMETERS)})" for name in unknown[:3]) if paged else ()
    return SearchRequest(
        notes=notes,
        q=q, topics=_values(req, "topic", settings), authors=_values(req, "author", settings),
        libraries=_values(req, "library", settings), years=tuple(years),
        date_from=_date(req, "from"), date_to=_date(req, "to"),
        sort=sort or ("relevance" if q.strip() else "date_desc"),
        page=page, per_page=per_page)
