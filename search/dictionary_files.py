"""Reading the dictionary files a library edits (synonyms, topics): in UTF-8, or in the
Windows Russian encoding Notepad saves by default (cp1251), never a traceback.

A librarian who saved `synonyms_ru.txt` in Notepad's «ANSI» got a UnicodeDecodeError
traceback from `search`, `serve` and `reindex`. UTF-8 (with or without a BOM) is read
first; a file that is not UTF-8 but is valid cp1251 is read as that; anything else, or
a file that cannot be opened, is a ConfigError naming the file.
"""

from __future__ import annotations

from pathlib import Path

from search.errors import ConfigError
from search.os_errors import os_reason

__all__ = ["read_dictionary_lines"]


def read_dictionary_lines(path: Path, what: str) -> list[str]:
    """The lines of a dictionary file; `what` names it in errors («словарь синонимов»)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"не удаётся прочитать {what} {path}: {os_reason(exc)}") from exc
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"не удаётся прочитать {what} {path}: это текст не в UTF-8 и не в "
                      "Windows-1251")
