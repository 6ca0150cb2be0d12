"""Ranking: BM25F over lemmas, bonuses for exact forms (forms columns) and proximity, mild recency."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
from whoosh import scoring

from search import quoted
from search.engine.whoosh.arrays import union
from search.engine.whoosh.forms import form_hash
from search.engine.whoosh.phrases import phrase_scores
from search.engine.whoosh.proximity import pair_proximity
from search.engine.whoosh.scoring import Scorer
from search.engine.whoosh.view import IndexView
from search.morph import readings
from search.query import ParsedQuery
from search.quoted import naming
from search.settings import Settings
from search.weights import EXACT_BONUS, NAMED_WEIGHT, RERANK_DEPTH

__all__ = ["weighting", "bonus_scores", "recency_factor", "rerank", "RERANK_DEPTH",
           "named_docs"]


def weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=0.75, K1=1.2)


def exact_weights(scorer: Scorer, parsed: ParsedQuery) -> dict[int, float]:
    """Bonus per field for each form typed (by hash): EXACT_BONUS times its lemma's idf."""
    out = {}
    body = scorer.searcher.schema["body"]
    for form in parsed.forms:
        lemma = readings(form)[0].lemma
        out[form_hash(form)] = EXACT_BONUS * scorer.postings.idf("body", body.to_bytes(lemma))
    return out


def bonus_scores(scorer: Scorer, parsed: ParsedQuery, docnums: list[int]) -> dict[int, float]:
    """Exact-form and proximity bonuses for a few candidate documents only.

    Scoring them for every match (AndMaybe) cost a quarter of a search; the candidates
    are the best matches by BM25F, and the bonus only reorders them. A form typed
    earns its bonus once for the title and once for the body that contains it as written.
    """
    if not docnums:
        return {}
    out: dict[int, float] = {}
    weights = exact_weights(scorer, parsed)
    if weights:
        hashes = tuple(weights)
        bonuses = scorer.forms.counts_many(docnums, hashes) @ np.array(
            [weights[h] for h in hashes])
        out = {d: b for d, b in zip(docnums, bonuses.tolist(), strict=True) if b}
    if len(parsed.content_lemmas) > 1:
        ids = np.array(sorted(set(docnums)), np.int64)
        for docnum, bonus in pair_proximity(scorer.postings, "body", parsed.content_lemmas,
                                            ids).items():
            out[docnum] = out.get(docnum, 0.0) + bonus
    return out


def named_docs(scorer: Scorer, parsed: ParsedQuery, final: np.ndarray) -> np.ndarray:
    """The matches (`final`) the query names (search/quoted.py `naming`): quoting it, or
    holding it in the title."""
    key, lemmas = naming(parsed.plain, parsed.words, parsed.content_lemmas)
    found = (quoted_name_docs(scorer, key), title_phrase_docs(scorer, lemmas))
    return union(*(docs[final[docs]] for docs in found))


def quoted_name_docs(scorer: Scorer, key: str | None) -> np.ndarray:
    """Documents quoting a name whose key is `key` (search/quoted.py)."""
    if key is None or quoted.FIELD not in scorer.searcher.schema:
        return np.zeros(0, np.int64)
    return scorer.postings.documents(quoted.FIELD, key.encode("utf-8"))


def title_phrase_docs(scorer: Scorer, lemmas: tuple[str, ...]) -> np.ndarray:
    """Documents whose title holds `lemmas` side by side, in order."""
    if not lemmas or "title" not in scorer.searcher.schema:
        return np.zeros(0, np.int64)
    field = scorer.searcher.schema["title"]
    btexts = [field.to_bytes(lemma) for lemma in lemmas]
    if not all(scorer.postings.has("title", b) for b in btexts):
        return np.zeros(0, np.int64)
    ids, _ = phrase_scores(scorer.postings, "title", btexts, slop=1)
    return np.asarray(ids, np.int64)


def recency_factor(days: int, today: dt.date, weight: float, half_life: float) -> float:
    """1 + weight for a publication of today, halving every `half_life` days of age."""
    if not days or weight <= 0:
        return 1.0
    age = max(0, today.toordinal() - days)
    return 1.0 + weight * 0.5 ** (age / half_life)


def rerank(view: IndexView, parsed: ParsedQuery, final: np.ndarray, scores: np.ndarray,
           needed: int, settings: Settings) -> list[tuple[int, float]]:
    """The best `needed` documents of `final`: BM25F, then bonuses and recency on the top
    RERANK_DEPTH (more when a deeper page asks), publications the query names first."""
    depth = max(RERANK_DEPTH, needed)
    candidates = np.flatnonzero(final)
    naming = named_docs(view.scorer, parsed, final)
    if len(candidates) > depth:
        keep = np.argpartition(-scores[candidates], depth - 1)[:depth]
        candidates = union(candidates[keep], naming)
    base = scores[candidates]
    named = set(naming.tolist())
    bonus = bonus_scores(view.scorer, parsed, candidates.tolist())
    today = dt.date.today()
    scored = []
    for docnum, score in zip(candidates.tolist(), base.tolist(), strict=True):
        factor = recency_factor(int(view.facets.days[docnum]), today,
                                settings.recency_weight,
                                settings.recency_half_life_days)
        scored.append((docnum, (score + bonus.get(docnum, 0.0)) * factor))
    if named:
        lift = NAMED_WEIGHT * max((s for d, s in scored if d not in named), default=0)
        scored = [(d, s + lift if d in named else s) for d, s in scored]
    return _by_score_then_id(view, scored)[:needed]


def _by_score_then_id(view: IndexView, scored: list[tuple[int, float]]) -> list:
    """Best score first; equal scores by publication id, loaded only for the ties.

    Reading an id means loading (and decompressing) a document's stored fields.
    """
    counts = Counter(score for _, score in scored)
    return sorted(scored, key=lambda item: (
        -item[1], view.doc_id(item[0]) if counts[item[1]] > 1 else ""))
