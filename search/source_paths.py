"""Where a stored publication came from: its `source` is a file (`news/2024.html`), a
record of a file (`export.jsonl#12`, its line) or a page's address."""

from __future__ import annotations

__all__ = ["file_of", "within"]


def file_of(source: str | None) -> str:
    """`export.jsonl#12` -> `export.jsonl`; a file or an address as it is."""
    return (source or "").split("#", 1)[0]


def within(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies under it (`exp/a/news.jsonl` in `exp/a/`)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")
