"""A second, low-weight view of the words: Snowball stems (PyStemmer's C Snowball).

Lemmas join the inflections of one word; stems also join some derivations that
pymorphy3 keeps apart (`осенний` and `осень` are both `осен`). The stems field is
indexed beside the lemma fields and a query word matches through its stem too, with
a small weight (STEM_WEIGHT in search/query.py), so a derivation counts but an exact
lemma counts more.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter

from search.analysis import STOP_WORDS, RuTokenizer
from search.morph import fold_yo

__all__ = ["StemFilter", "stem", "stem_analyzer", "FIELD"]

FIELD = "stems"


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("russian")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of a lowercase word, ё folded: `осенний` -> `осен`."""
    return _stemmer().stemWord(fold_yo(word))


class StemFilter(Filter):
    """Whole words only (not a compound's parts), stop words dropped, each to its stem."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        for t in tokens:
            if getattr(t, "part", False) or fold_yo(t.text) in STOP_WORDS:
                continue
            t.text = stem(t.text)
            yield t


def stem_analyzer():
    return RuTokenizer() | LowercaseFilter() | StemFilter()
