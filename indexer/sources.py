"""Source files and directories to Publications, reporting what is skipped and why."""

from __future__ import annotations

import codecs
import errno
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.attachments import DOCUMENT_SUFFIXES, publication_from_document, sniff_document
from indexer.cms import iter_wp_json, iter_wxr, looks_like_wp_json, looks_like_wxr
from indexer.extract import DOC, PAGE, file_id, publication_from_page
from indexer.json_records import NOT_RECORDS, iter_json_array, json_problem, records_kind
from indexer.mending import mended
from indexer.text_page import closing_signature
from search.errors import ExtractError, InvalidRecord
from search.models import Publication
from search.os_errors import os_reason
from search.russian_numbers import whole

__all__ = ["Skip", "iter_publications", "expand_sources", "count_items",
           "PAGE_SUFFIXES", "passed_over", "NO_SUCH_FILE"]

Warn = Callable[[str, str], None]  # (where, message): a record indexed with something dropped

PAGE_SUFFIXES = {".txt", ".html", ".htm", ".php", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
EXPORT_SUFFIXES = {".xml", ".json"}  # WordPress WXR and REST JSON, recognised by content
# Named directly, these were read as a page: a search export's header row became a title.
TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xls", ".ods"}
NO_SUCH_FILE = os_reason(errno.ENOENT)


@dataclass(frozen=True)
class Skip:
    """A file or record that was not indexed, and why; `file`: the file of a record (a
    line of a JSON Lines file), which an incremental run then removes nothing from."""

    where: str
    reason: str
    file: str | None = None


def expand_sources(sources: list[Path]) -> Iterator[tuple[Path, str] | Skip]:
    """Files named directly, and the known files under named directories, sorted; each
    with its name under the directory named (`2024/01/index.html`), which a page's id is
    made of: two `index.html` of two folders are two publications."""
    for source in sources:
        if source.is_dir():
            for path in sorted(p for p in source.rglob("*") if p.is_file()):
                if _readable_kind(path):
                    yield path, path.relative_to(source).as_posix()
        elif source.is_file() and source.suffix.lower() in TABLE_SUFFIXES:
            yield Skip(str(source), f"таблица {source.suffix.lower()} не индексируется "
                                    "(выгрузка результатов поиска?): дайте JSON Lines")
        elif source.is_file():
            yield source, source.name
        else:
            yield Skip(str(source), NO_SUCH_FILE)


def passed_over(sources: list[Path]) -> Counter:
    """The files under named directories that are of no kind read here, by suffix (`.md`,
    `.csv`): an admin is told they were not indexed. A README describes its directory."""
    found: Counter = Counter()
    for source in sources:
        if source.is_dir():
            found.update(p.suffix.lower() or p.name for p in source.rglob("*")
                         if p.is_file() and not p.name.lower().startswith("readme")
                         and not _readable_kind(p))
    return found


def _readable_kind(path: Path) -> bool:
    suffix = path.suffix.lower()
    return (suffix in PAGE_SUFFIXES | JSONL_SUFFIXES | DOCUMENT_SUFFIXES
            or (suffix in EXPORT_SUFFIXES and _cms_kind(path) is not None)
            or (suffix == ".json" and records_kind(path) in ("jsonl", "array")))


def iter_publications(sources: list[Path], topics=None, max_bytes: int = 20_000_000,
                      warn: Warn | None = None) -> Iterator[Publication | Skip]:
    """Every publication of every source, or a Skip for what cannot be read.

    `warn(where, message)` hears of records indexed without a part they had (a date that
    cannot be read).
    """
    for item in expand_sources(sources):
        if isinstance(item, Skip):
            yield item
            continue
        item, name = item
        try:
            size = item.stat().st_size
        except OSError as exc:
            yield Skip(str(item), f"не читается: {os_reason(exc)}")
            continue
        # (a WordPress REST export, also an array, is taken by the export branch first)
        records = None if item.suffix.lower() in JSONL_SUFFIXES else records_kind(item, max_bytes)
        if item.suffix.lower() in JSONL_SUFFIXES or records == "jsonl":
            yield from _jsonl(item, topics, max_bytes, warn)
        elif size > max_bytes:
            yield Skip(str(item), f"слишком большой файл ({whole(size)} байт > {whole(max_bytes)})")
        elif (kind := _cms_kind(item) or _document_kind(item)) in ("wxr", "wp-json"):
            yield from _cms(item, kind, topics)
        elif kind is not None:
            yield _document(item, name, topics)
        elif records == "array":
            for got in iter_json_array(item, lambda pub: _record(pub, topics), warn):
                yield got if isinstance(got, Publication) else Skip(*got)
        elif records == "other" and item.suffix.lower() == ".json":
            yield Skip(str(item), NOT_RECORDS)
        else:
            yield _page(item, name, topics)


def count_items(sources: list[Path]) -> int:
    """About how many items (publications and skips) iter_publications will yield.

    Read cheaply, for the progress bar's total: the non-blank lines of JSON Lines files,
    the <item>s or posts of WordPress exports, one for every other file.
    """
    total = 0
    for item in expand_sources(sources):
        item = item if isinstance(item, Skip) else item[0]
        try:
            if isinstance(item, Skip):
                total += 1
            elif item.suffix.lower() in JSONL_SUFFIXES or records_kind(item) == "jsonl":
                with item.open("rb") as handle:
                    total += sum(1 for line in handle if not line.isspace())  # no copy
            elif (kind := _cms_kind(item)) == "wxr":
                total += max(1, item.read_bytes().count(b"<item>"))
            elif kind == "wp-json":
                total += _count_posts(item)
            else:
                total += 1
        except OSError:
            total += 1
    return total


def _count_posts(path: Path) -> int:
    try:
        value = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return 1
    return len(value) if isinstance(value, list) else 1


def _jsonl(path: Path, topics, max_bytes: int, warn: Warn | None) -> Iterator[Publication | Skip]:
    """One publication per line; a line over `max_bytes` is skipped, not the file.

    A UTF-8 byte order mark (Windows editors write one) is not part of the first record.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Skip(str(path), f"не читается: {os_reason(exc)}")
        return
    records = undecodable = 0
    held: list[Skip] = []  # the first lines' "not UTF-8" while no line was text
    with handle:
        for number, raw in enumerate(handle, 1):
            where = f"{path}:{number}"
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            records += 1
            if held and undecodable < records - 1:  # a line that was text came between
                yield from held
                held.clear()
            if len(raw) > max_bytes:
                yield Skip(where, f"слишком большая запись ({whole(len(raw))} байт > "
                                  f"{whole(max_bytes)})", str(path))
                continue
            try:
                record, problem = mended(json.loads(raw.decode("utf-8")), raw)
                pub = Publication.from_dict(record, source=f"{path}#{number}")
            except UnicodeDecodeError:
                undecodable += 1
                if undecodable == records == _UNREADABLE_HEAD:  # a binary file, or an export
                    # in another encoding; one line for it, not one per line of it
                    yield Skip(str(path), f"первые строки ({records}) — не текст в UTF-8 "
                               "(другая кодировка или вовсе не текст): остальное не прочитано",
                               str(path))
                    return
                skip = Skip(where, "не текст в UTF-8", str(path))
                if undecodable == records:
                    held.append(skip)
                else:
                    yield skip
                continue
            except json.JSONDecodeError as exc:
                yield Skip(where, f"неверный JSON: {json_problem(exc)}", str(path))
                continue
            except RecursionError:  # `[[[…]]]` thousands deep: it had ended the whole run
                yield Skip(where, "неверный JSON: вложенность слишком глубока", str(path))
                continue
            except InvalidRecord as exc:
                yield Skip(where, str(exc), str(path))
                continue
            if problem and warn is not None:
                warn(where, problem)
            yield _record(pub, topics)
    yield from held  # a file of one or two lines, none of them text
    if not records:  # an export cut to nothing is reported; what it gave is kept
        yield Skip(str(path), "пустой файл")


_UNREADABLE_HEAD = 3  # lines of a file none of which is UTF-8: the file is not read on


def _head(path: Path, size: int = 4096) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def _cms_kind(path: Path) -> str | None:
    """'wxr' or 'wp-json' when the file is a WordPress export, by its content."""
    head = _head(path)
    if looks_like_wxr(head):
        return "wxr"
    if head.lstrip()[:1] in (b"[", b"{") and path.suffix.lower() in EXPORT_SUFFIXES:
        try:
            return "wp-json" if looks_like_wp_json(path.read_bytes()) else None
        except OSError:
            return None
    return None


def _document_kind(path: Path) -> str | None:
    head = _head(path, 5)
    if head == b"%PDF-" or head[:4] == b"PK\x03\x04":
        try:
            return sniff_document(path.read_bytes())
        except OSError:
            return None
    return None


def _cms(path: Path, kind: str, topics) -> Iterator[Publication | Skip]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Skip(str(path), f"не читается: {os_reason(exc)}")
        return
    items = iter_wxr(data, str(path)) if kind == "wxr" else iter_wp_json(data, str(path))
    for item in items:
        yield _with_topics(item, topics) if isinstance(item, Publication) else Skip(*item)


def _document(path: Path, name: str, topics) -> Publication | Skip:
    try:
        pub = publication_from_document(path.read_bytes(), file_id(DOC, name), name=str(path),
                                        source=str(path))
    except OSError as exc:
        return Skip(str(path), f"не читается: {os_reason(exc)}")
    except (ExtractError, InvalidRecord) as exc:
        return Skip(str(path), str(exc).removeprefix(f"{path}: "))
    return _with_topics(pub, topics)


def _page(path: Path, name: str, topics) -> Publication | Skip:
    try:
        pub = publication_from_page(path.read_bytes(), path, pid=file_id(PAGE, name))
    except OSError as exc:
        return Skip(str(path), f"не читается: {os_reason(exc)}")
    except (ExtractError, InvalidRecord) as exc:
        return Skip(str(path), str(exc))
    return _with_topics(pub, topics)


def _record(pub: Publication, topics) -> Publication:
    """A JSON record completed: its signer as the author when it names none, its topics."""
    if pub.author is None and (signed := closing_signature(pub.text)):
        pub = replace(pub, author=signed[0], author_position=pub.author_position or signed[1])
    return _with_topics(pub, topics)


def _with_topics(pub: Publication, topics) -> Publication:
    """The source's categories mapped onto the topic list, else topics from the words."""
    if topics is None:
        return pub
    return replace(pub, topics=topics.topics_for(pub.topics, pub.title, pub.text))
