"""Ranking: BM25F over lemmas, bonuses for exact forms and proximity, mild recency."""

from __future__ import annotations

import datetime as dt

from whoosh import query as wq
from whoosh import scoring

from search.query import ParsedQuery

__all__ = ["weighting", "bonus_query", "bonus_scores", "recency_factor"]

EXACT_BONUS = 0.5
PROXIMITY_BONUS = 1.5
PROXIMITY_SLOP = 4


def weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=0.75, K1=1.2)


def bonus_query(parsed: ParsedQuery) -> wq.Query | None:
    """Optional clauses that reward the exact word forms typed and query words close together."""
    bonus = [wq.Term("body_exact", form, boost=EXACT_BONUS) for form in sorted(parsed.forms)]
    bonus += [wq.Term("title_exact", form, boost=EXACT_BONUS) for form in sorted(parsed.forms)]
    if len(parsed.content_lemmas) > 1:
        bonus.append(wq.Phrase("body", list(parsed.content_lemmas), slop=PROXIMITY_SLOP,
                               boost=PROXIMITY_BONUS))
    return wq.Or(bonus) if bonus else None


def bonus_scores(searcher, parsed: ParsedQuery, docnums: list[int]) -> dict[int, float]:
    """The bonus clauses' scores for a few candidate documents only.

    Scoring them for every match (AndMaybe) cost a quarter of a search; the candidates
    are the best matches by BM25F, and the bonus only reorders them.
    """
    query = bonus_query(parsed)
    if query is None or not docnums:
        return {}
    matcher = query.matcher(searcher, searcher.context())
    out: dict[int, float] = {}
    for docnum in sorted(docnums):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            out[docnum] = matcher.score()
    return out


def recency_factor(days: int, today: dt.date, weight: float, half_life: float) -> float:
    """1 + weight for a publication of today, halving every `half_life` days of age."""
    if not days or weight <= 0:
        return 1.0
    age = max(0, today.toordinal() - days)
    return 1.0 + weight * 0.5 ** (age / half_life)
