"""The patterns a snippet marks words with (search/highlight.py): every written form of
a query's lemmas, its exact forms and its prefixes as regular expressions, kept per lemma
and per query, and the words of a text they find.

Each of the query's lemmas is expanded once into every written form of it (pymorphy3's
paradigms) and compiled into a regular expression kept per lemma; the text is scanned
with them, C-level regex passes instead of lemmatizing every word of the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from search.dictionary_parse import dictionary_lexemes
from search.morph import NAME_MARK, fold_yo, get_analyzer, is_cyrillic

__all__ = ["surface_forms", "query_patterns", "matched_spans", "Matcher", "STEM_CHARS"]

_WORD = r"[^\W_]"
_MARKS = "\u0300-\u036f\u00ad"
# Put after a word's first letter: no word letter before it. re then skips, in C, the
# positions where no word of a pattern can start.
_WORD_START = rf"(?<![\w{_MARKS}][\s\S])"


def _starting(letters: str) -> str:
    """A pattern of `letters` at the start of a word: the check that no word letter stands
    before them comes after them, so that re looks for the whole literal (a fast
    substring search in C) and not for its first letter alone: half the time of a scan."""
    return re.escape(letters) + rf"(?<![\w{_MARKS}][\s\S]{{{len(letters)}}})"


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


@lru_cache(maxsize=8192)
def _words_pattern(words: frozenset[str]) -> re.Pattern | None:
    """One regular expression finding any of `words` as a whole word (a trie of them)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    alternatives = [re.escape(ch) + _WORD_START + _trie_pattern(node)
                    for ch, node in sorted(trie.items()) if ch]
    if not alternatives:
        return None
    return re.compile(rf"(?:{'|'.join(alternatives)})(?![\w{_MARKS}])")


# Letters of a form that select candidate words for a lemma (see _lemma_pattern).
STEM_CHARS = 4
_SPLIT = re.compile(r"[\W_]")  # a character that is not a word letter: `-`


@lru_cache(maxsize=8192)
def _lemma_pattern(lemma: str) -> tuple[re.Pattern | None, frozenset[str] | None]:
    """Every written form of one lemma: (a pattern, the forms its matches must be).

    A pattern of every form (a trie of a few hundred) cost ~0.7 ms to compile, a tenth of
    a search whose words were new to the worker. The pattern here finds whole words that
    start like a form (its first STEM_CHARS letters; a paradigm has few such starts), and
    a match counts only when the word is one of the forms: the same words, found in C,
    from a pattern that compiles in microseconds. Kept per lemma, not per query."""
    forms = surface_forms(lemma.lstrip(NAME_MARK))
    simple = frozenset(f for f in forms if f and not _SPLIT.search(f))
    starts = sorted({form[:STEM_CHARS] for form in simple})
    compound = _words_pattern(forms - simple)  # `нью-йорк`: a few forms, spelled out, tried first
    alternatives = [compound.pattern] if compound is not None else []
    alternatives += [_starting(s) + rf"{_WORD}*" for s in starts]
    if not alternatives:
        return None, None
    return re.compile(rf"(?:{'|'.join(alternatives)})(?![\w{_MARKS}])"), forms


@lru_cache(maxsize=1024)
def _prefix_pattern(prefix: str) -> re.Pattern:
    return re.compile(_starting(prefix) + rf"{_WORD}*(?![\w{_MARKS}])")


Matcher = tuple[re.Pattern, frozenset[str] | None]  # a pattern, the words it may yield


@lru_cache(maxsize=256)  # a page's hits share their query's patterns
def query_patterns(lemmas: frozenset[str], forms: frozenset[str],
              prefixes: tuple[str, ...]) -> tuple[Matcher, ...]:
    found = [_lemma_pattern(lemma) for lemma in sorted(lemmas)]
    covered = set().union(*(surface_forms(lemma.lstrip(NAME_MARK)) for lemma in lemmas)) \
        if lemmas else set()
    found += [(_words_pattern(frozenset({form})), None) for form in sorted(forms - covered)]
    found += [(_prefix_pattern(p), None) for p in prefixes if p]
    return tuple((p, accept) for p, accept in found if p is not None)


def matched_spans(folded: str, patterns: Iterable[Matcher],
                  limit: int = 300) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words of `folded` that any pattern finds, left to right,
    the longest at each place, none overlapping: what one alternation of every pattern's
    words would find. A pattern with a set of words yields only matches among them."""
    spans = []
    for pattern, accept in patterns:
        n = 0
        for m in pattern.finditer(folded):
            if accept is not None and m.group() not in accept:
                continue
            spans.append((m.start(), -m.end()))
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


def _trie_pattern(node: dict) -> str:
    """The words below a trie node as one pattern: `(?:га|ги|гой)`, the longest match first.

    re tries a flat alternation's hundreds of forms one by one at each word start; a
    trie branches on one letter per step. Going on is tried before stopping, so the
    longest form wins, as in the flat alternation sorted longest first that it replaced.
    A run of letters with no branch is one literal: the recursion goes as deep as the
    branches, not the letters (a 2,000-letter word typed went past Python's limit).
    """
    branches = []
    for ch, child in sorted(node.items()):
        if not ch:
            continue
        run = [ch]
        while len(child) == 1 and "" not in child:
            (ch, child), = child.items()
            run.append(ch)
        branches.append(re.escape("".join(run)) + _trie_pattern(child))
    if not branches:
        return ""
    body = "|".join(branches)
    if "" in node:
        return f"(?:{body})?"
    return body if len(branches) == 1 else f"(?:{body})"
