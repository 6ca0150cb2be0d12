"""The Russian analysis chain: one analyzer object for indexing and for queries.

    RuTokenizer | LowercaseFilter | RuStopFilter | LemmaFilter

Hyphenated words are kept whole and also split into their parts, so that
`мастер-класс` and `мастер класс` meet. Latin words and numbers are only lowercased.
"""

from __future__ import annotations

import re
from pathlib import Path

from whoosh.analysis import Composable, Filter, LowercaseFilter, Token, Tokenizer

from search.morph import fold_yo, index_lemmas, is_cyrillic, query_lemmas

__all__ = [
    "RU_ANALYZER", "EXACT_ANALYZER", "RuTokenizer", "RuStopFilter", "LemmaFilter",
    "YoFilter", "STOP_WORDS", "WORD_RE", "MAX_WORD_LENGTH",
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
        pos = start_pos
        last_end = 0
        for match in WORD_RE.finditer(value):
            gap = value[last_end:match.start()]
            sentence_start = last_end == 0 or any(c in gap for c in ".!?…\n")
            last_end = match.end()
            word = _STRIP.sub("", match.group())[:MAX_WORD_LENGTH]
            parts = _HYPHEN.split(word)
            spans = [(word, match.start(), match.end(), pos)]
            if len(parts) > 1:
                offset = match.start()
                for i, part in enumerate(parts):
                    spans.append((part, offset, offset + len(part), pos + i))
                    offset += len(part) + 1
            for text, start, end, p in spans:
                if not text:
                    continue
                t.text = text
                t.original = text
                t.boost = 1.0
                t.stopped = False
                t.compound = len(parts) > 1 and text is word
                t.part = text is not word
                t.sentence_start = sentence_start and start == match.start()
                if positions:
                    t.pos = p
                if chars:
                    t.startchar = start_char + start
                    t.endchar = start_char + end
                yield t
            pos += len(parts)


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


class YoFilter(Filter):
    """Folds ё into е."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold_yo(t.text)
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


def _build(*parts: Composable):
    chain = parts[0]
    for p in parts[1:]:
        chain = chain | p
    return chain


def ru_analyzer():
    """Tokenize, lowercase, drop stop words, lemmatize (ё folded)."""
    return _build(RuTokenizer(), LowercaseFilter(), RuStopFilter(), LemmaFilter())


def exact_analyzer():
    """The same words as ru_analyzer, as written (lowercased, ё folded), for exact-form matches."""
    return _build(RuTokenizer(), LowercaseFilter(), RuStopFilter(), YoFilter())


RU_ANALYZER = ru_analyzer()
EXACT_ANALYZER = exact_analyzer()
