"""Feminine nouns of a person: `писатель` also finds `писательница`.

Russian names a woman's occupation or role with its own noun (писательница, поэтесса,
школьница, студентка), which pymorphy3 parses as a lexeme of its own, so a search for
`встреча с писателем` missed «Встреча с детской писательницей». A query word whose lemma
is a masculine animate noun also matches the feminine nouns formed from it by the regular
suffixes, when pymorphy3's dictionary knows them as feminine animate nouns. The other way
is left alone: `писательница` asks for women.
"""

from __future__ import annotations

from functools import lru_cache

from search.morph import fold_yo, get_analyzer

__all__ = ["feminine_nouns"]

# (ending of the masculine noun, what replaces it): учитель -> учительница, школьник ->
# школьница, студент -> студентка, поэт -> поэтесса, горожанин -> горожанка, герой ->
# героиня. Each candidate must be a feminine animate noun of the dictionary.
_SUFFIXES = (
    ("тель", "тельница"),
    ("ник", "ница"),
    ("анин", "анка"),
    ("янин", "янка"),
    ("ой", "оиня"),
    ("", "ка"),
    ("", "есса"),
)


@lru_cache(maxsize=20_000)
def feminine_nouns(lemma: str) -> tuple[str, ...]:
    """The feminine nouns of the person `lemma` names (empty for anything else)."""
    if len(lemma) < 3 or not _is_noun(lemma, "masc"):
        return ()
    found = []
    for ending, feminine in _SUFFIXES:
        if lemma.endswith(ending):
            candidate = lemma[:len(lemma) - len(ending)] + feminine
            if candidate != lemma and candidate not in found and _is_noun(candidate, "femn"):
                found.append(candidate)
    return tuple(found)


def _is_noun(lemma: str, gender: str) -> bool:
    """Whether the dictionary knows `lemma` as the normal form of an animate noun."""
    for parse in get_analyzer().parse(lemma):
        tag = parse.tag
        if (parse.is_known and fold_yo(parse.normal_form) == lemma and tag.POS == "NOUN"
                and tag.animacy == "anim" and tag.gender == gender and tag.case == "nomn"
                and tag.number == "sing"):
            return True
    return False
