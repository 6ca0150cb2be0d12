"""Source files and directories to Publications, reporting what is skipped and why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.extract import publication_from_page
from search.errors import ExtractError, InvalidRecord
from search.models import Publication

__all__ = ["Skip", "iter_publications", "expand_sources", "PAGE_SUFFIXES"]

PAGE_SUFFIXES = {".txt", ".html", ".htm", ".php", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass(frozen=True)
class Skip:
    """A file or record that was not indexed, and why."""

    where: str
    reason: str


def expand_sources(sources: list[Path]) -> Iterator[Path | Skip]:
    """Files named directly, and the known files under named directories, sorted."""
    for source in sources:
        if source.is_dir():
            for path in sorted(p for p in source.rglob("*") if p.is_file()):
                if path.suffix.lower() in PAGE_SUFFIXES | JSONL_SUFFIXES:
                    yield path
        elif source.is_file():
            yield source
        else:
            yield Skip(str(source), "no such file or directory")


def iter_publications(sources: list[Path], topics=None,
                      max_bytes: int = 20_000_000) -> Iterator[Publication | Skip]:
    """Every publication of every source, or a Skip for what cannot be read."""
    for item in expand_sources(sources):
        if isinstance(item, Skip):
            yield item
            continue
        try:
            size = item.stat().st_size
        except OSError as exc:
            yield Skip(str(item), f"cannot read: {exc.strerror}")
            continue
        if item.suffix.lower() in JSONL_SUFFIXES:
            yield from _jsonl(item, topics, max_bytes)
        elif size > max_bytes:
            yield Skip(str(item), f"too large ({size:,} bytes > {max_bytes:,})")
        else:
            yield _page(item, topics)


def _jsonl(path: Path, topics, max_bytes: int) -> Iterator[Publication | Skip]:
    """One publication per line; a line over `max_bytes` is skipped, not the file."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Skip(str(path), f"cannot read: {exc.strerror}")
        return
    with handle:
        for number, raw in enumerate(handle, 1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            if len(raw) > max_bytes:
                yield Skip(where, f"record too large ({len(raw):,} bytes > {max_bytes:,})")
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
                pub = Publication.from_dict(record, source=f"{path}#{number}")
            except UnicodeDecodeError:
                yield Skip(where, "not UTF-8 text")
                continue
            except json.JSONDecodeError as exc:
                yield Skip(where, f"malformed JSON: {exc.msg} at column {exc.colno}")
                continue
            except InvalidRecord as exc:
                yield Skip(where, str(exc))
                continue
            yield _with_topics(pub, topics)


def _page(path: Path, topics) -> Publication | Skip:
    try:
        pub = publication_from_page(path.read_bytes(), path)
    except OSError as exc:
        return Skip(str(path), f"cannot read: {exc.strerror}")
    except (ExtractError, InvalidRecord) as exc:
        return Skip(str(path), str(exc))
    return _with_topics(pub, topics)


def _with_topics(pub: Publication, topics) -> Publication:
    if pub.topics or topics is None:
        return pub
    from dataclasses import replace

    return replace(pub, topics=topics.assign(pub.title, pub.body))
