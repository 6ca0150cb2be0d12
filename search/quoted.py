"""Names in quotes inside a text («Ясная Поляна», «Красная строка») as whole keys.

A query of common words that spells such a name ("красная строка") is most likely
looking for the publications that name it: each quoted name of two to six words is
indexed as one key of its words' lemmas, and the ranking rewards a document whose key
equals the query's (search/engine/whoosh/ranking.py). `naming` is the rule, for every
engine, of what a query names a publication by: such a key, or its words in a title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from search.analysis import STOP_WORDS, WORD_RE, query_terms
from search.morph import fold_yo
from search.weights import NAMED_WORDS

__all__ = ["quoted_keys", "phrase_key", "naming", "FIELD"]

FIELD = "quoted"
_QUOTED = re.compile(r"[«„“\"]([^«»„“”\"\n]{3,80})[»“”\"]")
_MIN_WORDS, _MAX_WORDS = 2, 6


def naming(plain: bool, words: Sequence[str],
           content_lemmas: Sequence[str]) -> tuple[str | None, tuple[str, ...]]:
    """What a query names publications by (search/weights.py NAMED_WEIGHT): the key of a
    quoted name that spells its words, and the content lemmas a title must hold side by
    side, in order. None and () when it names nothing so (operators; too few or many words)."""
    if not plain:
        return None, ()
    key = phrase_key(list(words)) if len(words) >= 2 else None
    low, high = NAMED_WORDS
    return key, tuple(content_lemmas) if low <= len(content_lemmas) <= high else ()


def phrase_key(words: list[str]) -> str | None:
    """The words' first lemmas, stop words left out, joined: the same for index and query."""
    lemmas = []
    for word in words:
        folded = fold_yo(word.lower())
        if folded in STOP_WORDS:
            continue
        lemma = _first_lemma(word)
        if lemma is None:
            return None
        lemmas.append(lemma)
    if not _MIN_WORDS <= len(lemmas) <= _MAX_WORDS:
        return None
    return " ".join(lemmas)


@lru_cache(maxsize=100_000)
def _first_lemma(word: str) -> str | None:
    """The first lemma query analysis gives a word as written (every publication of a
    rebuild asks for its quoted names' words: most are asked many times)."""
    tokens = [t.text for t in query_terms(word) if not t.part]
    return tokens[0] if tokens else None


def quoted_keys(text: str) -> list[str]:
    """The keys of the quoted names of two to six words in `text`, each once."""
    keys = []
    for quote in _QUOTED.findall(text):
        key = _quote_key(quote)
        if key and key not in keys:
            keys.append(key)
    return keys


@lru_cache(maxsize=100_000)
def _quote_key(quote: str) -> str | None:
    """phrase_key of the words inside a pair of quotes: the same names recur across a
    rebuild's publications (series, festivals, book titles), each once analysed."""
    return phrase_key(WORD_RE.findall(quote))
