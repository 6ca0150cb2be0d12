"""A second, low-weight view of the words: Snowball stems (PyStemmer's C Snowball).

Lemmas join the inflections of one word; stems also join some derivations that
pymorphy3 keeps apart (`осенний` and `осень` are both `осен`). The stems field is
indexed beside the lemma fields and a query word matches through its stem too, with
a small weight (STEM_WEIGHT in search/word_rules.py), so a derivation counts but an exact
lemma counts more.

A word's stem there is its likeliest lemma's (word_stem), not its written form's: the
verb «стал» is `стат` (of «стать»), so `сталь` (`стал`) no longer found every text with
the verb, half the real corpus (an integrator's trial); «была» is not «быль».
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

from search.morph import fold_yo, get_analyzer, is_cyrillic, readings

__all__ = ["stem", "word_stem", "stem_terms", "FIELD"]

FIELD = "stems"


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("russian")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of a lowercase word, ё folded: `осенний` -> `осен`."""
    return _stemmer().stemWord(fold_yo(word))


@lru_cache(maxsize=200_000)
def word_stem(word: str) -> str:
    """The stem a lowercase word stands for in the stems field, at index and at query
    time: the Snowball stem of its likeliest lemma (`осенью` -> «осень» -> `осен`) when
    pymorphy3's dictionary has the word; else of the word as written (a typo's or a new
    word's lemma is only guessed: `юридическя` is still `юридическ`)."""
    folded = fold_yo(word)
    if is_cyrillic(folded) and get_analyzer().word_is_known(folded):
        found = readings(folded)
        if found:
            return stem(found[0].lemma)
    return stem(folded)


def stem_terms(value: str) -> list[str]:
    """The stems of a text's whole words (not a compound's parts), stop words left out:
    what the stems field indexes (every engine)."""
    from search.analysis import STOP_WORDS, word_spans

    out = []
    for text, *_rest, part, _sentence_start in word_spans(value):
        word = text.lower()
        if not part and fold_yo(word) not in STOP_WORDS:
            out.append(word_stem(word))
    return out
