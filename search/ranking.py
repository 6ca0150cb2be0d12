"""Ranking: BM25F over lemmas, bonuses for exact forms and proximity, mild recency."""

from __future__ import annotations

import datetime as dt

from whoosh import query as wq
from whoosh import scoring

from search.query import ParsedQuery

__all__ = ["weighting", "with_bonuses", "recency_factor"]

EXACT_BONUS = 0.5
PROXIMITY_BONUS = 1.5
PROXIMITY_SLOP = 4


def weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=0.75, K1=1.2)


def with_bonuses(parsed: ParsedQuery) -> wq.Query:
    """The main query, plus optional clauses that reward exact forms and nearby words."""
    bonus = [wq.Term("body_exact", form, boost=EXACT_BONUS) for form in sorted(parsed.forms)]
    bonus += [wq.Term("title_exact", form, boost=EXACT_BONUS) for form in sorted(parsed.forms)]
    if len(parsed.content_lemmas) > 1:
        bonus.append(wq.Phrase("body", list(parsed.content_lemmas), slop=PROXIMITY_SLOP,
                               boost=PROXIMITY_BONUS))
    if not bonus:
        return parsed.query
    return wq.AndMaybe(parsed.query, wq.Or(bonus))


def recency_factor(days: int, today: dt.date, weight: float, half_life: float) -> float:
    """1 + weight for a publication of today, halving every `half_life` days of age."""
    if not days or weight <= 0:
        return 1.0
    age = max(0, today.toordinal() - days)
    return 1.0 + weight * 0.5 ** (age / half_life)
