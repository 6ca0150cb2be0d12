"""What a publication sent to the API (PUT) may hold, stricter than a corpus record.

A corpus line is read leniently (unknown fields ignored: exports carry many); a record
an editor sends is checked, so a typo in a field name or a wrong type is told back
instead of being silently dropped.
"""

from __future__ import annotations

from search.errors import InvalidRecord
from search.markup import plain_line, plain_text
from search.record_fields import is_link, record_id

__all__ = ["check_record_input", "without_markup", "RECORD_FIELDS", "FIELD_LIMITS",
           "MAX_TOPICS", "MAX_TOPIC_LENGTH"]

# What GET /api/publications/{id} returns (so a record read can be sent back), and the
# names the README gives for writing (`date`, a single `topic`).
RECORD_FIELDS = ("id", "title", "text", "date", "published", "author", "author_position",
                 "photographer", "topics", "topic", "library", "url", "parent_id")


# A facet value or a line of a record is short: a CMS bug that pasted a body into
# `author` made a 50,000-character facet value (the body's own limit is the request's).
MAX_TOPICS, MAX_TOPIC_LENGTH = 20, 100  # `topics`, and a topic sent alone (`topic`)
FIELD_LIMITS = {"title": 1_000, "author": 300, "author_position": 300, "photographer": 300,
                "library": 300, "topic": MAX_TOPIC_LENGTH, "url": 2_000, "parent_id": 200}


def check_record_input(data: dict, pid: str) -> None:
    """Raise InvalidRecord naming the first problem of a record sent by PUT to `pid`."""
    sent = record_id(data.get("id"))  # an id may be a number: `1` is the `1` of the address
    if sent not in (None, pid):
        raise InvalidRecord(f"id в записи ({str(data['id'])[:100]!r}) не совпадает с id в "
                            f"адресе ({pid!r})")
    unknown = sorted(set(data) - set(RECORD_FIELDS) - {"source_file"})
    if unknown:
        raise InvalidRecord(f"неизвестное поле {', '.join(map(repr, unknown))}; "
                            f"поля записи: {', '.join(RECORD_FIELDS)}")
    for name in ("topics", "topic"):
        value = data.get(name)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise InvalidRecord(f"{name} должно быть строкой или списком строк")
    for name, limit in FIELD_LIMITS.items():
        value = data.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise InvalidRecord(f"{name} длиннее {limit} символов ({len(value)})")
    listed = data.get("topics")
    listed = [listed] if isinstance(listed, str) else listed
    if isinstance(listed, list) and len(listed) > MAX_TOPICS:
        raise InvalidRecord(f"topics: не больше {MAX_TOPICS} тем, а их {len(listed)}")
    if isinstance(listed, list) and any(len(t) > MAX_TOPIC_LENGTH for t in listed):
        raise InvalidRecord(f"topics: тема длиннее {MAX_TOPIC_LENGTH} символов")
    url = data.get("url")
    if isinstance(url, str) and url.strip() and not is_link(url):
        raise InvalidRecord(f"url {url[:100]!r} — не адрес http(s) и не путь на сайте")


def without_markup(data: dict) -> dict:
    """The record with its title and text as plain text, when an editor sent them as HTML
    (search/markup.py): a CMS's rich text, its entities."""
    out = dict(data)
    for name, convert in (("title", plain_line), ("text", plain_text), ("body", plain_text)):
        if isinstance(out.get(name), str):
            out[name] = convert(out[name])
    return out
