"""Publications related to one publication (more-like-this for librarians)."""

from __future__ import annotations

from whoosh import query as wq

from search.analysis import index_terms
from search.errors import NotFound
from search.records import topics_of

__all__ = ["similar", "SIMILAR_TERMS"]

SIMILAR_TERMS = 12  # key terms of a publication used to find its neighbours


def similar(view, pid: str, limit: int, title_boost: float) -> list[tuple[dict, float]]:
    """Publications about the same things: the document's key terms (those of its title
    weighted double) searched in titles and bodies, the same topics a little ahead."""
    docnum = view.searcher.document_number(id=pid)
    if docnum is None:
        raise NotFound.publication(pid)
    fields = view.stored_fields(docnum)
    title_lemmas = set(index_terms(fields.get("title", "")))
    text = f"{fields.get('title', '')}\n{fields.get('body', '')}"
    terms = view.searcher.key_terms_from_text("body", text, numterms=SIMILAR_TERMS)
    clauses = []
    for term, weight in terms:
        boost = weight * (2.0 if term in title_lemmas else 1.0)
        clauses += [wq.Term("title", term, boost=boost * title_boost),
                    wq.Term("body", term, boost=boost)]
    if not clauses:
        return []
    results = view.searcher.search(wq.Or(clauses), limit=limit * 4 + 1)
    topics = set(topics_of(fields.get("topics")))
    scored = []
    for hit in results:
        if hit.docnum == docnum:
            continue
        shared = topics & set(topics_of(hit.get("topics")))
        scored.append((hit.score * (1.2 if shared else 1.0), hit.docnum))
    scored.sort(key=lambda item: -item[0])
    return [(view.stored_fields(other), score) for score, other in scored[:limit]]
