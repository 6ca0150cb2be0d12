"""The installed version of Kartoteka, one value for `kartoteka --version` and the API.

From the package metadata when installed (`pip install`, editable too), else from the
checkout's pyproject.toml; pyproject.toml is where the version is set.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

__all__ = ["version"]

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@cache
def version() -> str:
    try:
        return metadata.version("kartoteka")
    except metadata.PackageNotFoundError:
        pass
    try:
        return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
