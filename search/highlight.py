"""Snippets: the best window of the stored text, HTML-escaped, matched words in <mark>.

Each of the query's lemmas is expanded once into every written form of it (pymorphy3's
paradigms) and compiled into a regular expression kept per lemma; the text is scanned
with them, C-level regex passes instead of lemmatizing every word of the article.
`выставки` in the query marks `выставке` in the text, as written.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache

from search.analysis import STOP_WORDS
from search.compounds import MIN_HEAD, CompoundFinder
from search.dictionary_parse import dictionary_lexemes
from search.morph import NAME_MARK, fold_yo, get_analyzer, is_cyrillic

__all__ = ["make_snippet", "surface_forms", "SNIPPET_WORDS", "SCAN_CHARS"]

SNIPPET_WORDS = 32
SCAN_CHARS = 30_000
_CHARS_PER_WORD = 7
_LEAD_CHARS = 40
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
def _patterns(lemmas: frozenset[str], forms: frozenset[str],
              prefixes: tuple[str, ...]) -> tuple[Matcher, ...]:
    found = [_lemma_pattern(lemma) for lemma in sorted(lemmas)]
    covered = set().union(*(surface_forms(lemma.lstrip(NAME_MARK)) for lemma in lemmas)) \
        if lemmas else set()
    found += [(_words_pattern(frozenset({form})), None) for form in sorted(forms - covered)]
    found += [(_prefix_pattern(p), None) for p in prefixes if p]
    return tuple((p, accept) for p, accept in found if p is not None)


@lru_cache(maxsize=256)
def _compounds(lemmas: frozenset[str]) -> tuple[Matcher, ...]:
    """The compounds the index gave these lemmas as their head (`фотовыставка`)."""
    heads = frozenset(f for lemma in lemmas if len(lemma) >= MIN_HEAD
                      for f in surface_forms(lemma.lstrip(NAME_MARK)))
    return ((CompoundFinder(heads, STEM_CHARS), None),) if heads else ()


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


_WORD_CHAR = re.compile(r"\w")


def _joined_stop_words(folded: str, matches: list[tuple[int, int, str]]):
    """The matches without stop words standing alone: a phrase's `и` («Война и мир») is
    marked next to a marked word of the query, not wherever the text has one."""
    if all(word in STOP_WORDS for *_, word in matches):
        return matches  # a query of stop words only: nothing else to stand next to

    def beside(i: int, j: int) -> bool:
        if not 0 <= j < len(matches) or matches[j][2] in STOP_WORDS:
            return False
        (a, b) = sorted((i, j))
        return _WORD_CHAR.search(folded, matches[a][1], matches[b][0]) is None

    return [m for i, m in enumerate(matches)
            if m[2] not in STOP_WORDS or beside(i, i - 1) or beside(i, i + 1)]


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


def _best_window(matches: list[tuple[int, int, str]], width: int) -> int:
    """Start offset of the window of `width` chars with the most distinct matched words
    (then the most matches), the first such; one pass with a sliding end, as matches
    are ordered by start (a common word gives hundreds of them)."""
    best_start, best_score = matches[0][0], -1
    counts: dict[str, int] = {}
    end = 0
    for i, (start, _, word) in enumerate(matches):
        while end < len(matches) and matches[end][0] < start + width:
            counts[matches[end][2]] = counts.get(matches[end][2], 0) + 1
            end += 1
        score = len(counts) * 10 + (end - i)
        if score > best_score:
            best_start, best_score = start, score
        counts[word] -= 1
        if not counts[word]:
            del counts[word]
    return best_start


_SPACE = re.compile(r"\s")
_WORD_REACH = 30  # how far a cut looks for the edge of the word it falls in


def _cut(text: str, start: int, width: int) -> tuple[int, int]:
    """[start, start+width) moved to whole words: back to the start of the word it begins
    in (the text's start, or a line's: `… рого апреля` had cut the first word), or on to
    the next one past a very long word; its end on to the end of its word, or back."""
    if 0 < start < len(text) and not text[start - 1].isspace():
        spaces = [m.end() for m in _SPACE.finditer(text, max(0, start - _WORD_REACH), start)]
        if spaces:
            start = spaces[-1]
        elif start <= _WORD_REACH:
            start = 0
        elif (after := _SPACE.search(text, start, start + _WORD_REACH)) is not None:
            start = after.end()
    end = min(len(text), start + width)
    if end < len(text) and not text[end].isspace() and not text[end - 1].isspace():
        after = _SPACE.search(text, end, end + _WORD_REACH)
        if after is not None:
            end = after.start()
        elif len(text) - end <= _WORD_REACH:
            end = len(text)
        else:
            spaces = [m.start() for m in _SPACE.finditer(text, max(start, end - _WORD_REACH), end)]
            end = spaces[-1] if spaces else end
    return start, end


# Texts lowercased lately, with their size in characters: lowercasing a text is a sixth of
# a snippet (Cyrillic has no fast path in str.lower), and the publications a search
# shows come back in other searches.
FOLDED_CHARS = 4_000_000
_folded_texts: OrderedDict[str, str] = OrderedDict()
_folded_size = 0
_folded_lock = threading.Lock()


def _folded(text: str) -> str:
    """`text` lowercased with ё folded, each character in its place."""
    global _folded_size
    found = _folded_texts.get(text)
    if found is not None:
        return found
    folded = fold_yo(text).lower()
    if len(folded) != len(text):  # a rare letter whose lowercase is longer
        folded = "".join(c if len(c.lower()) != 1 else c.lower() for c in fold_yo(text))
    with _folded_lock:
        if text not in _folded_texts:
            _folded_texts[text] = folded
            _folded_size += len(text)
        while _folded_size > FOLDED_CHARS and _folded_texts:
            _folded_size -= len(_folded_texts.popitem(last=False)[0])
    return folded


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for span in spans:
        if not out or span[0] >= out[-1][1]:
            out.append(span)
    return out


def make_snippet(text: str, lemmas: frozenset[str], forms: frozenset[str] = frozenset(),
                 prefixes: Iterable[str] = (), size: int = SNIPPET_WORDS,
                 stems: Iterable[str] = ()) -> str:
    """About `size` words around the densest matches, escaped, with <mark>s. When no
    word of `lemmas`, `forms` or `prefixes` is in the text, the words beginning with one
    of `stems` are (the query's derivations matched there: `говоров`, «говорил»)."""
    text = text[:SCAN_CHARS]
    width = size * _CHARS_PER_WORD
    patterns = _patterns(frozenset(lemmas), frozenset(forms),
                         tuple(fold_yo(p.lower()) for p in prefixes))
    folded = _folded(text)
    matches = _joined_stop_words(folded, matched_spans(folded, patterns)) if patterns else []
    compounds = _compounds(frozenset(lemmas))
    if not matches and compounds:  # found only through a compound's head
        matches = matched_spans(folded, compounds)
        compounds = ()
    if not matches and stems:
        derived = _patterns(frozenset(), frozenset(), tuple(stems))
        matches = _joined_stop_words(folded, matched_spans(folded, derived))
    anchor = _best_window(matches, width) - _LEAD_CHARS if matches else 0
    start, end = _cut(text, max(0, anchor), width)
    if compounds:  # looked for in the window only: over the whole text, 4 % of a request
        inside = [(a + start, b + start, w)
                  for a, b, w in matched_spans(folded[start:end], compounds)]
        matches = _without_overlaps(sorted(matches + inside)) if inside else matches
    out = ["… "] if start > 0 else []
    cursor = start
    for m_start, m_end, _ in matches:
        if m_start < start or m_end > end:
            continue
        out.append(html.escape(text[cursor:m_start]))
        out.append(f"<mark>{html.escape(text[m_start:m_end])}</mark>")
        cursor = m_end
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append(" …")
    return " ".join("".join(out).split())
