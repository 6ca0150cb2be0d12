"""Snippets: the best window of the stored text, HTML-escaped, matched words in <mark>.

Each of the query's lemmas is expanded once into every written form of it (pymorphy3's
paradigms) and the text is scanned for their starts (search/word_finders.py), passes in
C instead of lemmatizing every word of the article.
`выставки` in the query marks `выставке` in the text, as written. The patterns are
search/highlight_patterns.py; here the window is chosen, cut to whole words and marked.
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
from search.highlight_patterns import (
    STEM_CHARS,
    Matcher,
    matched_spans,
    query_patterns,
    surface_forms,
)
from search.morph import NAME_MARK, fold_yo

__all__ = ["make_snippet", "SNIPPET_WORDS", "SCAN_CHARS"]

SNIPPET_WORDS = 32
SCAN_CHARS = 30_000
_CHARS_PER_WORD = 7
_LEAD_CHARS = 40


@lru_cache(maxsize=256)
def _compounds(lemmas: frozenset[str]) -> tuple[Matcher, ...]:
    """The compounds the index gave these lemmas as their head (`фотовыставка`)."""
    heads = frozenset(f for lemma in lemmas if len(lemma) >= MIN_HEAD
                      for f in surface_forms(lemma.lstrip(NAME_MARK)))
    return ((CompoundFinder(heads, STEM_CHARS), None),) if heads else ()


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
    patterns = query_patterns(frozenset(lemmas), frozenset(forms),
                         tuple(fold_yo(p.lower()) for p in prefixes))
    folded = _folded(text)
    matches = _joined_stop_words(folded, matched_spans(folded, patterns)) if patterns else []
    compounds = _compounds(frozenset(lemmas))
    if not matches and compounds:  # found only through a compound's head
        matches = matched_spans(folded, compounds)
        compounds = ()
    if not matches and stems:
        derived = query_patterns(frozenset(), frozenset(), tuple(stems))
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
