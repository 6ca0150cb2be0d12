"""create_app(settings) wires resources and middleware; get_app() is gunicorn's entry point."""

from __future__ import annotations

from urllib.parse import quote

import falcon

from api import resources
from api.compression import ConditionalGet, Gzip
from api.errors import install_error_handlers
from api.export_resource import Export
from api.middleware import (
    AccessLog,
    BodyLimit,
    PublicCors,
    SecurityHeaders,
    Utf8Path,
    Utf8QueryString,
)
from api.mount import BasePathLinks, mounted
from api.openapi import openapi_spec
from api.pages import PublicationPage
from api.params import shown
from api.results_page import ResultsPage
from api.static_files import StaticFiles
from search.searcher import SearchService
from search.settings import Settings

__all__ = ["create_app", "get_app"]


class OpenAPI:
    def __init__(self, settings: Settings):
        self.spec = openapi_spec(settings.max_page_size, settings.max_query_length)
        if settings.base_path:  # published under a path of a site (api/mount.py)
            self.spec = {**self.spec, "servers": [{"url": settings.base_path}]}

    def on_get(self, req, resp):
        resp.media = self.spec


def create_app(settings: Settings, service: SearchService | None = None) -> falcon.App:
    """The WSGI app over one SearchService (opened lazily, reloaded on new generations)."""
    service = service or SearchService(settings)
    # (answers pass the middleware last to first: the links are rewritten before the
    # ETag and the compression are made of the body)
    app = falcon.App(middleware=[AccessLog(), BodyLimit(settings), Utf8QueryString(), Utf8Path(),
                                 PublicCors(settings), SecurityHeaders(), Gzip(),
                                 ConditionalGet(), BasePathLinks(settings.base_path)])
    app.req_options.strip_url_path_trailing_slash = True
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = falcon.media.JSONHandler(
        dumps=_dumps)
    install_error_handlers(app, settings.base_path)
    for route, cls in (("/api/search", resources.Search), ("/api/suggest", resources.Suggest),
                       ("/api/facets", resources.Facets), ("/api/health", resources.Health),
                       ("/api/export", Export),
                       ("/api/publications/{pid}", resources.PublicationResource),
                       ("/api/publications/{pid}/similar", resources.Similar)):
        app.add_route(route, _with_head(cls(service, settings)))
    app.add_route("/openapi.json", _with_head(OpenAPI(settings)))
    static = _with_head(StaticFiles())
    app.add_route("/", static)
    app.add_route("/static/{name}", static)
    app.add_route("/widget.js", static, suffix="widget")
    app.add_route("/docs", static, suffix="docs")
    app.add_route("/favicon.ico", static, suffix="favicon")
    app.add_route("/p/{pid}", _with_head(PublicationPage(service)))
    app.add_route("/search", _with_head(ResultsPage(service, settings)))
    app.add_sink(_not_found, prefix="/")
    return app


def _with_head(resource):
    """HEAD answered as GET without the body (Falcon drops it and keeps the length):
    uptime monitors and proxies check a URL with HEAD."""
    for name in dir(type(resource)):
        if name.startswith("on_get"):
            head = "on_head" + name.removeprefix("on_get")
            if not hasattr(resource, head):
                setattr(resource, head, getattr(resource, name))
    return resource


def _not_found(req, resp, **kwargs):
    raise falcon.HTTPNotFound(title="Не найдено", description=f"адреса {shown(req.path, 200)} нет")


def _dumps(obj) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


def accept_raw_utf8_query(app):
    """Percent-encode raw UTF-8 bytes in the query string (curl sends Cyrillic unencoded).

    WSGI hands them over as latin-1 characters, which Falcon would not decode as UTF-8.
    """

    def wrapped(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():
            raw = query.encode("latin-1", "replace")
            environ["QUERY_STRING"] = quote(raw, safe="=&+%;/:,@!$'()*?~-._")
        return app(environ, start_response)

    return wrapped


def get_app():
    """Entry point for gunicorn: settings from the environment. `warm` opens the index in
    a worker before its first request (api/gunicorn_conf.py: post_worker_init)."""
    service = SearchService(Settings.from_env())
    app = mounted(accept_raw_utf8_query(create_app(service.settings, service)),
                  service.settings.base_path)
    app.warm = service.warm
    app.keep_current = service.keep_current  # api/gunicorn_worker.py, when idle
    return app
