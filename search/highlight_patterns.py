"""The finders a snippet marks words with (search/highlight.py): every written form of
a query's lemmas, its exact forms and its prefixes, kept per lemma and per query, and the
words of a text they find.

Each of the query's lemmas is expanded once into every written form of it (pymorphy3's
paradigms); the text is scanned for the starts of those forms with str.find
(search/word_finders.py), C-level passes instead of lemmatizing every word of the
article or compiling a regular expression per lemma.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from search.dictionary_parse import dictionary_lexemes
from search.morph import NAME_MARK, fold_yo, get_analyzer, is_cyrillic
from search.word_finders import AnyOf, Finder, StartFinder, WordFinder, start_finder

__all__ = ["surface_forms", "query_patterns", "matched_spans", "Matcher", "STEM_CHARS"]


_lexemes = None  # search/dictionary_parse.py's dictionary_lexemes, made on first use


@lru_cache(maxsize=8192)
def surface_forms(lemma: str) -> frozenset[str]:
    """Every written form of a lemma, lowercase with ё folded: `выставка` -> выставке, ...

    >>> sorted(surface_forms("ёлка"))[:3]
    ['елка', 'елкам', 'елками']
    """
    forms = {lemma}
    if not is_cyrillic(lemma):
        return frozenset(forms)
    global _lexemes
    if _lexemes is None:
        _lexemes = dictionary_lexemes(get_analyzer())
    known = _lexemes(lemma)
    if known is not None:  # a dictionary word: its paradigms' forms, read directly
        for normal_form, written in known:
            if fold_yo(normal_form) == lemma:
                forms.update(map(fold_yo, written))
        return frozenset(forms)
    for parse in get_analyzer().parse(lemma):
        if fold_yo(parse.normal_form) != lemma:
            continue
        try:
            forms.update(fold_yo(form.word) for form in parse.lexeme)
        except (ValueError, IndexError, KeyError):  # odd paradigms of guessed words
            continue
    return frozenset(forms)


# Letters of a form that select candidate words for a lemma (see _lemma_finder).
STEM_CHARS = 4
_SPLIT = re.compile(r"[\W_]")  # a character that is not a word letter: `-`


Matcher = tuple[Finder, frozenset[str] | None]  # a finder, the words it may yield


@lru_cache(maxsize=8192)
def _lemma_finder(lemma: str) -> Matcher | None:
    """Every written form of one lemma: a finder of its words, with the forms a word it
    finds must be.

    A pattern of every form (a trie of a few hundred) cost ~0.7 ms to compile, and a
    pattern of their starts still 60-100 µs. The words that start like a form (its
    first STEM_CHARS letters; a paradigm has few such starts) are found instead, and a
    word counts only when it is one of the forms. Forms of several words (`нью-йорк`)
    are looked for whole."""
    forms = surface_forms(lemma.lstrip(NAME_MARK))
    simple = frozenset(f for f in forms if f and not _SPLIT.search(f))
    finders: list[Finder] = []
    if forms - simple:
        finders.append(WordFinder(forms - simple))
    if simple:
        finders.append(start_finder({form[:STEM_CHARS] for form in simple}))
    if not finders:
        return None
    return (finders[0] if len(finders) == 1 else AnyOf(finders)), forms


@lru_cache(maxsize=256)  # a page's hits share their query's finders
def query_patterns(lemmas: frozenset[str], forms: frozenset[str],
                   prefixes: tuple[str, ...]) -> tuple[Matcher, ...]:
    """A matcher per lemma, per form no lemma covers and per prefix (each scanned, and
    limited, on its own, as one pattern each was)."""
    found = [m for m in map(_lemma_finder, sorted(lemmas)) if m is not None]
    covered = set().union(*(surface_forms(lemma.lstrip(NAME_MARK)) for lemma in lemmas)) \
        if lemmas else set()
    found += [(WordFinder((form,)), None) for form in sorted(forms - covered) if form]
    found += [(StartFinder((prefix,)), None) for prefix in prefixes if prefix]
    return tuple(found)


def matched_spans(folded: str, patterns: Iterable[Matcher],
                  limit: int = 300) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words of `folded` that any finder finds, left to right,
    the longest at each place, none overlapping: what one alternation of every finder's
    words would find. A finder with a set of words yields only matches among them."""
    spans = []
    for finder, accept in patterns:
        n = 0
        for start, end in finder.spans(folded):
            if accept is not None and folded[start:end] not in accept:
                continue
            spans.append((start, -end))
            n += 1
            if n > limit:
                break
    spans.sort()
    out: list[tuple[int, int, str]] = []
    end = -1
    for start, neg_end in spans:
        if start >= end:
            end = -neg_end
            out.append((start, end, folded[start:end]))
            if len(out) >= limit:  # plenty to place a window; keeps the scan bounded
                break
    return out
