"""The sources named on the command line, checked before anything is read: a missing
export must not read as an empty one (a rebuild would index it as nothing, an incremental
run would empty its part of the index)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from urllib.parse import urlsplit

from indexer.sources import NO_SUCH_FILE, Skip
from search.os_errors import os_reason

__all__ = ["unreadable_sources", "is_url", "address_problem"]


# `127.0.0.1:8080/`, `library.example.ru/news`: an address written without its scheme
_LOOKS_LIKE_A_HOST = re.compile(r"(?:[\w-]+\.)+[a-zа-яё]{2,}(?::\d+)?(?:/\S*)?|"
                                r"\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:/\S*)?|"
                                r"localhost(?::\d+)?(?:/\S*)?", re.IGNORECASE)


def _looks_like_a_host(source: Path) -> bool:
    return (bool(_LOOKS_LIKE_A_HOST.fullmatch(str(source)))
            and (":" in str(source) or source.suffix.lower() not in _FILE_SUFFIXES))


_FILE_SUFFIXES = {".jsonl", ".json", ".txt", ".html", ".htm", ".xml", ".csv", ".xlsx", ".pdf",
                  ".docx", ".odt", ".php", ".md", ".gz", ".zip"}


def unreadable_sources(sources: list[Path]) -> list[Skip]:
    """The named sources that do not exist or cannot be opened at all.

    Checked before anything is indexed: a missing export must not read as an empty one
    (which a rebuild would index as nothing and an incremental run would empty out).
    """
    found = []
    for source in sources:
        try:
            mode = source.stat().st_mode
            if stat.S_ISDIR(mode):
                with os.scandir(source):
                    pass
            elif stat.S_ISREG(mode):
                os.close(os.open(source, os.O_RDONLY | os.O_NONBLOCK))
            else:
                found.append(Skip(str(source), "не файл и не каталог"))
        except (FileNotFoundError, NotADirectoryError):
            hint = f" (это сайт? пишите http://{source})" if _looks_like_a_host(source) else ""
            found.append(Skip(str(source), f"{NO_SUCH_FILE}{hint}"))
        except OSError as exc:
            found.append(Skip(str(source), f"не читается: {os_reason(exc)}"))
    return found


def is_url(value: str) -> bool:
    return str(value).startswith(("http://", "https://"))


def address_problem(value: str) -> str | None:
    """What makes a SOURCE written as an address unusable (`ftp://…`, `http://` with no
    host), or None: a file name is not an address."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", value)
    if not scheme:
        return None
    if not is_url(value):
        return f"читать можно только сайты http:// и https://, а не {scheme.group(1)}://"
    if not urlsplit(value).hostname:
        return "в адресе не указан сайт"
    return None
