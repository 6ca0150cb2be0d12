"""Checks of the OpenSearch settings, made when the settings are read.

A node address typed wrong (`;` between two, a letter O in the port) ended every command
in a traceback, and a prefix OpenSearch refuses (`Kartoteka`, `kart oteka`) failed only
after a rebuild's whole analysis. Each is now an `error:` naming the variable (exit 2).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from search.errors import ConfigError

__all__ = ["check_node_urls", "check_prefix", "without_password"]

# OpenSearch index names: lowercase, no spaces or \ / * ? " < > | , #, not beginning
# with _ - +; `<prefix>-meta` is the prefix's own meta index.
_PREFIX = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")


def check_node_urls(urls: tuple[str, ...]) -> None:
    """Every node address an http(s) URL with a host, a port if any, and no path."""
    if not urls:
        raise ConfigError("KARTOTEKA_OPENSEARCH_URL пуст: укажите адреса узлов через "
                          "запятую (http://127.0.0.1:9200,http://127.0.0.1:9201)")
    for url in urls:
        shown = without_password(url)
        parts = urlsplit(url)
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is no number
        except ValueError:
            raise ConfigError(f"KARTOTEKA_OPENSEARCH_URL: в {shown!r} неверный порт "
                              "(узлы разделяются запятыми)") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"KARTOTEKA_OPENSEARCH_URL: {shown!r} — не адрес узла "
                              "http:// или https://")
        if parts.path.strip("/") or parts.query:
            raise ConfigError(f"KARTOTEKA_OPENSEARCH_URL: в {shown!r} есть путь: укажите "
                              "только адрес узла; индекс задаёт KARTOTEKA_OPENSEARCH_PREFIX")


def check_prefix(prefix: str) -> None:
    """A prefix OpenSearch takes as an index name, and not another prefix's meta index."""
    if not _PREFIX.fullmatch(prefix) or prefix.endswith("-meta"):
        raise ConfigError(f"KARTOTEKA_OPENSEARCH_PREFIX={prefix!r}: можно строчные "
                          "латинские буквы, цифры, '-', '_' и '.', в начале буква или "
                          "цифра, и не -meta в конце")


def without_password(url: str) -> str:
    """A node address with its password as ***, to be shown."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)
