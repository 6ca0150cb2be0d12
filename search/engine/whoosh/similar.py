"""Publications related to one publication (more-like-this for librarians)."""

from __future__ import annotations

from collections import defaultdict
from math import log

import numpy as np

from search import nodes as n
from search.analysis import index_terms
from search.duplicates import shown_copy
from search.engine.whoosh.term_table import term_weight
from search.errors import NotFound
from search.records import topics_of

__all__ = ["similar", "key_terms", "SIMILAR_TERMS", "SIMILAR_TEXT_CHARS"]

SIMILAR_TERMS = 12  # key terms of a publication used to find its neighbours
# Key terms come from the text's beginning (as Lucene's MoreLikeThis parses at most
# 5,000 tokens): a long article says there what it is about, and each distinct word
# costs a lookup in every segment (a 25,000-character article: 90 ms).
SIMILAR_TEXT_CHARS = 8_000


def similar(view, pid: str, limit: int,
            title_boost: float) -> list[tuple[dict, float, list[int]]]:
    """Publications about the same things: the document's key terms (those of its title
    weighted double) searched in titles and bodies, the same topics a little ahead.
    Each with the document numbers of its other copies; none is a copy of `pid`'s text
    (search/duplicates.py), and a group of copies takes one place."""
    docnum = view.searcher.document_number(id=pid)
    if docnum is None:
        raise NotFound.publication(pid)
    fields = view.stored_fields(docnum)
    title_lemmas = set(index_terms(fields.get("title", "")))
    text = f"{fields.get('title', '')}\n{fields.get('body', '')}"[:SIMILAR_TEXT_CHARS]
    terms = key_terms(view.searcher, text, SIMILAR_TERMS)
    clauses = []
    for term, weight in terms:
        boost = weight * (2.0 if term in title_lemmas else 1.0)
        clauses += [n.Term("title", term, boost=boost * title_boost),
                    n.Term("body", term, boost=boost)]
    if not clauses:
        return []
    topics = set(topics_of(fields.get("topics")))
    groups, sizes = view.facets.groups, view.facets.group_sizes
    scored = []
    for other, score in _best(view, n.Or(tuple(clauses)), limit * 4 + 1):
        if other == docnum or groups[other] == groups[docnum]:
            continue
        shared = topics & set(topics_of(view.stored_fields(other).get("topics")))
        scored.append((score * (1.2 if shared else 1.0), other))
    scored.sort(key=lambda item: -item[0])
    taken: set[int] = set()
    out = []
    for score, other in scored:
        if groups[other] in taken:
            continue
        taken.add(groups[other])
        shown, copies = other, []
        if sizes[other] > 1:  # its live copies (an updated publication's old version is
            # deleted, and still in its group); a walk of every document, so only then
            members = np.flatnonzero((groups == groups[other]) & view.facets.live).tolist()
            shown, copies = shown_copy(members, view.doc_id)
        out.append((view.stored_fields(shown), score, copies))
        if len(out) == limit:
            break
    return out


def key_terms(searcher, text: str, number: int) -> list[tuple[str, float]]:
    """searcher.key_terms_from_text("body", text, number): the text's words by Whoosh's
    Bo1 model, normalized, the same floats in the same order. Each word's collection
    frequency is read with one lookup per segment (search/engine/whoosh/term_table.py);
    Whoosh's multi-segment reader made two or three (is it there, then how often)
    through its file layers, most of a similar-publications request."""
    field = searcher.schema["body"]
    weights: dict[bytes, float] = defaultdict(float)
    for btext, _, weight, _ in field.index(text):
        weights[btext] += weight
    readers = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
    documents = searcher.doc_count_all()
    scored, best = [], 0
    for btext, weight in weights.items():
        found, collection = False, 0
        for reader in readers:
            part = term_weight(reader, "body", btext)
            if part is not None:
                collection += part
                found = True
        if not found:
            continue
        f = collection / documents
        score = weight * log((1.0 + f) / f, 2) + log(1.0 + f, 2)
        best = max(best, score)
        scored.append((score, field.from_bytes(btext)))
    if not scored:
        return []
    norm = best
    if best:
        f = best / documents
        norm = (best * log((1.0 + f) / f) + log(1.0 + f)) / log(2.0)
    ranked = sorted(((score / norm, word) for score, word in scored),
                    key=lambda item: (0 - item[0], item[1]))
    return [(word, weight) for weight, word in ranked[:number]]


def _best(view, query: n.Node, count: int) -> list[tuple[int, float]]:
    """The `count` best live documents by the numpy scorer, ties by number: what Whoosh's
    searcher.search(limit=count) returns, without stepping its matchers through every
    posting of two dozen terms (0.2 s a publication at 100,000)."""
    scores = view.scorer.match(query)
    scores[~view.facets.live] = -np.inf
    found = np.flatnonzero(np.isfinite(scores))
    if len(found) > count:  # every score at least the count-th best, ties included
        threshold = np.partition(scores[found], len(found) - count)[len(found) - count]
        found = found[scores[found] >= threshold]
    order = np.lexsort((found, -scores[found]))[:count]
    return list(zip(found[order].tolist(), scores[found[order]].tolist(), strict=True))
