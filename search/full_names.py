"""A first name and a surname typed together also find what that person signed.

The people field holds only the surnames of an author line (search/people.py), so
`Анна Вершинина` found the one text naming her in full, not the posts Анна Вершинина
signed: «Анна» was in none of them. A first name typed next to a surname is also met by
that surname in the people field.
"""

from __future__ import annotations

from functools import lru_cache

from search.analysis import index_terms
from search.morph import fold_yo, get_analyzer, readings
from search.people import surnames
from search.spelling import has_reading_outside

__all__ = ["signer_surnames", "optional_given_names"]


def signer_surnames(words: list[str]) -> dict[int, tuple[str, ...]]:
    """For each first name among a query's words, in order, the people-field lemmas of
    the surname typed before or after it (`Анна Вершинина`: {0: ("вершинин",)})."""
    out: dict[int, tuple[str, ...]] = {}
    for i, word in enumerate(words):
        if not _is_first_name(word):
            continue
        for j in (i + 1, i - 1):
            lemmas = _surname_lemmas(words[j]) if 0 <= j < len(words) and j not in out else None
            if lemmas is not None:
                out[i] = lemmas
                break
    return out


def optional_given_names(words: list[str]) -> set[int]:
    """The places of the first name and patronymic in a query that is one person's name
    and nothing else (`Ирина Морощук`, `Морощук Ирина Николаевна`); empty for any other.

    Texts give them as initials as often as in full («И. Н. Морощук»), and a colleague
    typing the full name found only the texts that spell it out (a methodologist's
    trial): the surname is what is needed there, the rest ranks.
    """
    if not 2 <= len(words) <= 3:
        return set()
    given = {i for i, word in enumerate(words) if _only_a_name(word) or _is_patronymic(word)}
    rest = [i for i in range(len(words)) if i not in given]
    if (len(rest) != 1 or _surname_lemmas(words[rest[0]]) is None
            or _common_word(words[rest[0]])
            or not any(_is_first_name(words[i]) for i in given)):
        return set()
    return given


# Readings that are no common word: a person's names, and a place (`Белова`: «Белово»).
_NAMES_AND_PLACES = frozenset({"Name", "Surn", "Patr", "Geox"})


def _only_a_name(word: str) -> bool:
    """A first name that is no common word too (`Ирина`; not `Лев`, `Роза`, `Надежда`:
    `роза ветров` is a wind rose, not a Роза Ветрова)."""
    return _is_first_name(word) and any(
        r.is_name and not r.ambiguous_name for r in readings(fold_yo(word.lower())))


def _common_word(word: str) -> bool:
    """Whether the dictionary reads `word` as a common word too (`Толстой`: «толстый»,
    `Ветров`: «ветер»), not only as a name or a place."""
    return has_reading_outside(word.lower(), _NAMES_AND_PLACES)


@lru_cache(maxsize=20_000)  # every plain word of every query asks: a parse each
def _is_first_name(word: str) -> bool:
    return any("Name" in parse.tag.grammemes for parse in get_analyzer().parse(word))


@lru_cache(maxsize=20_000)
def _is_patronymic(word: str) -> bool:
    return any("Patr" in parse.tag.grammemes for parse in get_analyzer().parse(word))


@lru_cache(maxsize=20_000)
def _surname_lemmas(word: str) -> tuple[str, ...] | None:
    """The people-field lemmas of a word that can be a surname, else None."""
    return tuple(index_terms(word)) if surnames(word) == word else None
