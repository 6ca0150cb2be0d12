"""A Publication as an OpenSearch document, and back.

The analysis is ours (search/analysis.py), not OpenSearch's: each analysis field is sent
as a string of whitespace-separated tokens, one per position, the lemmas that share a
position joined by `|` (`стать|сталь`). The index's `lemmas` analyzer splits them again
into tokens at one position (search/engine/opensearch/mapping.py), so phrases over
lemmas work as they do in Whoosh. The Publication itself travels as `pub`, an object the
index stores but does not look into, so that `get` gives back exactly what was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from search.analysis import index_terms
from search.duplicates import copy_keys
from search.engine import EngineHit
from search.models import Publication
from search.people import surnames
from search.quoted import quoted_keys
from search.stems import stem_terms

__all__ = ["Analyzed", "analyze", "to_source", "from_source", "folded_hit", "token_string", "GAP"]

GAP = "_"  # stands at a position without a term, so later words keep their places


def token_string(terms: dict[str, list[int]]) -> str:
    """{lemma: positions} as one token per position, alternatives joined by `|`.

    >>> token_string({"стать": [1], "сталь": [1], "он": [0], "мастер": [2]})
    'он сталь|стать мастер'
    """
    at: dict[int, list[str]] = {}
    for lemma, positions in terms.items():
        for pos in positions:
            at.setdefault(pos, []).append(lemma)
    if not at:
        return ""
    return " ".join("|".join(sorted(at[p])) if p in at else GAP for p in range(max(at) + 1))


@dataclass
class Analyzed:
    """What the index holds of one publication besides the publication itself."""

    fields: dict[str, str]  # analysis field -> token string
    forms: set[str] = field(default_factory=set)  # title and body words as written
    title_terms: frozenset[str] = frozenset()
    body_terms: frozenset[str] = frozenset()
    quoted: list[str] = field(default_factory=list)
    people_terms: frozenset[str] = frozenset()  # the signature's surnames


def analyze(pub: Publication) -> Analyzed:
    """The analysis fields of search/nodes.py, as search/engine/whoosh/documents.py derives them."""
    forms: set[str] = set()
    title = index_terms(pub.title, forms)
    body = index_terms(pub.text, forms)
    people = index_terms(surnames(pub.author))
    both = f"{pub.title}\n{pub.text}"
    stems = " ".join(stem_terms(both))
    return Analyzed(
        fields={"title": token_string(title), "body": token_string(body),
                "people": token_string(people), "stems": stems},
        forms=forms, title_terms=frozenset(title), body_terms=frozenset(body),
        quoted=quoted_keys(both), people_terms=frozenset(people))


def to_source(pub: Publication, group: str, analyzed: Analyzed | None = None) -> dict:
    """The document indexed for `pub`; `group` names its copies (search/duplicates.py)."""
    a = analyzed or analyze(pub)
    text_key, url_key = copy_keys(pub)
    return {
        "id": pub.id,
        "pub": pub.to_dict(),
        **a.fields,
        "quoted": a.quoted,
        "forms": sorted(a.forms),
        "topics": list(pub.topics),
        "author": pub.author,
        "library": pub.library,
        "year": str(pub.published.year) if pub.published else None,
        "published": pub.published.isoformat() if pub.published else None,
        "group": group,
        "text_key": text_key,
        "url_key": url_key,
        "parent_id": pub.parent_id,
        "source": pub.source,
    }


def from_source(source: dict) -> Publication:
    """The Publication a document was written from (its `pub`), unchanged."""
    data = dict(source["pub"])
    published = data.pop("published", None)
    data["published"] = dt.date.fromisoformat(published) if published else None
    data["topics"] = tuple(data.get("topics") or ())
    return Publication(**data)


def folded_hit(hit: dict, copies: Mapping[str, list[dict]], scored: bool) -> EngineHit:
    """A collapsed hit shown as its group's matching copy of the smallest id
    (search/duplicates.py shown_copy), with the ids of the others; the score is the hit's."""
    members = copies.get(hit["_source"].get("group"), ())
    shown = members[0] if members else hit
    score = hit.get("_score") if scored else None
    return EngineHit(from_source(shown["_source"]), float(score) if score is not None else None,
                     tuple(m["_id"] for m in members if m["_id"] != shown["_id"]))
