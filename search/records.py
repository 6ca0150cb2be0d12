"""Stored fields of a document as Publications, API hits and API records.

The Whoosh schema keeps its own field names (the text is `body` there); everything
that leaves this module is named as a Publication is.
"""

from __future__ import annotations

from search.models import Hit, Publication

__all__ = ["hit_of", "record_of", "to_hit", "to_publication", "to_record", "topics_of", "attachments_of"]


def _iso(value) -> str | None:
    return value.date().isoformat() if value else None


def topics_of(value: str | None) -> list[str]:
    return [t for t in (value or "").split(",") if t]


def to_hit(fields: dict, snippet: str, score, copies: list[str] | None = None) -> Hit:
    return Hit(id=fields["id"], title=fields.get("title", ""), url=fields.get("url"),
               published=_iso(fields.get("published")), author=fields.get("author"),
               topics=topics_of(fields.get("topics")), library=fields.get("library"),
               snippet=snippet, score=round(float(score), 4) if score is not None else None,
               parent_id=fields.get("parent_id"), copies=copies or [])


def hit_of(pub: Publication, snippet: str, score, copies=()) -> Hit:
    """The API hit of a publication."""
    return Hit(id=pub.id, title=pub.title, url=pub.url,
               published=pub.published.isoformat() if pub.published else None,
               author=pub.author, topics=list(pub.topics), library=pub.library,
               snippet=snippet, score=round(float(score), 4) if score is not None else None,
               parent_id=pub.parent_id, copies=list(copies))


def record_of(pub: Publication) -> dict:
    """A publication as the API gives it: `Publication.to_dict()` without `source`, the
    server's file path, which is private; the long text comes last, as it always has."""
    record = pub.to_dict()
    del record["source"]
    record["text"] = record.pop("text")
    return record


def to_publication(fields: dict) -> Publication:
    """The Publication a document was written from (search/engine/whoosh/documents.py `to_document`)."""
    published = fields.get("published")
    return Publication(
        id=fields["id"], title=fields.get("title", ""), text=fields.get("body", ""),
        url=fields.get("url"), published=published.date() if published else None,
        author=fields.get("author"), author_position=fields.get("author_position"),
        photographer=fields.get("photographer"), topics=tuple(topics_of(fields.get("topics"))),
        library=fields.get("library"), source=fields.get("source", ""),
        parent_id=fields.get("parent_id"))


def to_record(fields: dict) -> dict:
    """A publication as the API gives it: `Publication.to_dict()` without `source`, the
    server's file path, which is private; the long text comes last, as it always has."""
    record = to_publication(fields).to_dict()
    del record["source"]
    record["text"] = record.pop("text")
    return record


def attachments_of(searcher, pid: str) -> list[dict]:
    """The records whose parent is `pid` (files linked from that page), by title, without text."""
    found = [to_record(fields) for fields in searcher.documents(parent_id=pid)]
    for record in found:
        record.pop("text", None)
    return sorted(found, key=lambda r: (r["title"], r["id"]))
