"""BM25F scores of a whole query as numpy arrays, equal to Whoosh's, without its matchers.

Whoosh's matcher tree scores one posting at a time in Python, which was 43% of a search.
Here a Term is one vectorized BM25F over its posting arrays, And, Or, AndNot and
ExactForm are mask and sum operations over dense arrays with one slot per document,
and a Phrase checks positions only where all its words occur (search/phrases.py).
Anything else (Sequence, Prefix, Not) runs through Whoosh's own matcher, for that
sub-query only. Scores equal `searcher.search(q, limit=None)`'s up to float rounding
(tests/test_scoring.py); HONOR_MINMATCH would make `Or(minmatch=n)` do what it says.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from search.forms import ExactForm, form_hash
from search.phrases import phrase_scores
from search.postings import POSTINGS_CACHE_BYTES, Postings

__all__ = ["Scorer", "HONOR_MINMATCH"]

# Whoosh 2.7 ignores Or(minmatch=...); here a document needs `minmatch` matching children,
# which is what search/query.py's result-set rule for long questions says.
HONOR_MINMATCH = True

_Match = tuple[np.ndarray, np.ndarray]  # (bool mask, scores: 0 where the mask is False)


class Scorer:
    """Scores queries over one open searcher; built once per IndexView."""

    def __init__(self, searcher, size: int, honor_minmatch: bool = HONOR_MINMATCH,
                 cache_bytes: int = POSTINGS_CACHE_BYTES):
        self.searcher = searcher
        self.size = size
        self.honor_minmatch = honor_minmatch
        self.postings = Postings(searcher, size, cache_bytes)
        self.forms = self.postings.forms

    def match(self, query: wq.Query, memo: dict | None = None) -> np.ndarray:
        """BM25F score of every document, -inf where `query` does not match.

        `memo` shares phrases, exact forms and Whoosh-run sub-queries between the calls
        of one search (the strict and the relaxed query have most of them in common).
        """
        if query is wq.NullQuery:
            return np.full(self.size, -np.inf)
        mask, scores = self._eval(query, {} if memo is None else memo)
        return np.where(mask, scores, -np.inf)

    # -- query nodes ---------------------------------------------------------------
    def _eval(self, q: wq.Query, memo: dict) -> _Match:
        kind = type(q)
        if not self.postings.bm25f:
            return self._whoosh(q, memo)
        if kind is wq.Term:
            return self._term(q, memo)
        if kind in (wq.Or, wq.And) and len(q.subqueries) <= 1:
            # Whoosh hands a single child's matcher back unwrapped (its boost is lost)
            return self._eval(q.subqueries[0], memo) if q.subqueries else self._empty()
        if kind is wq.Or and q.scale is None:
            return self._or(q, memo)
        if kind is wq.And:
            return self._and(q, memo)
        if kind is wq.AndNot:
            mask, scores = self._eval(q.a, memo)
            mask = mask & ~self._eval(q.b, memo)[0]
            return mask, np.where(mask, scores, 0.0)  # Whoosh ignores an AndNot's boost
        if kind is ExactForm:
            return self._exact_form(q, memo)
        if kind is wq.Phrase:
            return self._phrase(q, memo)
        if kind is wq.Sequence and _slots(q) is not None:
            return self._sequence(q, memo)
        if kind is wq.Every and q.fieldname is None:
            return np.ones(self.size, bool), np.full(self.size, float(q.boost))
        if q is wq.NullQuery:
            return self._empty()
        return self._whoosh(q, memo)

    def _or(self, q: wq.Or, memo: dict) -> _Match:
        count = np.zeros(self.size, np.int32)
        scores = np.zeros(self.size)
        for sub in q.subqueries:
            mask, part = self._eval(sub, memo)
            count += mask
            scores += part
        if q.boost != 1:
            scores *= q.boost
        if self.honor_minmatch and q.minmatch > 1:
            mask = count >= q.minmatch
            return mask, np.where(mask, scores, 0.0)
        return count > 0, scores

    def _and(self, q: wq.And, memo: dict) -> _Match:
        mask = np.ones(self.size, bool)
        scores = np.zeros(self.size)
        for sub in q.subqueries:
            part_mask, part = self._eval(sub, memo)
            mask &= part_mask
            scores += part
        return mask, np.where(mask, scores * q.boost, 0.0)

    def _exact_form(self, q: ExactForm, memo: dict) -> _Match:
        """The child's documents whose forms columns hold the form as written."""
        key = ("exact", q)
        if key not in memo:
            mask, scores = self._eval(q.child, memo)
            h = (form_hash(q.form),)
            docnums = np.flatnonzero(mask)
            keep = np.array([self.forms.counts(d, h)[0] > 0 for d in docnums.tolist()], bool)
            out = np.zeros(self.size, bool)
            out[docnums[keep]] = True
            memo[key] = (out, np.where(out, scores, 0.0))
        return memo[key]

    def _phrase(self, q: wq.Phrase, memo: dict) -> _Match:
        schema = self.searcher.schema
        if q.fieldname not in schema:
            return self._empty()
        field = schema[q.fieldname]
        if not (q.words and field.scorable and field.format
                and field.format.supports("positions")):
            return self._whoosh(q, memo)  # Whoosh's own answer, or its QueryError
        try:
            btexts = [field.to_bytes(word) for word in q.words]
        except ValueError:
            return self._empty()
        reader = self.searcher.reader()
        if any((q.fieldname, b) not in reader for b in btexts):
            return self._empty()
        key = ("phrase", q)
        if key not in memo:
            ids, scores = phrase_scores(self.postings, q.fieldname, btexts, q.slop)
            mask, out = self._empty()
            mask[ids] = True
            out[ids] = scores * q.boost if q.boost != 1 else scores
            memo[key] = (mask, out)
        return memo[key]

    def _sequence(self, q: wq.Sequence, memo: dict) -> _Match:
        """A phrase whose places each hold any of several lemmas (homonyms, names)."""
        fieldname, slots = _slots(q)
        key = ("sequence", q)
        if key not in memo:
            field = self.searcher.schema[fieldname]
            reader = self.searcher.reader()
            btexts = [[b for b in (field.to_bytes(w) for w in slot) if (fieldname, b) in reader]
                      for slot in slots]
            mask, out = self._empty()
            if all(btexts):
                ids, scores = phrase_scores(self.postings, fieldname, btexts, q.slop)
                mask[ids] = True
                out[ids] = scores * q.boost
            memo[key] = (mask, out)
        return memo[key]

    def _whoosh(self, q: wq.Query, memo: dict) -> _Match:
        """Whoosh's own matcher for a query type not evaluated here, leaf by leaf."""
        key = ("whoosh", q)
        if key not in memo:
            mask, scores = self._empty()
            context = self.searcher.context()
            for leaf, offset in self.postings.leaves:
                m = q.matcher(leaf, context)
                while m.is_active():
                    docnum = m.id() + offset
                    mask[docnum] = True
                    scores[docnum] = m.score()
                    m.next()
            memo[key] = (mask, scores)
        return memo[key]

    def _empty(self) -> _Match:
        return np.zeros(self.size, bool), np.zeros(self.size)

    # -- terms -----------------------------------------------------------------------
    def _term(self, q: wq.Term, memo: dict) -> _Match:
        schema = self.searcher.schema
        if q.fieldname not in schema:
            return self._empty()
        field = schema[q.fieldname]
        if not field.scorable:
            return self._whoosh(q, memo)
        try:
            btext = field.to_bytes(q.text)
        except ValueError:
            return self._empty()
        ids, scores, _ = self.postings.term(q.fieldname, btext)
        mask, out = self._empty()
        mask[ids] = True
        out[ids] = scores * q.boost if q.boost != 1 else scores
        return mask, out


def _slots(q: wq.Sequence) -> tuple[str, list[list[str]]] | None:
    """(field, the words allowed at each place) when every place is a term or an Or of
    terms of one positional field; None for anything else (left to Whoosh)."""
    fieldnames, slots = set(), []
    for sub in q.subqueries:
        leaves = [sub] if type(sub) is wq.Term else (
            sub.subqueries if type(sub) is wq.Or and sub.scale is None else None)
        if not leaves or any(type(t) is not wq.Term or t.boost != 1 for t in leaves) \
                or sub.boost != 1:
            return None
        fieldnames.update(t.fieldname for t in leaves)
        slots.append([t.text for t in leaves])
    return (fieldnames.pop(), slots) if len(fieldnames) == 1 and len(slots) > 1 else None
