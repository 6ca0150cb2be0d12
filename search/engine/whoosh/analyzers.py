"""The Russian analysis (search/analysis.py) as Whoosh analyzers, for Whoosh's schema.

    RuTokenizer | LowercaseFilter | RuStopFilter | LemmaFilter

The schema pickles these classes into every index; the index writer itself takes the
one-pass `index_terms` (RuTextField), and queries are analyzed by `query_terms`.
Tests check that this chain and those functions agree.
"""

from __future__ import annotations

from whoosh.analysis import CompositeAnalyzer, Filter, LowercaseFilter, Token, Tokenizer

from search.analysis import STOP_WORDS, index_terms, word_spans
from search.compounds import with_head
from search.morph import fold_yo, index_readings, is_cyrillic, query_lemmas
from search.stems import word_stem

__all__ = ["RU_ANALYZER", "RuAnalyzer", "RuTokenizer", "RuStopFilter", "LemmaFilter",
           "StemFilter", "stem_analyzer"]


class RuTokenizer(Tokenizer):
    """Words with offsets; a hyphenated compound yields itself and then its parts.

    >>> [(t.text, t.pos) for t in RuTokenizer()("Мастер-класс в ЦГБ", positions=True)]
    [('Мастер-класс', 0), ('Мастер', 0), ('класс', 1), ('в', 2), ('ЦГБ', 3)]
    """

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, start, end, pos, compound, part, sentence_start in word_spans(value):
            t.text = text
            t.original = text
            t.boost = 1.0
            t.stopped = False
            t.compound = compound
            t.part = part
            t.sentence_start = sentence_start
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class RuStopFilter(Filter):
    """Drops Russian stop words (ё-insensitive) and closes the position gaps they leave.

    Unlike Whoosh's StopFilter it keeps tokens that share a position together.
    """

    def __init__(self, stops: frozenset[str] = STOP_WORDS):
        self.stops = stops

    def __call__(self, tokens):
        last_in = None
        out = -1
        for t in tokens:
            if fold_yo(t.text) in self.stops:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                if t.pos != last_in:
                    last_in = t.pos
                    out += 1
                t.pos = out
            yield t


class LemmaFilter(Filter):
    """Replaces each Cyrillic word by its normal forms, all at the word's position.

    At index time every normal form is emitted (recall); in query mode only the
    likely ones, each with a boost equal to its weight. Holds no MorphAnalyzer, so
    it pickles into the index schema cheaply.
    """

    is_morph = True

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        for t in tokens:
            word = t.text
            if not is_cyrillic(word):
                yield t
                continue
            if t.mode == "query":
                original = getattr(t, "original", word)
                forms = query_lemmas(word, capitalized=original[:1].isupper())
                for lemma, weight in forms:
                    t.text = lemma
                    t.boost = weight
                    yield t
            else:
                original = getattr(t, "original", word)
                case = "lower"
                if original[:1].isupper():
                    start = getattr(t, "sentence_start", True) or original.isupper()
                    case = "start" if start else "name"
                lemmas, weights = with_head(fold_yo(word), *index_readings(word, case))
                for lemma, weight in zip(lemmas, weights, strict=True):
                    t.text = lemma
                    t.boost = weight
                    yield t


class RuAnalyzer(CompositeAnalyzer):
    """RuTokenizer | LowercaseFilter | RuStopFilter | LemmaFilter.

    Called, it yields Whoosh Tokens like any analyzer. `index_terms` is
    search/analysis.py's one-pass equivalent, the index writer's fast path.
    """

    def __init__(self):
        super().__init__(RuTokenizer(), LowercaseFilter(), RuStopFilter(), LemmaFilter())

    def index_terms(self, value: str, forms: set[str] | None = None,
                    weights: dict[str, float] | None = None) -> dict[str, list[int]]:
        return index_terms(value, forms, weights)


class StemFilter(Filter):
    """Whole words only (not a compound's parts), stop words dropped, each to its stem."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        for t in tokens:
            if getattr(t, "part", False) or fold_yo(t.text) in STOP_WORDS:
                continue
            t.text = word_stem(t.text)
            yield t


def stem_analyzer():
    return RuTokenizer() | LowercaseFilter() | StemFilter()


# Tokenize, lowercase, drop stop words, lemmatize (ё folded): at index and at query time.
RU_ANALYZER = RuAnalyzer()
