"""Existing facet values near a filter value that no publication has.

A librarian types a library or an author as she remembers it: `им. А.С. Пушкина` for
«им. А. С. Пушкина», `ЦГБ` for «ЦГБ им. Пушкина», `Вершинина` or `Вершинина Анна` for
«Анна Вершинина». Filters compare whole values (search.engine.facet_key), so these find
nothing; the warning then names the values that were probably meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from search.analysis import STOP_WORDS
from search.engine import facet_key
from search.morph import fold_yo, index_lemmas

__all__ = ["near_values", "unknown_value_warnings", "topic_hints", "MAX_HINTS",
           "FACET_LABELS"]

MAX_HINTS = 3
FACET_LABELS = {"topic": "тема", "author": "автор", "library": "библиотека", "year": "год"}
_WORD = re.compile(r"\w+")


def near_values(typed: str, values: Iterable[str], limit: int = MAX_HINTS) -> list[str]:
    """Up to `limit` of `values` that are `typed` with other spacing, punctuation or
    quotes (`№3`, `"Лира"`), or that hold every word of it in any order (`ЦГБ`,
    `Вершинина Анна`): the exact ones first, then the shortest."""
    words = _WORD.findall(facet_key(typed))
    if not words:
        return []
    joined = "".join(words)
    found = []
    for value in values:
        theirs = _WORD.findall(facet_key(value))
        if "".join(theirs) == joined:
            found.append((0, len(value), value))
        elif set(words) <= set(theirs):
            found.append((1, len(value), value))
    return [value for *_, value in sorted(found)[:limit]]


def unknown_value_warnings(unknown: Mapping[str, tuple[str, ...]],
                           every_value: Callable[[], Mapping[str, Iterable]]) -> list[str]:
    """A warning per filter value no publication has, naming the values it is near
    (`every_value`: the engine's facet values, asked only when a value is unknown)."""
    out = []
    every = every_value() if unknown else {}
    for name, values in unknown.items():
        existing = [v.value for v in every.get(name, ())]
        for value in values:
            warning = (f"нет публикаций со значением «{value}» в фильтре "
                       f"«{FACET_LABELS.get(name, name)}»")
            near = near_values(value, existing) if name != "year" else []
            if near:
                warning += "; есть " + ", ".join(f"«{v}»" for v in near)
            out.append(warning)
    return out


def topic_hints(words: Iterable[str],
                every_value: Callable[[], Mapping[str, Iterable]]) -> list[str]:
    """For a query that found nothing, the topics whose names hold each of its words in
    some form (`краеведение`: the topic «Краеведение» has publications none of whose
    texts say the word): a librarian searches the topic list's own names."""
    wanted = [set(index_lemmas(w)) for w in (fold_yo(w.lower()) for w in words)
              if w not in STOP_WORDS]
    if not wanted or not all(wanted):
        return []
    out = []
    for topic in every_value().get("topic", ()):
        named = {lemma for w in _WORD.findall(fold_yo(topic.value.lower()))
                 for lemma in index_lemmas(w)}
        if all(lemmas & named for lemmas in wanted):
            out.append(f"есть тема «{topic.value}» ({_publications(topic.count)}): её "
                       "можно выбрать в фильтре «тема»")
    return out[:MAX_HINTS]


def _publications(count: int) -> str:
    """`count` публикация in the form a Russian number takes (1, 21; 2-4; 5-20)."""
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} публикация"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return f"{count} публикации"
    return f"{count} публикаций"
