"""The service published under a path of a site (`KARTOTEKA_BASE_PATH=/search`): a library
whose website is `library.example.ru` proxies `/search/` to it, not a host of its own.

Requests come with the path (a proxy passing it on) or without it (a proxy stripping it,
a health check on 127.0.0.1): both are served. The pages' own addresses (`href="/…"`,
`src`, `action`) are written under the path; the page's and the widget's scripts take it
from their own address.
"""

from __future__ import annotations

import re

import falcon

__all__ = ["mounted", "BasePathLinks"]

_ROOTED = re.compile(r'(\s(?:href|src|action)=")/(?!/)')


def mounted(app, base: str):
    """The WSGI app answering under `base` as at the root."""
    if not base:
        return app

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == base or path.startswith(base + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + base
            environ["PATH_INFO"] = path[len(base):] or "/"
        return app(environ, start_response)

    return wrapped


class BasePathLinks:
    """HTML answers' root-relative addresses under the base path."""

    def __init__(self, base: str):
        self.base = base

    def process_response(self, req, resp, resource, req_succeeded):
        if not self.base or not (resp.content_type or "").startswith(falcon.MEDIA_HTML):
            return
        if resp.text is not None:
            resp.text = _ROOTED.sub(rf"\1{self.base}/", resp.text)
        elif resp.data is not None:
            resp.data = _ROOTED.sub(rf"\1{self.base}/", resp.data.decode("utf-8")).encode("utf-8")
