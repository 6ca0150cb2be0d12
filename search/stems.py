"""A second, low-weight view of the words: Snowball stems (PyStemmer's C Snowball).

Lemmas join the inflections of one word; stems also join some derivations that
pymorphy3 keeps apart (`осенний` and `осень` are both `осен`). The stems field is
indexed beside the lemma fields and a query word matches through its stem too, with
a small weight (STEM_WEIGHT in search/word_rules.py), so a derivation counts but an exact
lemma counts more.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

from search.morph import fold_yo

__all__ = ["stem", "stem_terms", "FIELD"]

FIELD = "stems"


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("russian")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of a lowercase word, ё folded: `осенний` -> `осен`."""
    return _stemmer().stemWord(fold_yo(word))


def stem_terms(value: str) -> list[str]:
    """The stems of a text's whole words (not a compound's parts), stop words left out:
    what the stems field indexes (every engine)."""
    from search.analysis import STOP_WORDS, word_spans

    out = []
    for text, *_rest, part, _sentence_start in word_spans(value):
        word = text.lower()
        if not part and fold_yo(word) not in STOP_WORDS:
            out.append(stem(word))
    return out
