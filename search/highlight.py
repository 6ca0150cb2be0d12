"""Snippets: the best window of the stored text, HTML-escaped, matched words in <mark>.

Words are matched through the same lemma cache as the analyzer, so `выставки` in the
query marks `выставке` in the text, as written.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from functools import lru_cache

from search.analysis import WORD_RE
from search.morph import fold_yo, index_lemmas, is_cyrillic

__all__ = ["make_snippet", "SNIPPET_WORDS", "SCAN_CHARS"]

SNIPPET_WORDS = 32
SCAN_CHARS = 30_000
WORD_CACHE_SIZE = 100_000  # distinct written words; bounded to keep worker memory small


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _word_keys(word: str) -> tuple[str, frozenset[str]]:
    """A word as written -> (its folded form, every lemma of it and of its hyphen parts).

    Cached per process: snippets meet the same words in request after request.
    """
    low = fold_yo(word.lower())
    candidates = (low, *low.split("-")) if "-" in low else (low,)
    keys: set[str] = set()
    for c in candidates:
        if is_cyrillic(c):
            keys.update(index_lemmas(c))
        else:
            keys.add(c)
    return low, frozenset(keys)


def make_snippet(text: str, lemmas: frozenset[str], forms: frozenset[str] = frozenset(),
                 prefixes: Iterable[str] = (), size: int = SNIPPET_WORDS) -> str:
    """The `size`-word window with the most distinct matches, escaped, with <mark>s."""
    text = text[:SCAN_CHARS]
    spans = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
    if not spans:
        return html.escape(text[:200])
    prefixes = tuple(prefixes)
    seen: dict[str, bool] = {}
    hit = []
    for s, e in spans:
        word = text[s:e]
        flag = seen.get(word)
        if flag is None:  # an exact form, a typed prefix or a shared lemma
            low, keys = _word_keys(word)
            flag = seen[word] = (low in forms or not lemmas.isdisjoint(keys)
                                 or any(low.startswith(p) for p in prefixes))
        hit.append(flag)
    hits = [i for i, h in enumerate(hit) if h]
    best_start, best_score = 0, -1
    for h in hits:
        start = max(0, h - 4)
        inside = [j for j in hits if start <= j < start + size]
        score = len({fold_yo(text[spans[j][0]:spans[j][1]].lower()) for j in inside}) * 10
        score += len(inside)
        if score > best_score:
            best_start, best_score = start, score
    best_start = min(best_start, max(0, len(spans) - size))
    end_index = min(len(spans), best_start + size) - 1
    out = []
    cursor = spans[best_start][0] if best_start else 0
    if best_start:
        out.append("… ")
    for i in range(best_start, end_index + 1):
        s, e = spans[i]
        out.append(html.escape(text[cursor:s]))
        word = html.escape(text[s:e])
        out.append(f"<mark>{word}</mark>" if hit[i] else word)
        cursor = e
    tail_end = spans[end_index][1]
    if end_index < len(spans) - 1:
        out.append(" …")
    elif tail_end < len(text):
        out.append(html.escape(text[tail_end:tail_end + 3]))
    return "".join(out).strip()
