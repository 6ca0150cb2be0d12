"""The comparison point: plain Whoosh on the same schema shape, with no morphology.

StandardAnalyzer on every text field, `groupedby` facets over sortable columns, and
Whoosh's default highlighter (ContextFragmenter + HtmlFormatter) re-analysing the
stored body - what a straightforward Whoosh site search does.
"""

from __future__ import annotations

import time
from pathlib import Path

from whoosh import fields, index, qparser, sorting
from whoosh import query as wq
from whoosh.analysis import StandardAnalyzer

from search.models import Publication

__all__ = ["baseline_schema", "baseline_document", "build_baseline", "BaselineSearch"]

FACET_FIELDS = {"topic": "topics", "author": "author", "library": "library", "year": "year"}


def baseline_schema() -> fields.Schema:
    """The same fields as search.schema, analysed by StandardAnalyzer, facets as columns."""
    std = StandardAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.STORED(),
        title=fields.TEXT(analyzer=std, stored=True, phrase=True),
        body=fields.TEXT(analyzer=std, stored=True, phrase=True),
        published=fields.DATETIME(stored=True, sortable=True),
        year=fields.NUMERIC(stored=True, sortable=True),
        author=fields.ID(stored=True, sortable=True),
        author_position=fields.STORED(),
        photographer=fields.STORED(),
        topics=fields.KEYWORD(stored=True, commas=True, scorable=False, lowercase=False),
        library=fields.ID(stored=True, sortable=True),
        source=fields.ID(stored=True),
        parent_id=fields.ID(stored=True),
    )


def baseline_document(pub: Publication) -> dict:
    import datetime as dt

    doc = {"id": pub.id, "url": pub.url, "title": pub.title, "body": pub.text,
           "author_position": pub.author_position, "photographer": pub.photographer,
           "topics": ",".join(t.replace(",", " ") for t in pub.topics), "source": pub.source}
    if pub.published:
        doc["published"] = dt.datetime.combine(pub.published, dt.time())
        doc["year"] = pub.published.year
    for name in ("author", "library", "parent_id"):
        if getattr(pub, name) is not None:
            doc[name] = getattr(pub, name)
    return doc


def build_baseline(path: Path, pubs: list[Publication], limitmb: int = 256) -> dict:
    """Index `pubs` into a fresh plain-Whoosh index at `path`; add/commit seconds."""
    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), baseline_schema())
    writer = ix.writer(limitmb=limitmb)
    t0 = time.perf_counter()
    for pub in pubs:
        writer.add_document(**baseline_document(pub))
    add = time.perf_counter() - t0
    t0 = time.perf_counter()
    writer.commit(optimize=True)
    commit = time.perf_counter() - t0
    ix.close()
    return {"add_seconds": add, "commit_seconds": commit}


def update_baseline(path: Path, pubs: list[Publication]) -> float:
    ix = index.open_dir(str(path))
    t0 = time.perf_counter()
    writer = ix.writer()
    for pub in pubs:
        writer.update_document(**baseline_document(pub))
    writer.commit()
    ix.close()
    return time.perf_counter() - t0


class BaselineSearch:
    """Query, top 10, groupedby facets and default highlights over a baseline index."""

    def __init__(self, path: Path, facet_limit: int = 30):
        self.ix = index.open_dir(str(path))
        self.searcher = self.ix.searcher()
        self.parser = qparser.MultifieldParser(["title", "body"], self.ix.schema,
                                               fieldboosts={"title": 3.0})
        self.facets = sorting.Facets()
        for name, field in FACET_FIELDS.items():
            self.facets.add_field(field, allow_overlap=(name == "topic"))
        self.facet_limit = facet_limit

    def _filter(self, filters: dict) -> wq.Query | None:
        terms = []
        for name, values in filters.items():
            field = FACET_FIELDS[name]
            if not values:
                continue
            if name == "year":
                terms.append(wq.Or([wq.NumericRange("year", int(v), int(v)) for v in values]))
            else:
                terms.append(wq.Or([wq.Term(field, v) for v in values]))
        return wq.And(terms) if terms else None

    def top(self, q: str, filters: dict):
        return self.searcher.search(self.parser.parse(q), limit=10, filter=self._filter(filters))

    def facet_counts(self, q: str, filters: dict) -> dict:
        results = self.searcher.search(self.parser.parse(q), limit=None, scored=False,
                                       groupedby=self.facets, filter=self._filter(filters))
        return {name: _top_counts(results.groups(field), self.facet_limit)
                for name, field in FACET_FIELDS.items()}

    def snippets(self, results) -> list[str]:
        return [hit.highlights("body") for hit in results]

    def full(self, q: str, filters: dict) -> dict:
        """What the API answers: top 10 with snippets, the total and facet counts.

        Two searches (a scored top 10, an unscored groupedby over all matches): a single
        scored search with groupedby and len() is much slower in Whoosh.
        """
        query, allow = self.parser.parse(q), self._filter(filters)
        results = self.searcher.search(query, limit=10, filter=allow)
        hits = [(hit["id"], hit.highlights("body")) for hit in results]
        grouped = self.searcher.search(query, limit=None, scored=False, groupedby=self.facets,
                                       filter=allow)
        facets = {name: _top_counts(grouped.groups(field), self.facet_limit)
                  for name, field in FACET_FIELDS.items()}
        return {"total": len(grouped), "hits": hits, "facets": facets}

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


def _top_counts(groups: dict, limit: int) -> list[tuple]:
    counts = [(k, len(v) if isinstance(v, list) else v) for k, v in groups.items()]
    counts.sort(key=lambda kv: (-kv[1], str(kv[0])))
    return counts[:limit]
