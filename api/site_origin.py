"""The site's own address as a request names it, for the links an export holds.

Behind a proxy the request says the visitor's host and scheme (`Host`,
`X-Forwarded-Host`, `X-Forwarded-Proto`, `Forwarded`); any client can send these too. A
security tester's export read `javascript://evil.example/p/csv3` and
`"http://evil.example"";=1+1/p/csv3"` from them. Only an http(s) scheme and a host name
or address (with a port) are taken; otherwise the links are paths on the site.
"""

from __future__ import annotations

import re

import falcon

__all__ = ["pages_base"]

_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*"
                   r"\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")


def pages_base(req: falcon.Request, base_path: str) -> str:
    """`scheme://host{base_path}/p/` of the request, or `{base_path}/p/` when the scheme or
    the host it names is not one a link may have."""
    path = f"{base_path}/p/"
    scheme, host = req.forwarded_scheme.lower(), req.forwarded_host
    if scheme not in ("http", "https") or not host or _HOST.fullmatch(host) is None:
        return path
    return f"{scheme}://{host}{path}"
