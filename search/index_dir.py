"""Where the index directory is by default (`locate_index_dir`): $KARTOTEKA_INDEX_DIR, else
the `index_data/index` of the source checkout around the working directory, else the
user's data directory, never the installed package's own directory.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

__all__ = ["locate_index_dir", "source_checkout", "INDEX_DIR_ENV"]

INDEX_DIR_ENV = "KARTOTEKA_INDEX_DIR"


def source_checkout(start: Path | None = None) -> Path | None:
    """The Kartoteka source checkout holding `start` (default: the working directory).

    That is the nearest of `start` and its parents with a pyproject.toml whose
    `[project] name` is "kartoteka"; None when there is none.
    """
    start = (start or Path.cwd()).absolute()
    for folder in (start, *start.parents):
        try:
            with open(folder / "pyproject.toml", "rb") as fh:
                name = tomllib.load(fh).get("project", {}).get("name")
        except (OSError, tomllib.TOMLDecodeError, AttributeError):
            continue
        if name == "kartoteka":
            return folder
    return None


def locate_index_dir(environ: Mapping[str, str] | None = None,
                     cwd: Path | None = None) -> tuple[Path, str]:
    """The default index directory and where it comes from, for `stats` and `serve` to say
    (in Russian, after «выбран по»: the variable, «рабочей копии исходников …», …).

    $KARTOTEKA_INDEX_DIR, else `index_data/index` of the source checkout around the working
    directory, else the platform's user data directory (platformdirs).
    """
    environ = os.environ if environ is None else environ
    if environ.get(INDEX_DIR_ENV):
        return Path(environ[INDEX_DIR_ENV]), INDEX_DIR_ENV
    root = source_checkout(cwd)
    if root is not None:
        return root / "index_data" / "index", f"рабочей копии исходников {root}"
    import platformdirs

    return (Path(platformdirs.user_data_dir("kartoteka", appauthor=False)) / "index",
            "умолчанию: каталог данных пользователя")
