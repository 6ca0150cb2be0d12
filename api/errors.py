"""The one place where core errors become HTTP responses."""

from __future__ import annotations

import logging
import re

import falcon

from api.pages import not_found_page, wants_html
from search.errors import (
    ConfigError,
    EngineUnavailable,
    ExtractError,
    IndexBusy,
    IndexMissing,
    InvalidRecord,
    NotFound,
    QueryError,
    RebuildFailed,
    SchemaMismatch,
    SearchError,
)

__all__ = ["install_error_handlers", "public_message"]

log = logging.getLogger("kartoteka.api")

_STATUS = [
    (QueryError, falcon.HTTP_400, "Invalid request"),
    (InvalidRecord, falcon.HTTP_400, "Invalid publication"),
    (ExtractError, falcon.HTTP_400, "Invalid publication"),
    (NotFound, falcon.HTTP_404, "Not found"),
    (IndexMissing, falcon.HTTP_503, "Index not available"),
    (SchemaMismatch, falcon.HTTP_503, "Index not available"),
    (IndexBusy, falcon.HTTP_503, "Index busy"),
    (EngineUnavailable, falcon.HTTP_503, "Index not available"),
    (RebuildFailed, falcon.HTTP_503, "Index busy"),
    (ConfigError, falcon.HTTP_500, "Configuration error"),
]


# A server file path: a slash not inside a URL or a word, then at least one more part.
_PATH = re.compile(r"(?<![\w:/.~-])(?:/[\w.@+~-]+){2,}/?")


def public_message(message: str) -> str:
    """An error message without the server's file paths (they stay in the log).

    >>> public_message("no index in /srv/kartoteka/index: build one")
    'no index in …: build one'
    """
    return _PATH.sub("…", message)


def _search_error(req, resp, exc: SearchError, params):
    for kind, status, title in _STATUS:
        if isinstance(exc, kind):
            headers = {"Retry-After": "1"} if isinstance(exc, IndexBusy) else None
            if status != falcon.HTTP_400 and status != falcon.HTTP_404:
                log.warning("%s on %s: %s", title, req.relative_uri, exc)
            raise falcon.HTTPError(status, title=title, description=public_message(str(exc)),
                                   headers=headers)
    log.warning("error on %s: %s", req.relative_uri, exc)
    raise falcon.HTTPInternalServerError(title="Internal error",
                                         description=public_message(str(exc)))


def _unexpected(req, resp, exc: Exception, params):
    if isinstance(exc, falcon.HTTPError):
        raise exc
    log.exception("unhandled error on %s %s", req.method, req.relative_uri)
    raise falcon.HTTPInternalServerError(
        title="Internal error", description="The server failed; the error has been logged.")


def _serialize(req, resp, exc: falcon.HTTPError) -> None:
    if exc.status_code == 404 and wants_html(req):  # a browser gets a page, the API JSON
        resp.content_type = falcon.MEDIA_HTML
        resp.text = not_found_page(req.path)
        return
    resp.content_type = falcon.MEDIA_JSON
    body = {"title": exc.title or "Error", "description": exc.description or exc.title or ""}
    resp.media = body


def install_error_handlers(app: falcon.App) -> None:
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(SearchError, _search_error)
    app.set_error_serializer(_serialize)
