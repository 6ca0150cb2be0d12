"""A page's address as the crawl keys it: without its fragment, a visitor's session and
the link's campaign tags; and whether an address is a CMS's print version of a page."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit, urlunsplit

__all__ = ["clean_url", "print_version", "SESSION_PARAMETERS"]

# Query parameters that name a visitor's session or the link's campaign, not the page:
# an old CMS puts `?PHPSESSID=…` in every link it writes, anew on every page view, and
# each nightly crawl of such a site had added every post again under a new address
# (a site admin's trial: 21 publications, then 40, 54, 68, 79).
# `sid` only when its value looks like a session's token: PHP-Nuke's `sid=123` is the story.
SESSION_PARAMETERS = frozenset({"phpsessid", "sessionid", "session_id", "jsessionid",
                                "aspsessionid", "cfid", "cftoken", "fbclid", "gclid", "yclid",
                                "_openstat"})
_TOKEN = re.compile(r"[0-9a-zA-Z]{16,}")
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid)=[^/?#]*|;sid=[0-9a-z]{16,}(?=[/?#]|$)",
                           re.IGNORECASE)


def clean_url(url: str) -> str:
    """The address without its fragment, session ids and campaign tags (`utm_*`)."""
    url = urldefrag(url)[0]
    if "?" not in url and ";" not in url:
        return url
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    kept = [p for p in parts.query.split("&") if p and not _session_parameter(p)]
    return urlunsplit((parts.scheme, parts.netloc, path, "&".join(kept), ""))


def _session_parameter(pair: str) -> bool:
    name, _, value = pair.partition("=")
    name = name.lower()
    return (name in SESSION_PARAMETERS or name.startswith("utm_")
            or (name == "sid" and _TOKEN.fullmatch(value) is not None))


def print_version(url: str) -> bool:
    """A CMS's print version of a page (`?print=1`, Joomla's `tmpl=component`): a copy."""
    query = urlsplit(url).query.lower()
    return bool(re.search(r"(?:^|&)(?:print=(?:1|y|yes|true)|tmpl=component)(?:&|$)", query))
