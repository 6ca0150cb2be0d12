"""The search page, the widget and their assets, served from api/static only."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import falcon

from api.params import shown

__all__ = ["StaticFiles", "STATIC_DIR"]

STATIC_DIR = Path(__file__).parent / "static"


class StaticFiles:
    """Serves a fixed set of files known at start-up: no listing, no paths outside."""

    def __init__(self, directory: Path = STATIC_DIR):
        self.files = {p.name: p for p in directory.iterdir() if p.is_file()}

    def _send(self, resp, name: str) -> None:
        path = self.files.get(name)
        if path is None:
            raise falcon.HTTPNotFound(title="Не найдено", description=f"файла {shown(name, 80)} нет")
        resp.content_type = (mimetypes.guess_type(name)[0] or "application/octet-stream")
        if resp.content_type.startswith(("text/", "application/javascript")):
            resp.content_type += "; charset=utf-8"
        resp.cache_control = ["public", "max-age=300"]
        resp.data = path.read_bytes()

    def on_get(self, req, resp, name: str = "index.html"):
        self._send(resp, name)

    def on_get_widget(self, req, resp):
        self._send(resp, "widget.js")

    def on_get_docs(self, req, resp):
        self._send(resp, "docs.html")

    def on_get_favicon(self, req, resp):
        self._send(resp, "favicon.ico")
