"""A word's derivational family, as Snowball stems: `краеведение`, `краеведческий` and
`краевед` are one subject, though neither their lemmas nor their stems (`краеведен`,
`краеведческ`, `краевед`) meet.

Snowball strips inflections, not derivations. Here a stem loses at most one common
derivational suffix (DERIVATIONAL_SUFFIXES) to give its root, and the family is the root
with each suffix put back: stems the index may or may not hold (a missing term costs one
lexicon lookup, on any engine). A root must keep MIN_ROOT letters, so short words
(`поэт`, `осень`) have no family beyond their stem.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["family", "MIN_ROOT", "DERIVATIONAL_SUFFIXES"]

# Suffixes as they stand at the end of a Snowball stem (its endings already gone):
# adjectives (`краеведческ`, `шахматн`, `спортивн`, `музыкальн`), nouns of action,
# quality, person and place (`краеведен`, `волонтерств`, `шахматист`, `рукодельниц`,
# `музыкант`, `библиотекар`, `экранизац`) and verbs (`экранизирова`).
DERIVATIONAL_SUFFIXES = (
    "ческ", "ическ", "еск", "ск", "н", "ьн", "альн", "ичн", "енн", "онн", "ивн",
    "ен", "ан", "ств", "тел", "ник", "ниц", "ьниц", "щик", "чик", "ист", "изм", "ант",
    "ар", "ац", "ик", "ова", "ирова",
)
# A shorter root joins unrelated words (`поэ`: «поэт», `сезо`: «сезон»).
MIN_ROOT = 5
# A feminine noun of a person keeps its suffix: `писательница` asks for women, though
# `писатель` finds «писательница» (search/feminine.py).
_FEMININE = ("ниц", "ьниц")
_LONGEST_FIRST = tuple(sorted((s for s in DERIVATIONAL_SUFFIXES if s not in _FEMININE),
                              key=len, reverse=True))


def root(stem: str) -> str:
    """`stem` without its longest derivational suffix that leaves MIN_ROOT letters
    (a feminine one stays)."""
    for suffix in _LONGEST_FIRST:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= MIN_ROOT:
            return stem[:-len(suffix)]
    return stem


@lru_cache(maxsize=20_000)
def family(stem: str) -> tuple[str, ...]:
    """The other stems of `stem`'s family (not `stem` itself); none under MIN_ROOT."""
    base = root(stem)
    if len(base) < MIN_ROOT:
        return ()
    out = dict.fromkeys([base, *(base + suffix for suffix in DERIVATIONAL_SUFFIXES)])
    out.pop(stem, None)
    return tuple(out)
