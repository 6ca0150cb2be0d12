"""The Russian analysis chain: one analyzer object for indexing and for queries.

    RuTokenizer | LowercaseFilter | RuStopFilter | LemmaFilter

Hyphenated words are kept whole and also split into their parts, so that
`мастер-класс` and `мастер класс` meet. Latin words and numbers are only lowercased.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from whoosh.analysis import CompositeAnalyzer, Filter, LowercaseFilter, Token, Tokenizer

from search.morph import fold_yo, index_lemmas, is_cyrillic, query_lemmas

__all__ = [
    "RU_ANALYZER", "RuAnalyzer", "RuTokenizer", "RuStopFilter", "LemmaFilter",
    "STOP_WORDS", "WORD_RE", "MAX_WORD_LENGTH", "word_spans",
]

# A word: letters/digits with combining accents and soft hyphens inside, optionally
# joined by hyphens into a compound.
_PART = r"[^\W_](?:[^\W_]|[\u0300-\u036f\u00ad])*"
WORD_RE = re.compile(rf"{_PART}(?:[-\u2010\u2011]{_PART})*")
_STRIP = re.compile(r"[\u0300-\u036f\u00ad]")
_HYPHEN = re.compile(r"[-\u2010\u2011]")
MAX_WORD_LENGTH = 60

STOP_WORDS = frozenset(
    (Path(__file__).parent / "data" / "stopwords_ru.txt").read_text(encoding="utf-8").split()
)


_SENTENCE_END = re.compile(r"[.!?…\n]")
_SCAN = re.compile(rf"({_SENTENCE_END.pattern})|({WORD_RE.pattern})")

# What word_spans yields: the word, its character span, its position, whether it is a
# whole hyphenated compound or one of its parts, and whether it is capitalized at the
# start of a sentence (only computed for capitalized words).
Span = tuple[str, int, int, int, bool, bool, bool]


def word_spans(value: str) -> Iterator[Span]:
    """Words with offsets and positions; a hyphenated compound yields itself and then its parts.

    The tokenization of the Token chain (RuTokenizer); the index writer's fast path
    (RuAnalyzer.index_terms) scans plain words itself and comes here for the rest.
    """
    pos = 0
    last_end = 0
    search_end = _SENTENCE_END.search
    for match in WORD_RE.finditer(value):
        start, end = match.span()
        word = match.group()
        sentence_start = word[0].isupper() and (
            last_end == 0 or search_end(value, last_end, start) is not None)
        last_end = end
        if len(word) > MAX_WORD_LENGTH or not word.isalnum():  # hyphens, accents, soft hyphens
            word = _STRIP.sub("", word)[:MAX_WORD_LENGTH]
            parts = _HYPHEN.split(word)
        else:
            parts = None
        if parts is None or len(parts) == 1:
            if word:
                yield word, start, end, pos, False, False, sentence_start
            pos += 1
            continue
        yield word, start, end, pos, True, False, sentence_start
        offset = start
        for i, part in enumerate(parts):
            if part:
                yield part, offset, offset + len(part), pos + i, False, True, sentence_start and i == 0
            offset += len(part) + 1
        pos += len(parts)


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
                for lemma in index_lemmas(word, case):
                    t.text = lemma
                    yield t


class RuAnalyzer(CompositeAnalyzer):
    """RuTokenizer | LowercaseFilter | RuStopFilter | LemmaFilter.

    Called, it yields Whoosh Tokens like any analyzer (queries, highlighting).
    `index_terms` runs the same steps in one pass without Token objects: the index
    writer's fast path (tests check that both give the same terms and positions).
    """

    def __init__(self):
        super().__init__(RuTokenizer(), LowercaseFilter(), RuStopFilter(), LemmaFilter())

    def index_terms(self, value: str, forms: set[str] | None = None) -> dict[str, list[int]]:
        """Each indexed term of `value` with its positions, as index-mode analysis gives them.

        `forms`, if given, receives every indexed word as written (lowercased, ё folded).
        """
        terms: dict[str, list[int]] = {}
        cache = _WORD_INFO
        pos = -1
        at_start = True
        for punct, text in _SCAN.findall(value):  # no match objects: the hot loop of a rebuild
            if punct:
                at_start = True
                continue
            sentence_start = at_start and text[0].isupper()
            at_start = False
            if len(text) <= MAX_WORD_LENGTH and text.isalnum():
                pieces = ((text, 0, sentence_start),)
            else:  # a compound, accents or an overlong word: the tokenizer's own rules
                pieces = [(span[0], span[3], sentence_start and span[1] == 0)
                          for span in word_spans(text)]
            base = pos + 1
            for piece, offset, starts in pieces:
                info = cache.get(piece)
                if info is None:
                    if len(cache) >= WORD_INFO_CACHE_SIZE:
                        cache.clear()
                    info = cache[piece] = _word_info(piece)
                if not info:  # a stop word
                    continue
                if forms is not None:
                    forms.add(info[0])
                if base + offset > pos:
                    pos += 1  # stop words leave no gap: the next kept word takes the next position
                for lemma in info[1] if starts else info[2]:
                    terms.setdefault(lemma, []).append(pos)
        return terms


# A word as written -> (form, its terms at a sentence start, its terms elsewhere), or ()
# for a stop word: what LowercaseFilter, RuStopFilter and LemmaFilter make of it.
WordInfo = tuple[str, tuple[str, ...], tuple[str, ...]] | tuple[()]
WORD_INFO_CACHE_SIZE = 200_000
_WORD_INFO: dict[str, WordInfo] = {}


def clear_word_cache() -> None:
    """Forget the per-word analysis results (a rebuild starts recording lemmas afresh)."""
    _WORD_INFO.clear()


def _word_info(text: str) -> WordInfo:
    word = text.lower()
    folded = fold_yo(word)
    if folded in STOP_WORDS:
        return ()
    if not is_cyrillic(word):
        return folded, (word,), (word,)
    if not text[0].isupper():
        lemmas = index_lemmas(word, "lower")
        return folded, lemmas, lemmas
    if text.isupper():
        lemmas = index_lemmas(word, "start")
        return folded, lemmas, lemmas
    return folded, index_lemmas(word, "start"), index_lemmas(word, "name")


# Tokenize, lowercase, drop stop words, lemmatize (ё folded): at index and at query time.
RU_ANALYZER = RuAnalyzer()
