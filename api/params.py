"""Query-string parameters to a validated SearchRequest."""

from __future__ import annotations

import datetime as dt

import falcon

from search.models import SORTS, SearchRequest
from search.settings import Settings

__all__ = ["search_request", "text_param"]


def _date(req: falcon.Request, name: str) -> dt.date | None:
    raw = req.get_param(name)
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise falcon.HTTPBadRequest(
            title="Invalid parameter",
            description=f"'{name}' must be a date in YYYY-MM-DD form, got {raw[:40]!r}") from None


def _values(req: falcon.Request, name: str) -> tuple[str, ...]:
    values = req.get_param_as_list(name) or []
    return tuple(v for v in values if v)


def text_param(req: falcon.Request, name: str, settings: Settings) -> str:
    """A free-text parameter, bounded in length and free of control characters."""
    value = req.get_param(name) or ""
    if len(value) > settings.max_query_length:
        raise falcon.HTTPBadRequest(
            title="Query too long",
            description=f"'{name}' is {len(value)} characters long; the limit is "
                        f"{settings.max_query_length}")
    return "".join(c if c.isprintable() else " " for c in value)


def search_request(req: falcon.Request, settings: Settings, paged: bool = True) -> SearchRequest:
    sort = req.get_param("sort") or None
    sort = {"date": "date_desc"}.get(sort, sort)  # the CLI's name for newest first
    q = text_param(req, "q", settings)
    if sort is not None and sort not in SORTS:
        raise falcon.HTTPBadRequest(
            title="Invalid parameter",
            description=f"unknown sort {sort[:40]!r}: use one of {', '.join(SORTS)}")
    years = []
    for raw in _values(req, "year"):
        if not raw.isdigit() or not 1000 <= int(raw) <= 9999:
            raise falcon.HTTPBadRequest(title="Invalid parameter",
                                        description=f"'year' must be a 4-digit year, got {raw[:20]!r}")
        years.append(int(raw))
    page = req.get_param_as_int("page", min_value=1, max_value=10_000, default=1) if paged else 1
    per_page = (req.get_param_as_int("per_page", min_value=1, max_value=settings.max_page_size,
                                     default=settings.page_size) if paged else settings.page_size)
    return SearchRequest(
        q=q, topics=_values(req, "topic"), authors=_values(req, "author"),
        libraries=_values(req, "library"), years=tuple(years),
        date_from=_date(req, "from"), date_to=_date(req, "to"),
        sort=sort or ("relevance" if q.strip() else "date_desc"),
        page=page, per_page=per_page)
