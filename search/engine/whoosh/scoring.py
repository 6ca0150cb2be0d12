"""BM25F scores of a whole query as numpy arrays, equal to Whoosh's, without its matchers.

Whoosh's matcher tree scores one posting at a time in Python, which was 43% of a search.
Here a Term is one vectorized BM25F over its posting arrays, And, Or, AndNot and
ExactForm are mask and sum operations over dense arrays with one slot per document,
and a Phrase checks positions only where all its words occur (search/engine/whoosh/phrases.py).
Anything else (Sequence, Prefix, Not) runs through Whoosh's own matcher, for that
sub-query only. Scores equal `searcher.search(q, limit=None)`'s up to float rounding
(tests/test_scoring.py); HONOR_MINMATCH would make `Or(minmatch=n)` do what it says.
"""

from __future__ import annotations

import numpy as np

from search import nodes as n
from search.engine.whoosh.compile import to_whoosh
from search.engine.whoosh.facets import FacetTable
from search.engine.whoosh.forms import form_hash
from search.engine.whoosh.phrases import phrase_scores
from search.engine.whoosh.postings import POSTINGS_CACHE_BYTES, Postings

__all__ = ["Scorer", "HONOR_MINMATCH", "MAX_PREFIX_WORDS"]

# Whoosh 2.7 ignores Or(minmatch=...); here a document needs `minmatch` matching children,
# which is what search/query.py's result-set rule for long questions says.
HONOR_MINMATCH = True

_Match = tuple[np.ndarray, np.ndarray]  # (bool mask, scores: 0 where the mask is False)
_NONE = (np.zeros(0, np.int64), np.zeros(0))  # a term that matches nothing
# A prefix stands for at most this many words of a segment, the ones most publications
# hold (Elasticsearch's max_expansions of a phrase prefix is 50): each word is a posting
# list read, and `ст*` has 1,000 of them at 100,000 publications (0.36 s). OpenSearch
# matches every word (its constant-score rewrite is one pass over the terms).
MAX_PREFIX_WORDS = 64
# ... and all the prefixes of one query (a `word*` is two: title and text) this many
# between them, each at least MIN_PREFIX_WORDS: `по* OR на* OR за* OR ...`, twelve
# prefixes, took 0.4 s.
MAX_PREFIX_WORDS_PER_QUERY = 256
MIN_PREFIX_WORDS = 8


