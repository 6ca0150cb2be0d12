"""The Russian analysis, the same for every engine: words, stop words, pymorphy3 lemmas.

    tokenize | lowercase | drop stop words | lemmatize (ё folded)

`index_terms` gives a text's terms with positions (every reading of a word at its
position), `query_terms` a query word's likely lemmas with weights. Whoosh's Token
chain doing the same (search/engine/whoosh/analyzers.py) is tested equal to both.

Hyphenated words are kept whole and also split into their parts, so that
`мастер-класс` and `мастер класс` meet; so are words run together with capitals, as
hashtags and titles write them (`#КошкаКнижка`, «ВкусноЧтения»). Latin words and
numbers are only lowercased.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search.compounds import with_head
from search.morph import fold_yo, index_readings, is_cyrillic, query_lemmas

__all__ = ["index_terms", "query_terms", "QueryTerm", "STOP_WORDS", "WORD_RE",
           "MAX_WORD_LENGTH", "word_spans", "clear_word_cache", "plain_word",
           "ANALYSIS_VERSION", "REINDEX_ADVISED"]

# A word: letters/digits with combining accents and soft hyphens inside, optionally
# joined by hyphens into a compound. A part is `[^\W_](?:[^\W_]|[\u0300-\u036f\u00ad])*`,
# written as runs of letters between runs of accents: the same matches, and a third
# faster to scan than an alternation per character (tests/test_analysis.py).
_PART = r"[^\W_]+(?:[\u0300-\u036f\u00ad]+[^\W_]*)*"
WORD_RE = re.compile(rf"{_PART}(?:[-\u2010\u2011]{_PART})*")
_STRIP = re.compile(r"[\u0300-\u036f\u00ad]")
_HYPHEN = re.compile(r"[-\u2010\u2011]")
MAX_WORD_LENGTH = 60
# What an index's terms are made by: raised when a change of the analysis makes an index
# built before it find less than a new one (the same format, so it is still served, and
# /api/health and an incremental run advise a full reindex). None (unrecorded): before 2.
# 2: compound heads (search/compounds.py) and words run together with capitals.
# 3: the stems field holds the stem of each word's likeliest lemma (search/stems.py).
ANALYSIS_VERSION = 3
# Where Russian words run together with capitals meet: a small letter before a capital
# (`Кошка|Книжка`; not `В|Контакте`, nor Latin names such as `iPhone`, `LitRes`). The
# whole is indexed beside its parts.
_CAMEL = re.compile(r"(?<=[а-яё])(?=[А-ЯЁ])")


REINDEX_ADVISED = ("индекс построен прежней версией анализа текста: часть публикаций может "
                   "не находиться по словам, которые в них есть; запустите полную "
                   "переиндексацию (kartoteka reindex без --incremental)")


def plain_word(text: str) -> bool:
    """A word the tokenizer yields as it is: no hyphen, accent or capital inside and not
    overlong (most words; their analysis takes the short path)."""
    return (len(text) <= MAX_WORD_LENGTH and text.isalnum()
            and (text.islower() or text.istitle() or text.isupper()
                 or _CAMEL.search(text) is None))


def _pieces(word: str) -> tuple[list[str], int]:
    """A word's parts and the characters between them: hyphenated (1), run together
    with capitals (0), or the word alone."""
    if len(word) > MAX_WORD_LENGTH or not word.isalnum():  # hyphens, accents, soft hyphens
        return _HYPHEN.split(_STRIP.sub("", word)[:MAX_WORD_LENGTH]), 1
    return _CAMEL.split(word), 0

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

    The tokenization of every analysis; `index_terms`, the hot path of a rebuild, scans
    plain words itself and comes here for the rest.
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
        if plain_word(word):
            parts, between = None, 0
        else:
            parts, between = _pieces(word)
            if between:
                word = _STRIP.sub("", word)[:MAX_WORD_LENGTH]
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
            offset += len(part) + between
        pos += len(parts)


@dataclass(frozen=True)
class QueryTerm:
    """One likely lemma of a query word at its position (stop words leave no gap)."""

    text: str
    boost: float
    pos: int
    compound: bool  # a hyphenated compound as a whole
    part: bool  # one part of a hyphenated compound


def query_terms(value: str) -> list[QueryTerm]:
    """The query-mode analysis of `value`: each word's likely lemmas with weights summing
    to 1 (names demoted when typed in lower case); Latin words and numbers lowercased."""
    out: list[QueryTerm] = []
    last_in, pos = None, -1
    for text, _start, _end, at, compound, part, _sentence_start in word_spans(value):
        word = text.lower()
        if fold_yo(word) in STOP_WORDS:
            continue
        if at != last_in:
            last_in, pos = at, pos + 1
        if not is_cyrillic(word):
            out.append(QueryTerm(word, 1.0, pos, compound, part))
            continue
        for lemma, weight in query_lemmas(word, capitalized=text[:1].isupper()):
            out.append(QueryTerm(lemma, weight, pos, compound, part))
    return out


def index_terms(value: str, forms: set[str] | None = None,
                weights: dict[str, float] | None = None) -> dict[str, list[int]]:
    """Each indexed term of `value` with its positions, as index-mode analysis gives them.

    `forms`, if given, receives every indexed word as written (lowercased, ё folded);
    `weights` each term's frequency with a homonym's rarer readings counting less
    (search.morph.index_readings): what the index stores as the term's weight.
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
        if plain_word(text):
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
            if weights is not None:
                for lemma, weight in zip(*((info[1], info[3]) if starts else (info[2], info[4])),
                                         strict=True):
                    weights[lemma] = weights.get(lemma, 0.0) + weight
    return terms


# A word as written -> (form, its terms at a sentence start, its terms elsewhere, and
# the weights of both), or () for a stop word: what LowercaseFilter, RuStopFilter and
# LemmaFilter make of it.
WordInfo = tuple[str, tuple[str, ...], tuple[str, ...], tuple[float, ...],
                 tuple[float, ...]] | tuple[()]
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
        return folded, (word,), (word,), _ONE, _ONE
    if not text[0].isupper():
        lemmas, weights = with_head(folded, *index_readings(word, "lower"))
        return folded, lemmas, lemmas, weights, weights
    if text.isupper():
        lemmas, weights = with_head(folded, *index_readings(word, "start"))
        return folded, lemmas, lemmas, weights, weights
    start, start_weights = with_head(folded, *index_readings(word, "start"))
    other, other_weights = with_head(folded, *index_readings(word, "name"))
    return folded, start, other, start_weights, other_weights


_ONE = (1.0,)

