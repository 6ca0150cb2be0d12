"""A word's derivational family, as Snowball stems: `краеведение`, `краеведческий` and
`краевед` are one subject, though neither their lemmas nor their stems (`краеведен`,
`краеведческ`, `краевед`) meet.

Snowball strips inflections, not derivations. Here a stem loses at most one common
derivational suffix (DERIVATIONAL_SUFFIXES) to give a root, each way it can (`детективн`:
`детектив` + `н`, `детект` + `ивн`), and the family is each root with each suffix put
back: stems the index may or may not hold (a missing term costs one lexicon lookup, on
any engine). A root keeps MIN_ROOT letters, so short words (`поэт`,
`осень`) have no family beyond their stem, and MIN_STRIPPED_ROOT when a suffix was taken
off, so `гостиная` (`гостин`) is not `гости` + «гостиница». `-ик` is no suffix here:
`праздник` would be `праздн` + `ик`, «праздный».

>>> {"краевед", "краеведческ"} <= set(family("краеведен"))
True
>>> "гостиниц" in family("гостин"), "праздн" in family("праздник")
(False, False)
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["family", "roots", "MIN_ROOT", "MIN_STRIPPED_ROOT", "DERIVATIONAL_SUFFIXES"]

# Suffixes as they stand at the end of a Snowball stem (its endings already gone):
# adjectives (`краеведческ`, `шахматн`, `спортивн`, `рукодельн`), nouns of action,
# quality and person (`краеведен`, `волонтерств`, `шахматист`, `писательниц`,
# `библиотекар`, `экранизац`) and verbs (`экранизирова`).
DERIVATIONAL_SUFFIXES = (
    "ческ", "ическ", "еск", "ск", "н", "ьн", "альн", "ичн", "енн", "онн", "ивн",
    "ен", "ан", "ств", "тел", "ник", "ниц", "ьниц", "щик", "чик", "ист", "изм", "ант",
    "ар", "ац", "ова", "ирова",
)
# A shorter root joins unrelated words (`поэ`: «поэт», `сезо`: «сезон»). (The Whoosh
# engine lists a family's stems by these first letters: search/engine/whoosh/term_presence.py.)
MIN_ROOT = 5
# ... and one left by taking a suffix off, more often (`гости`: «гостиница», `празд`:
# «праздный», from `гостиная` and `праздник`).
MIN_STRIPPED_ROOT = 6
# A feminine noun of a person keeps its suffix: `писательница` asks for women, though
# `писатель` finds «писательница» (search/feminine.py).
_FEMININE = ("ниц", "ьниц")
_STRIPPED = tuple(s for s in DERIVATIONAL_SUFFIXES if s not in _FEMININE)


def roots(stem: str) -> list[str]:
    """`stem` itself and what it leaves without each derivational suffix it ends with
    (MIN_STRIPPED_ROOT letters left at least; a feminine suffix stays)."""
    return [stem, *(stem[:-len(suffix)] for suffix in _STRIPPED
                    if stem.endswith(suffix) and len(stem) - len(suffix) >= MIN_STRIPPED_ROOT)]


@lru_cache(maxsize=20_000)
def family(stem: str) -> tuple[str, ...]:
    """The other stems of `stem`'s family (not `stem` itself); none under MIN_ROOT."""
    if len(stem) < MIN_ROOT:
        return ()
    out = dict.fromkeys(base + suffix for base in roots(stem)
                        for suffix in ("", *DERIVATIONAL_SUFFIXES))
    out.pop(stem, None)
    return tuple(out)
