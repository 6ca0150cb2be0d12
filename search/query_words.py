"""One word or phrase of a query compiled to terms of the lemma fields: its readings'
lemmas with their weights, its parts, its derivation stem, a typed year, synonyms and
feminine forms (QueryParser, search/query.py, compiles the rest of the query).
"""

from __future__ import annotations

import datetime as dt

from search import nodes as n
from search import stems
from search.analysis import STOP_WORDS, query_terms
from search.date_words import typed_year
from search.derivation import family
from search.feminine import feminine_nouns
from search.morph import NAME_MARK, fold_yo, name_lemmas, name_marks
from search.query_syntax import Phrase, Word
from search.synonyms import SynonymDictionary
from search.weights import DATED_SCORE, MONTH_DATED_SCORE, REPORTED_WITHIN_DAYS
from search.word_rules import FAMILY_WEIGHT, PEOPLE_BOOST, STEM_WEIGHT, derivation_stem

__all__ = ["WordCompiler"]


class WordCompiler:
    """The terms of one word or phrase over the lemma fields (QueryParser's base: it
    sets `synonyms` and `title_boost`)."""

    synonyms: SynonymDictionary
    title_boost: float

    def _analyze(self, word: str):
        """Query-mode tokens of one word grouped as (whole lemmas, parts lemmas)."""
        whole: list[tuple[str, float]] = []
        parts: dict[int, list[tuple[str, float]]] = {}
        for t in query_terms(word):
            if t.part:
                parts.setdefault(t.pos, []).append((t.text, t.boost))
            else:
                whole.append((t.text, t.boost))
        names = name_lemmas(word.lower()) if whole else frozenset()
        present = {lemma for lemma, _ in whole}
        whole += [(NAME_MARK + lemma, boost) for lemma, boost in whole
                  if lemma in names and NAME_MARK + lemma not in present]
        return whole, [parts[p] for p in sorted(parts)]

    def _terms(self, forms: list[tuple[str, float]]) -> n.Node:
        terms = []
        for lemma, weight in forms:
            boost = 0.3 + 0.7 * weight
            terms.append(n.Term("title", lemma, boost=self.title_boost * boost))
            terms.append(n.Term("body", lemma, boost=boost))
            terms.append(n.Term("people", lemma, boost=PEOPLE_BOOST * boost))
        return n.Or(tuple(terms))

    def _word(self, node: Word, state) -> n.Node | None:
        folded = fold_yo(node.text.lower())
        if node.exact:
            whole, _ = self._analyze(node.text)
            if not whole:
                return None
            state.forms.add(folded)  # and not its lemmas: the snippet marks this form only
            return n.ExactForm(self._terms(whole), folded)
        if node.prefix:
            if len(folded) < 2:
                state.short_prefixes.append(node.text)
                return None
            state.prefixes.add(folded)
            state.words.append(node.text + "*")  # the star tells the highlighter: a prefix
            return n.Or((n.Prefix("title", folded, boost=self.title_boost),
                         n.Prefix("body", folded)))
        if folded in STOP_WORDS:
            state.skipped_stop_words = True
            return None
        whole, parts = self._analyze(node.text)
        if not whole:
            return None
        state.words.append(node.text)
        state.forms.add(folded)
        state.lemmas.update(lemma for lemma, _ in whole)
        state.top_lemmas.append(whole[0][0])
        query = self._terms(whole)
        stemmed = derivation_stem(node.text, folded)
        if stemmed is not None:
            related = family(stemmed) if state.family else ()
            query = n.Or((query, n.Term(stems.FIELD, stemmed, boost=STEM_WEIGHT),
                          *(n.Term(stems.FIELD, other, boost=FAMILY_WEIGHT) for other in related)))
            state.stems.extend((stemmed, *related))
        if len(parts) > 1:
            state.lemmas.update(lemma for forms in parts for lemma, _ in forms)
            query = n.Or((query, self._sequence([p[0][0] for p in parts], slop=1)))
        if (year := typed_year(folded)) is not None:
            query = n.Or((query, n.Dated.year(year, boost=DATED_SCORE)))
        alternatives = self.synonyms.alternatives(tuple(lemma for lemma, _ in whole[:1]))
        alternatives = [*alternatives, *((f,) for f in feminine_nouns(whole[0][0]))]
        return self._with_alternatives(query, alternatives, state)

    def _with_alternatives(self, query, alternatives, state):
        if not alternatives:
            return query
        options = [query]
        for alt in alternatives:
            state.lemmas.update(alt)
            slots = [[lemma, *name_marks(lemma)] for lemma in alt]
            options.append(self._terms([(lemma, 1.0) for lemma in slots[0]]) if len(alt) == 1
                           else self._slots(slots, slop=1))
        return n.Or(tuple(options))

    def _slots(self, slots: list[list[str]], slop: int) -> n.Node:
        """A phrase whose positions each take any of their lemmas."""
        if all(len(slot) == 1 for slot in slots):
            return self._sequence([slot[0] for slot in slots], slop)
        return n.Or(tuple(
            n.Sequence(field, tuple(tuple(slot) for slot in slots), slop=slop, boost=boost)
            for field, boost in (("title", self.title_boost), ("body", 1.0))))

    def _sequence(self, lemmas: list[str], slop: int) -> n.Node:
        return n.Or((n.Phrase("title", tuple(lemmas), slop=slop, boost=self.title_boost),
                     n.Phrase("body", tuple(lemmas), slop=slop)))

    def _phrase(self, node: Phrase, state) -> n.Node | None:
        slots: list[list[str]] = []  # the lemmas that may stand at each position
        for word in node.words:
            whole, parts = self._analyze(word)
            if len(parts) > 1:
                slots.extend([p[0][0]] for p in parts)
            elif whole:
                slot = [lemma for lemma, _ in whole]
                slots.append(slot + [m for m in name_marks(word.lower()) if m not in slot])
            state.forms.add(fold_yo(word.lower()))
            state.lemmas.update(lemma for lemma, _ in whole)
        state.words.extend(node.words)
        if not slots:
            return None
        if len(slots) == 1:
            return self._dated(self._terms([(lemma, 1.0) for lemma in slots[0]]), node, slots)
        lemmas = tuple(slot[0] for slot in slots)
        query = self._slots(slots, node.slop)  # a homonym or a name: any of its lemmas there
        query = self._with_alternatives(query, self.synonyms.alternatives(lemmas), state)
        return self._dated(query, node, slots)

    def _dated(self, query: n.Node, node: Phrase, slots: list[list[str]]) -> n.Node:
        """A month beside a year (`мае 2021`, search/date_words.py): the words together,
        or published in that month, or naming the month in a report published after."""
        if not node.dated:
            return query
        first, last = node.dated
        month = self._terms([(lemma, 1.0) for lemma in slots[0]])
        reported = n.Dated(first, last + dt.timedelta(days=REPORTED_WITHIN_DAYS),
                           boost=DATED_SCORE)
        return n.Or((query, n.Dated(first, last, boost=MONTH_DATED_SCORE),
                     n.And((month, reported))))
