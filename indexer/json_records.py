"""Our records in JSON files that are not named JSON Lines.

An export saved as `publications.json` or `.txt` holding one record per line, or a JSON
array of records (what a script's `json.dump(list)` writes), was read as one web page:
an admin's trial indexed a single publication titled with the raw JSON, exit 0, and on
a first install that became the live index. They are recognised here by their content:
the first line a whole JSON object with a record's fields (JSON Lines), or the whole
file an array of such objects (or one of them).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from indexer.mending import mended
from search.errors import InvalidRecord
from search.models import Publication
from search.os_errors import os_reason

__all__ = ["records_kind", "iter_json_array", "json_problem", "file_problem", "NOT_RECORDS"]

RECORD_FIELDS = frozenset({"id", "title", "text"})  # any of them: a record, not other JSON
NOT_RECORDS = ("файл JSON — не JSON Lines с публикациями и не выгрузка WordPress: дайте "
               "по одной публикации в строке (.jsonl)")
_SNIFF_BYTES = 512  # enough to see where the content begins


def records_kind(path: Path, max_bytes: int = 20_000_000) -> str | None:
    """'jsonl' (one record per line), 'array' (a JSON array of records, or one record),
    'other' (JSON, but no records of ours) or None (no JSON at all) by the content."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES).removeprefix(codecs.BOM_UTF8)
            start = head.lstrip()[:1]
            if start not in (b"{", b"["):  # a page, a document: one small read
                return None
            handle.seek(0)
            first = handle.readline(max_bytes).removeprefix(codecs.BOM_UTF8)
            while first and not first.strip():  # blank lines before the first record
                first = handle.readline(max_bytes)
    except OSError:
        return None
    if start == b"{" and _is_record(_loads(first.strip())):
        return "jsonl"
    try:
        if path.stat().st_size > max_bytes:
            return "other"
        value = _loads(path.read_bytes().removeprefix(codecs.BOM_UTF8))
    except OSError:
        return None
    if _is_record(value) or (isinstance(value, list) and value
                             and all(_is_record(v) for v in value)):
        return "array"
    return "other" if value is not None else None


def iter_json_array(path: Path, with_topics: Callable[[Publication], Publication],
                    warn: Callable[[str, str], None] | None) -> Iterator[Publication | tuple]:
    """The records of a JSON array file (or of one record), each a Publication or a
    (where, reason, file) for a Skip; `source` names the file and the place (`#3`)."""
    try:
        value = json.loads(path.read_bytes().removeprefix(codecs.BOM_UTF8).decode("utf-8"))
    except OSError as exc:
        yield (str(path), f"не читается: {os_reason(exc)}", None)
        return
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield (str(path), f"не JSON: {file_problem(exc)}", None)
        return
    for number, record in enumerate(value if isinstance(value, list) else [value], 1):
        where = f"{path}#{number}"
        try:
            fixed, problem = mended(record, json.dumps(record, ensure_ascii=False).encode())
            pub = Publication.from_dict(fixed, source=where)
        except InvalidRecord as exc:
            yield (where, str(exc), str(path))
            continue
        if problem and warn is not None:
            warn(where, problem)
        yield with_topics(pub)


def _loads(data: bytes):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None


def _is_record(value) -> bool:
    return isinstance(value, dict) and bool(RECORD_FIELDS & value.keys())


# Python's JSON messages (json.decoder, _json.c) in Russian; one not here is shown as is.
# Those ending in «at» were printed with nothing after it («Invalid control character at
# (the line…)»): the place follows them in brackets like the others'.
_JSON_WORDS = {
    "Expecting value": "ожидалось значение",
    "Expecting ',' delimiter": "ожидалась запятая",
    "Expecting ':' delimiter": "ожидалось двоеточие",
    "Expecting property name enclosed in double quotes": "ожидалось имя поля в двойных кавычках",
    "Unterminated string starting at": "незакрытая строка",
    "Invalid control character at": "недопустимый управляющий символ",
    "Invalid \\escape": "неверная escape-последовательность",
    "Invalid \\uXXXX escape": "неверная последовательность \\uXXXX",
    "Extra data": "лишние данные после записи",
    "Illegal trailing comma before end of object": "лишняя запятая перед концом объекта",
    "Illegal trailing comma before end of array": "лишняя запятая перед концом массива",
}


def json_problem(exc: json.JSONDecodeError) -> str:
    """`незакрытая строка (столбец 24)`: what is wrong with a line of JSON, and where."""
    words = _JSON_WORDS.get(exc.msg, exc.msg.removesuffix(" at"))
    return f"{words} ({_place(exc)})"


def file_problem(exc: UnicodeDecodeError | json.JSONDecodeError) -> str:
    """What is wrong with a whole file of JSON: not UTF-8, or where its JSON breaks."""
    if isinstance(exc, UnicodeDecodeError):
        return "не текст в UTF-8"
    words = _JSON_WORDS.get(exc.msg, exc.msg.removesuffix(" at"))
    return f"{words} (строка {exc.lineno}, столбец {exc.colno})"


def _place(exc: json.JSONDecodeError) -> str:
    """Where in the line: a record cut short (a closing brace lost) was said to be wrong
    at `column 1`, the place after the line's end."""
    if not exc.doc[exc.pos:].strip():
        return "строка кончается раньше записи: обрезана?"
    return f"столбец {exc.colno}"
