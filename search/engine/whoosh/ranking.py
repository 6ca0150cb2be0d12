"""Ranking: BM25F over lemmas, bonuses for exact forms (forms columns) and proximity, mild recency."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
from whoosh import scoring

from search import quoted
from search.engine import RankHints
from search.engine.whoosh.arrays import union
from search.engine.whoosh.forms import form_hash
from search.engine.whoosh.phrases import phrase_scores
from search.engine.whoosh.proximity import pair_proximity
from search.engine.whoosh.scoring import Scorer
from search.engine.whoosh.view import IndexView
from search.morph import readings
from search.quoted import naming
from search.settings import Settings
from search.weights import EXACT_BONUS, NAMED_WEIGHT, RERANK_DEPTH

__all__ = ["weighting", "bonus_scores", "recency_factors", "prior_factors", "rerank",
           "RERANK_DEPTH", "named_docs"]


def weighting() -> scoring.WeightingModel:
    """BM25F; the people field without length normalization. Whoosh divides a field's
    length by the average over all documents, and most have no author line: a signed
    post's two-word line weighed as 60 times the average, and `Белова` ranked the posts
    Марина Белова signed last, behind every text naming another Белов."""
    return scoring.BM25F(B=0.75, K1=1.2, people_B=0.0)


def exact_weights(scorer: Scorer, parsed: RankHints) -> dict[int, float]:
    """Bonus per field for each form typed (by hash): EXACT_BONUS times its lemma's idf."""
    out = {}
    body = scorer.searcher.schema["body"]
    for form in parsed.forms:
        lemma = readings(form)[0].lemma
        out[form_hash(form)] = EXACT_BONUS * scorer.postings.idf("body", body.to_bytes(lemma))
    return out


def bonus_scores(scorer: Scorer, parsed: RankHints, docnums: list[int]) -> dict[int, float]:
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


def named_docs(scorer: Scorer, parsed: RankHints, final: np.ndarray) -> np.ndarray:
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


def recency_factors(days: np.ndarray, today: dt.date, weight: float,
                    half_life: float) -> np.ndarray:
    """Per document (`days`: their dates' ordinals, 0 undated): 1 + weight for a
    publication of today, the weight halving every `half_life` days of age; 1 undated."""
    if weight <= 0:
        return np.ones(len(days))
    age = np.maximum(0, today.toordinal() - days)
    return np.where(days != 0, 1.0 + weight * 0.5 ** (age / half_life), 1.0)


def prior_factors(view: IndexView, docnums: np.ndarray, settings: Settings) -> np.ndarray:
    """What each document's score is multiplied by whatever the query: recency, and the
    library prior (search/weights.py LIBRARY_WEIGHT) for one naming the library."""
    factors = recency_factors(view.facets.days[docnums], dt.date.today(),
                              settings.recency_weight, settings.recency_half_life_days)
    if settings.library_weight > 0:
        factors = factors * np.where(view.library[docnums], 1.0 + settings.library_weight, 1.0)
    return factors


def rerank(view: IndexView, parsed: RankHints, final: np.ndarray, scores: np.ndarray,
           needed: int, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The first `needed` documents of `final` in one order, whatever `needed` is (every
    page is a slice of it): the top RERANK_DEPTH by BM25F and the publications the query
    names, reordered by the bonuses and the priors (recency, library), named first; then
    the other matches by BM25F and the priors alone, as an export goes on.

    The bonuses read each candidate's forms and positions: reranking every match before a
    deep page (page 5,000 of «год» at 100,000 publications: 50,000 of them) took 2 s, and
    a page's order depended on how deep it was. Returns (documents, their final scores)."""
    candidates = every = np.flatnonzero(final)
    naming = named_docs(view.scorer, parsed, final)
    if len(naming) > RERANK_DEPTH:  # the best of them: 8,000 titles of «Исламское
        # государство» at 100,000 publications were all reranked (0.3 s cold)
        best = np.argpartition(-scores[naming], RERANK_DEPTH - 1)[:RERANK_DEPTH]
        naming = np.sort(naming[best])
    if len(candidates) > RERANK_DEPTH:
        keep = np.argpartition(-scores[candidates], RERANK_DEPTH - 1)[:RERANK_DEPTH]
        candidates = union(candidates[keep], naming)
    base = scores[candidates]
    named = set(naming.tolist())
    bonus = bonus_scores(view.scorer, parsed, candidates.tolist())
    factors = prior_factors(view, candidates, settings)
    scored = [(docnum, (score + bonus.get(docnum, 0.0)) * factor) for docnum, score, factor
              in zip(candidates.tolist(), base.tolist(), factors.tolist(), strict=True)]
    if named:
        lift = NAMED_WEIGHT * max((s for d, s in scored if d not in named), default=0)
        scored = [(d, s + lift if d in named else s) for d, s in scored]
    ranked = _by_score_then_id(view, scored)[:needed]
    docnums = np.array([d for d, _ in ranked], np.int64)
    keys = np.array([score for _, score in ranked], np.float64)
    if len(ranked) < needed and len(every) > len(candidates):  # a page past the top
        reranked = np.zeros(len(final), bool)
        reranked[candidates] = True
        rest = every[~reranked[every]]
        more, more_keys = _by_base_score(view, rest, scores, needed - len(ranked), settings)
        docnums, keys = np.concatenate([docnums, more]), np.concatenate([keys, more_keys])
    return docnums, keys


def _by_base_score(view: IndexView, docnums: np.ndarray, scores: np.ndarray, count: int,
                   settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The best `count` of `docnums` by BM25F and the priors, ties by document number (as
    search/engine/whoosh/exporting.py orders an export): a prefix of their full order."""
    keys = scores[docnums] * prior_factors(view, docnums, settings)
    if len(keys) > count:  # every key at least the count-th largest, ties included
        threshold = np.partition(keys, len(keys) - count)[len(keys) - count]
        chosen = keys >= threshold
        docnums, keys = docnums[chosen], keys[chosen]
    order = np.lexsort((docnums, -keys))[:count]
    return docnums[order], keys[order]


def _by_score_then_id(view: IndexView, scored: list[tuple[int, float]]) -> list:
    """Best score first; equal scores by publication id, loaded only for the ties.

    Reading an id means loading (and decompressing) a document's stored fields.
    """
    counts = Counter(score for _, score in scored)
    return sorted(scored, key=lambda item: (
        -item[1], view.doc_id(item[0]) if counts[item[1]] > 1 else ""))
