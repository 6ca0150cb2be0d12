"""Completions as a reader expects them: each word once, and Latin letters read as Russian.

search/suggest.py finds the completions; this module decides which forms are shown.
"""

from __future__ import annotations

import re

from search.morph import index_lemmas
from search.spelling import is_dictionary_word
from search.transliteration import readings
from search.vocabulary import Vocabulary, fold

__all__ = ["one_form_per_word", "in_cyrillic"]

READINGS_TRIED = 16  # of a Latin word, the likeliest, until one is a title's word
_LATIN_WORD = re.compile(r"[A-Za-z']+")


def one_form_per_word(completions: list[str], typed: str = "") -> list[str]:
    """Completions that differ only in the form of their last word (`библиотеке`,
    `библиотеки`, `библиотека`; `нов года`, `нов году`, `нов год`: the search finds
    every form anyway) offered once, where the first of them stood: as the word's normal
    form when one of them is it (the shortest: `Есенин` before the feminine `Есенина`),
    else the most frequent form. A compound goes by the first normal form of each part
    (`библиотеки-филиалы`: `библиотека-филиал`). Other forms of a whole word `typed`
    last are no completions of it (`поэт`: not «поэта»), but its normal form is."""
    groups: list[tuple[str, set[str], list[str]]] = []  # head, lemmas, last words
    group_of: list[int | None] = []
    typed_lemmas = _lemmas(typed) if typed and is_dictionary_word(fold(typed)) else set()
    for completion in completions:
        head, _, last = completion.rpartition(" ")
        lemmas = _lemmas(last)
        if not lemmas:
            group_of.append(None)
            continue
        group = next((g for g, (h, known, _) in enumerate(groups)
                      if h == head and known & lemmas), None)
        if group is None:
            group = len(groups)
            groups.append((head, set(), []))
        groups[group][1].update(lemmas)
        groups[group][2].append(last)
        group_of.append(group)
    out, shown = [], set()
    for completion, group in zip(completions, group_of, strict=True):
        if group is None:
            out.append(completion)
        elif group not in shown:
            shown.add(group)
            head, lemmas, forms = groups[group]
            normal = [f for f in forms if fold(f) in lemmas]
            if lemmas & typed_lemmas and not normal:
                continue  # only other forms of the word typed
            word = min(normal, key=len) if normal else forms[0]
            out.append(f"{head} {word}" if head else word)
    return out


def _lemmas(word: str) -> set[str]:
    parts = fold(word).split("-")
    if not all(part.isalpha() for part in parts):
        return set()
    if len(parts) > 1:
        return {"-".join((index_lemmas(p) or (p,))[0] for p in parts)}
    return set(index_lemmas(parts[0]))


def in_cyrillic(vocab: Vocabulary, text: str) -> str | None:
    """`text` with its Latin words read as Russian (`knigi o` -> `книги о`): each the
    likeliest reading that is a form some title has, the last the likeliest that begins
    one (it is being typed); None when a word has no such reading."""
    words = list(_LATIN_WORD.finditer(text))
    if not words:
        return None
    out, at = [], 0
    for n, match in enumerate(words):
        last = n == len(words) - 1
        found = next((r for r in readings(match.group())[:READINGS_TRIED]
                      if (vocab.prefix_range(fold(r)) if last else vocab.same_word(fold(r)))),
                     None)
        if found is None:
            return None
        out += [text[at:match.start()], found]
        at = match.end()
    return "".join(out) + text[at:]
