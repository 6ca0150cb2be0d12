"""A compound's head indexed beside it: `фотовыставка` also as «выставка».

Russian writes many library words as one with a combining first part (фото-, видео-,
аудио-, кино-, мульт-, медиа-): `выставка` found nothing of a «Фотовыставка», `фильм`
nothing of a «мультфильм». At index time such a word also gives its head's lemma, at
the same position with a lower weight, so a search for the head finds the compound (a
phrase too: «детская фотовыставка» for `"детская выставка"`); a search for the compound
finds only the compound. Only parts whose head is a word of its own (five letters at
least, a dictionary word) count: `фотограф` is no «граф».
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["with_head", "HEAD_WEIGHT", "COMBINING", "MIN_HEAD"]

COMBINING = ("фото", "видео", "аудио", "кино", "мульт", "медиа", "онлайн", "арт", "эко")
HEAD_WEIGHT = 0.5  # of the compound's own reading, in its term frequency
MIN_HEAD = 5


@lru_cache(maxsize=50_000)
def _head(word: str) -> str | None:
    """The lemma of a compound's head, or None."""
    from search.morph import readings
    from search.spelling import is_dictionary_word

    for part in COMBINING:
        if word.startswith(part):
            head = word[len(part):]
            if len(head) >= MIN_HEAD and head.isalpha() and is_dictionary_word(head):
                found = readings(head)
                return found[0].lemma if found else None
    return None


def with_head(word: str, lemmas: tuple[str, ...],
              weights: tuple[float, ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """A word's index lemmas and weights, its head's lemma added when it is a compound
    (told by its first lemma: `фотографом` is «фотограф», whose head is too short)."""
    if len(word) < 3 + MIN_HEAD or not word.startswith(COMBINING) or not lemmas \
            or "-" in word:  # `онлайн-викторина`: its parts are indexed as they are
        return lemmas, weights
    head = _head(lemmas[0])
    if head is None or head in lemmas:
        return lemmas, weights
    return (*lemmas, head), (*weights, HEAD_WEIGHT)
