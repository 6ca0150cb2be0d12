"""A Publication as the document Whoosh's writers add: its fields, the derived ones
(people, stems, quoted names) and the stored facet data.
"""

from __future__ import annotations

import datetime as dt
import json

from search.duplicates import copy_keys
from search.engine.whoosh.segment_writer import (
    QUOTED_OF_TITLE_AND_BODY,
    quoted_text,
    stems_text,
)
from search.models import Publication
from search.people import surnames

__all__ = ["to_document"]


def to_document(pub: Publication, deferred: bool = False) -> dict:
    """A Publication as the keyword arguments of Whoosh's add_document.

    `deferred`: for a CompactSegmentWriter (a rebuild), the quoted names are left to it
    (QUOTED_OF_TITLE_AND_BODY)."""
    published = dt.datetime.combine(pub.published, dt.time()) if pub.published else None
    text_key, url_key = copy_keys(pub)
    facet = {"a": pub.author, "l": pub.library, "t": list(pub.topics),
             "d": pub.published.toordinal() if pub.published else 0,
             "k": text_key, "u": url_key}
    doc = {
        "id": pub.id,
        "url": pub.url,
        "title": pub.title,
        "body": pub.text,  # still `body` in Whoosh: a new name would need a new schema
        "people": surnames(pub.author),
        "stems": stems_text(pub.title, pub.text),
        "quoted": QUOTED_OF_TITLE_AND_BODY if deferred else quoted_text(pub.title, pub.text),
        "author_position": pub.author_position,
        "photographer": pub.photographer,
        "topics": ",".join(t.replace(",", " ") for t in pub.topics),
        "source": pub.source,
        "facet_data": json.dumps(facet, ensure_ascii=False).encode("utf-8"),
    }
    for name, value in (("published", published), ("author", pub.author),
                        ("library", pub.library), ("parent_id", pub.parent_id)):
        if value is not None:
            doc[name] = value
    return doc
