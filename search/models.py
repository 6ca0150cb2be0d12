"""Value objects shared by the indexer, the search core and the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from types import MappingProxyType

from search.errors import InvalidRecord, QueryError
from search.record_fields import (
    clean_name,
    clean_text,
    is_link,
    parse_iso_date,
    record_id,
    validate_id,
)
from search.source_paths import file_of

__all__ = [
    "Publication", "SearchRequest", "Hit", "FacetValue", "SearchResult", "FILE_ID_KINDS",
    "SORTS", "FACETS",
]

SORTS = ("relevance", "date_desc", "date_asc")
FACETS = ("topic", "author", "library", "year")
@dataclass(frozen=True)
class Publication:
    """One library publication: what is indexed and what comes back, its fields named as
    in the JSON (`to_dict`, `/api/publications/{id}`)."""

    id: str
    title: str
    text: str
    url: str | None = None
    published: dt.date | None = None
    author: str | None = None
    author_position: str | None = None
    photographer: str | None = None
    topics: tuple[str, ...] = ()
    library: str | None = None
    source: str = ""
    parent_id: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        d["topics"] = list(self.topics)
        return d

    def fingerprint(self) -> bytes:
        """A digest of every field, the same in any process: an incremental reindex leaves
        a stored publication whose fingerprint equals the incoming one's as it is.

        `source` counts by its file only: a record's line (`export.jsonl#12`) moves when
        a line above it is added or removed, which changes nothing the index serves."""
        values = self.to_dict()
        values["source"] = file_of(self.source)
        data = json.dumps(values, ensure_ascii=False, sort_keys=True)
        return hashlib.blake2b(data.encode("utf-8"), digest_size=16).digest()

    @classmethod
    def from_dict(cls, data: dict, source: str = "") -> Publication:
        """Build from a JSON record (corpus or API shape); unknown fields are ignored."""
        if not isinstance(data, dict):
            raise InvalidRecord("запись — не объект JSON")
        pid = record_id(data.get("id"))
        title = clean_text(data.get("title"), "title")
        text = clean_text(data.get("text", data.get("body")), "text")  # `body`: older journals and records
        if not pid:
            raise InvalidRecord("у записи нет id")
        if not title and not text:
            raise InvalidRecord(f"у записи {pid!r} нет ни title, ни text")
        topics = data.get("topics", data.get("topic"))
        if isinstance(topics, str):
            topics = [topics]
        if topics is not None and not (isinstance(topics, list)
                                       and all(isinstance(t, str) for t in topics)):
            raise InvalidRecord("topics должно быть строкой или списком строк")
        topics = tuple(clean_name(t) for t in (topics or ()) if t.strip())
        url = clean_text(data.get("url"), "url")
        return cls(
            id=validate_id(str(pid)),
            title=title or text[:120],
            text=text,
            url=url if url and is_link(url) else None,  # never a `javascript:` link
            published=parse_iso_date(data.get("date", data.get("published"))),
            author=clean_name(data.get("author"), "author") or None,
            author_position=clean_text(data.get("author_position"), "author_position") or None,
            photographer=clean_text(data.get("photographer"), "photographer") or None,
            topics=topics,
            library=clean_name(data.get("library"), "library") or None,
            source=clean_text(data.get("source_file"), "source_file") or source,
            parent_id=clean_text(data.get("parent_id"), "parent_id") or None,
        )


# The kinds of id a file's one publication gets from its name (indexer/extract.py's
# file_id: `page-…`, `doc-…`); an incremental run keeps such a file's id (search/engine).
FILE_ID_KINDS = ("page", "doc")
@dataclass(frozen=True)
class SearchRequest:
    """What a user asked for; validated on construction."""

    q: str = ""
    topics: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    snippets: bool = True
    facets: bool = True
    # What the client's request said that is no search (an unknown parameter): told back
    # first among the answer's warnings.
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        if self.sort not in SORTS:
            raise QueryError(f"неизвестный порядок {self.sort!r}: можно {', '.join(SORTS)}",
                             "sort")
        if self.page < 1:
            raise QueryError("page должен быть не меньше 1", "page")
        if self.per_page < 1:
            raise QueryError("per_page должен быть не меньше 1", "per_page")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError(
                f"«from» ({self.date_from}) позже «to» ({self.date_to}): поменяйте их местами",
                "from")

    def filters(self) -> dict[str, tuple]:
        """Facet filters by facet name."""
        return {"topic": self.topics, "author": self.authors,
                "library": self.libraries, "year": tuple(str(y) for y in self.years)}

    @property
    def browsing(self) -> bool:
        return not self.q.strip()


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    url: str | None
    published: str | None
    author: str | None
    topics: list[str]
    library: str | None
    snippet: str
    score: float
    parent_id: str | None = None
    copies: list[str] = field(default_factory=list)  # ids of the same text republished


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class SearchResult:
    """One answer, built once and never changed: the search keeps it in a cache shared by
    every caller, so its sequences are tuples and its facets a read-only mapping."""

    query: str
    total: int
    page: int
    per_page: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    did_you_mean: str | None = None
    corrected: bool = False
    # What `did_you_mean` mends (search/correction.py CORRECTION_KINDS): a page words its
    # notice by it; a word completed (`выст`: «выст*») is no typo.
    correction: str | None = None
    relaxed: bool = False
    warnings: tuple[str, ...] = ()
    # Publications with only some of the words, shown apart below a short page of full
    # matches; never counted in `total`, the facets or an export.
    partial: tuple[Hit, ...] = ()
    partial_total: int = 0
    # Publications that match but are copies of a text shown (listed on its hit as
    # `copies`): not counted in `total`, as the facets count each group of copies once.
    copies_total: int = 0
    # Topics whose names hold every word of a query that found nothing or little (`краеведение`):
    # offered as links to their publications; `warnings` says the same in words.
    topic_hints: tuple[FacetValue, ...] = ()

    def __post_init__(self):
        # Whatever sequences the caller passed, what is kept cannot be changed in place.
        set_ = object.__setattr__
        set_(self, "hits", tuple(self.hits))
        set_(self, "warnings", tuple(self.warnings))
        set_(self, "partial", tuple(self.partial))
        set_(self, "topic_hints", tuple(self.topic_hints))
        set_(self, "facets", MappingProxyType(
            {name: tuple(values) for name, values in self.facets.items()}))

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "hits": [_as_dict(h) for h in self.hits],
            "facets": {k: [_as_dict(v) for v in vs] for k, vs in self.facets.items()},
            "did_you_mean": self.did_you_mean,
            "corrected": self.corrected,
            "correction": self.correction,
            "relaxed": self.relaxed,
            "warnings": list(self.warnings),
            "partial": [_as_dict(h) for h in self.partial],
            "partial_total": self.partial_total,
            "copies_total": self.copies_total,
            "topic_hints": [_as_dict(t) for t in self.topic_hints],
        }


def _as_dict(value) -> dict:
    """dataclasses.asdict for Hit and FacetValue (flat: strings, numbers and lists of
    strings), each list copied: the same dict without asdict's deep copy of every value,
    which was a tenth of a search request's time."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    out = {}
    for name in names:
        item = getattr(value, name)
        out[name] = list(item) if isinstance(item, (list, tuple)) else item
    return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
