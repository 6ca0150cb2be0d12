"""The sources named on the command line, checked before anything is read: a missing
export must not read as an empty one (a rebuild would index it as nothing, an incremental
run would empty its part of the index)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from indexer.sources import NO_SUCH_FILE, Skip
from search.os_errors import os_reason

__all__ = ["unreadable_sources"]


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
