"""Existing facet values near a filter value that no publication has.

A librarian types a library or an author as she remembers it: `им. А.С. Пушкина` for
«им. А. С. Пушкина», `ЦГБ` for «ЦГБ им. Пушкина», `Вершинина` or `Вершинина Анна` for
«Анна Вершинина». Filters compare whole values (search.engine.facet_key), so these find
nothing; the warning then names the values that were probably meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from search.engine import facet_key

__all__ = ["near_values", "unknown_value_warnings", "MAX_HINTS", "FACET_LABELS"]

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