class Scorer:
    """Scores queries over one open searcher; built once per IndexView."""

    def __init__(self, searcher, size: int, honor_minmatch: bool = HONOR_MINMATCH,
                 cache_bytes: int = POSTINGS_CACHE_BYTES, days: np.ndarray | None = None):
        self.searcher = searcher
        self.size = size
        self.days = days  # each document's date as an ordinal, 0 undated (Dated; read if None)
        self.honor_minmatch = honor_minmatch
        self.postings = Postings(searcher, size, cache_bytes)
        self.forms = self.postings.forms

    def match(self, query: n.Node, memo: dict | None = None) -> np.ndarray:
        """BM25F score of every document, -inf where `query` does not match.

        `memo` shares phrases, exact forms and Whoosh-run sub-queries between the calls
        of one search (the strict and the relaxed query have most of them in common).
        """
        if isinstance(query, n.Nothing):
            return np.full(self.size, -np.inf)
        memo = {} if memo is None else memo
        prefixes = len(_prefixes(query))
        if prefixes:
            memo["prefix words"] = min(MAX_PREFIX_WORDS, max(
                MIN_PREFIX_WORDS, MAX_PREFIX_WORDS_PER_QUERY // prefixes))
        mask, scores = self._eval(query, memo)
        return np.where(mask, scores, -np.inf)

    # -- query nodes ---------------------------------------------------------------
    def _eval(self, q: n.Node, memo: dict) -> _Match:
        kind = type(q)
        if not self.postings.bm25f:
            return self._whoosh(q, memo)
        if kind is n.Term:
            return self._term(q, memo)
        if kind in (n.Or, n.And) and len(q.children) <= 1:
            # Whoosh hands a single child's matcher back unwrapped (its boost is lost)
            return self._eval(q.children[0], memo) if q.children else self._empty()
        if kind is n.Or:
            return self._or(q, memo)
        if kind is n.And:
            return self._and(q, memo)
        if kind is n.AndNot:
            mask, scores = self._eval(q.positive, memo)
            mask = mask & ~self._eval(q.negative, memo)[0]
            return mask, np.where(mask, scores, 0.0)  # Whoosh ignores an AndNot's boost
        if kind is n.ExactForm:
            return self._exact_form(q, memo)
        if kind is n.Phrase:
            return self._phrase(q, memo)
        if kind is n.Sequence:
            return self._sequence(q, memo)
        if kind is n.Prefix and q.text:
            return self._prefix(q, memo)
        if kind is n.Every:
            return np.ones(self.size, bool), np.full(self.size, float(q.boost))
        if kind is n.Dated:
            return self._dated(q)
        if kind is n.Nothing:
            return self._empty()
        return self._whoosh(q, memo)

    def _or(self, q: n.Or, memo: dict) -> _Match:
        count = np.zeros(self.size, np.int32)
        scores = np.zeros(self.size)
        for sub in q.children:
            sparse = self._term_postings(sub) if type(sub) is n.Term else None
            if sparse is not None:  # added where the term occurs only, not over every slot
                ids, part = sparse
                count[ids] += 1
                scores[ids] += part
                continue
            mask, part = self._eval(sub, memo)
            count += mask
            scores += part
        if q.boost != 1:
            scores *= q.boost
        if self.honor_minmatch and q.minmatch > 1:
            mask = count >= q.minmatch
            return mask, np.where(mask, scores, 0.0)
        return count > 0, scores

    def _and(self, q: n.And, memo: dict) -> _Match:
        mask = np.ones(self.size, bool)
        scores = np.zeros(self.size)
        for sub in q.children:
            part_mask, part = self._eval(sub, memo)
            mask &= part_mask
            scores += part
        return mask, np.where(mask, scores * q.boost, 0.0)

    def _exact_form(self, q: n.ExactForm, memo: dict) -> _Match:
        """The child's documents whose forms columns hold the form as written."""
        key = ("exact", q)
        if key not in memo:
            mask, scores = self._eval(q.child, memo)
            docnums = np.flatnonzero(mask)
            keep = self.forms.holding(docnums, form_hash(q.form))
            out = np.zeros(self.size, bool)
            out[docnums[keep]] = True
            memo[key] = (out, np.where(out, scores, 0.0))
        return memo[key]

    def _phrase(self, q: n.Phrase, memo: dict) -> _Match:
        schema = self.searcher.schema
        if q.field not in schema:
            return self._empty()
        field = schema[q.field]
        if not (q.words and field.scorable and field.format
                and field.format.supports("positions")):
            return self._whoosh(q, memo)  # Whoosh's own answer, or its QueryError
        try:
            btexts = [field.to_bytes(word) for word in q.words]
        except ValueError:
            return self._empty()
        if not all(self.postings.has(q.field, b) for b in btexts):
            return self._empty()
        key = ("phrase", q)
        if key not in memo:
            ids, scores = phrase_scores(self.postings, q.field, btexts, q.slop)
            mask, out = self._empty()
            mask[ids] = True
            out[ids] = scores * q.boost if q.boost != 1 else scores
            memo[key] = (mask, out)
        return memo[key]

    def _sequence(self, q: n.Sequence, memo: dict) -> _Match:
        """A phrase whose places each hold any of several lemmas (homonyms, names)."""
        key = ("sequence", q)
        if key not in memo:
            if q.field not in self.searcher.schema:
                return self._empty()
            field = self.searcher.schema[q.field]
            btexts = [[b for b in (field.to_bytes(w) for w in slot)
                       if self.postings.has(q.field, b)] for slot in q.slots]
            mask, out = self._empty()
            if all(btexts):
                ids, scores = phrase_scores(self.postings, q.field, btexts, q.slop)
                mask[ids] = True
                out[ids] = scores * q.boost
            memo[key] = (mask, out)
        return memo[key]

    def _prefix(self, q: n.Prefix, memo: dict) -> _Match:
        """The words of the field that start with the text, as an Or of them: the sum of
        their BM25F times the boost; past MAX_PREFIX_WORDS such words, the commonest.
        Segment by segment, as Whoosh expands a Prefix: where one word starts so, that
        word alone, unboosted (Whoosh hands its matcher back alone). Whoosh stepped every
        posting of every such word through its matchers: `год*` at 100,000 publications
        took 0.4 s the first time, `ст*` (1,000 words) longer."""
        key = ("prefix", q, memo.get("prefix words", MAX_PREFIX_WORDS))
        if key not in memo:
            if q.field not in self.searcher.schema:
                return self._empty()
            field = self.searcher.schema[q.field]
            mask, scores = self._empty()
            for leaf, offset in self.postings.leaves:
                reader = leaf.reader()
                words = [(b, info.doc_frequency())
                         for b, info in reader.iter_prefix(q.field, q.text) if b]
                limit = memo.get("prefix words", MAX_PREFIX_WORDS)
                if len(words) > limit:
                    words = sorted(words, key=lambda item: -item[1])[:limit]
                end = offset + reader.doc_count_all()
                boost = q.boost if len(words) > 1 else 1.0
                for btext, _ in words:
                    found = self._term_postings(n.Term(q.field, field.from_bytes(btext), boost))
                    if found is None:
                        return self._whoosh(q, memo)
                    ids, part = found
                    inside = (ids >= offset) & (ids < end)
                    mask[ids[inside]] = True
                    scores[ids[inside]] += part[inside]
            memo[key] = (mask, scores)
        return memo[key]

    def _whoosh(self, q: n.Node, memo: dict) -> _Match:
        """Whoosh's own matcher for a query type not evaluated here, leaf by leaf."""
        key = ("whoosh", q)
        if key not in memo:
            mask, scores = self._empty()
            context = self.searcher.context()
            query = to_whoosh(q)
            for leaf, offset in self.postings.leaves:
                m = query.matcher(leaf, context)
                while m.is_active():
                    docnum = m.id() + offset
                    mask[docnum] = True
                    scores[docnum] = m.score()
                    m.next()
            memo[key] = (mask, scores)
        return memo[key]

    def _dated(self, q: n.Dated) -> _Match:
        """Publications dated within the span (`days`: each document's date's ordinal)."""
        if self.days is None:
            self.days = FacetTable(self.searcher).days
        first, last = q.first.toordinal(), q.last.toordinal()
        mask = (self.days >= first) & (self.days <= last)
        return mask, np.where(mask, float(q.boost), 0.0)

    def _empty(self) -> _Match:
        return np.zeros(self.size, bool), np.zeros(self.size)

    # -- terms -----------------------------------------------------------------------
    def _term(self, q: n.Term, memo: dict) -> _Match:
        sparse = self._term_postings(q)
        if sparse is None:
            return self._whoosh(q, memo)
        ids, scores = sparse
        mask, out = self._empty()
        mask[ids] = True
        out[ids] = scores
        return mask, out

    def _term_postings(self, q: n.Term) -> tuple[np.ndarray, np.ndarray] | None:
        """(documents, boosted scores) of a term, or None when Whoosh must score it.
        The documents are distinct, so `array[ids] += scores` adds each once."""
        schema = self.searcher.schema
        if q.field not in schema:
            return _NONE
        field = schema[q.field]
        if not field.scorable:
            return None
        try:
            btext = field.to_bytes(q.text)
        except ValueError:
            return _NONE
        ids, scores, _ = self.postings.term(q.field, btext)
        return ids, (scores * q.boost if q.boost != 1 else scores)


def _prefixes(node: n.Node) -> set[n.Prefix]:
    """The distinct prefixes of a query tree."""
    if isinstance(node, n.Prefix):
        return {node}
    if isinstance(node, n.Or | n.And):
        return set().union(*(_prefixes(c) for c in node.children)) if node.children else set()
    if isinstance(node, n.AndNot):
        return _prefixes(node.positive) | _prefixes(node.negative)
    if isinstance(node, n.ExactForm):
        return _prefixes(node.child)
    return set()
