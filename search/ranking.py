"""Ranking: BM25F over lemmas, bonuses for exact forms (forms columns) and proximity, mild recency."""

from __future__ import annotations

import datetime as dt

from whoosh import query as wq
from whoosh import scoring

from search.forms import FormLookup, form_hash
from search.morph import readings
from search.query import ParsedQuery

__all__ = ["weighting", "bonus_query", "bonus_scores", "recency_factor"]

EXACT_BONUS = 0.8  # per field holding a typed form as written, times its lemma's idf
PROXIMITY_BONUS = 1.5
PROXIMITY_SLOP = 4


def weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=0.75, K1=1.2)


def bonus_query(parsed: ParsedQuery) -> wq.Query | None:
    """The optional clause that rewards query words close together."""
    if len(parsed.content_lemmas) > 1:
        return wq.Phrase("body", list(parsed.content_lemmas), slop=PROXIMITY_SLOP,
                         boost=PROXIMITY_BONUS)
    return None


def exact_weights(searcher, parsed: ParsedQuery) -> dict[int, float]:
    """Bonus per field for each form typed (by hash): EXACT_BONUS times its lemma's idf."""
    out = {}
    for form in parsed.forms:
        lemma = readings(form)[0].lemma
        out[form_hash(form)] = EXACT_BONUS * searcher.idf("body", lemma)
    return out


def bonus_scores(searcher, parsed: ParsedQuery, docnums: list[int]) -> dict[int, float]:
    """Exact-form and proximity bonuses for a few candidate documents only.

    Scoring them for every match (AndMaybe) cost a quarter of a search; the candidates
    are the best matches by BM25F, and the bonus only reorders them. A form typed
    earns its bonus once for the title and once for the body that contains it as written.
    """
    if not docnums:
        return {}
    out: dict[int, float] = {}
    weights = exact_weights(searcher, parsed)
    if weights:
        lookup = FormLookup(searcher.reader())
        for docnum in docnums:
            bonus = sum(w * lookup.fields_with(docnum, h) for h, w in weights.items())
            if bonus:
                out[docnum] = bonus
    query = bonus_query(parsed)
    if query is None:
        return out
    matcher = query.matcher(searcher, searcher.context())
    for docnum in sorted(docnums):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            out[docnum] = out.get(docnum, 0.0) + matcher.score()
    return out


def recency_factor(days: int, today: dt.date, weight: float, half_life: float) -> float:
    """1 + weight for a publication of today, halving every `half_life` days of age."""
    if not days or weight <= 0:
        return 1.0
    age = max(0, today.toordinal() - days)
    return 1.0 + weight * 0.5 ** (age / half_life)
