"""Words typed apart that the index holds as one (`медиа грамотность`), and one word that
is two run together (`книжнаявыставка`): search/correction.py's other corrections."""

from __future__ import annotations

from search.analysis import STOP_WORDS
from search.morph import fold_yo, index_lemmas, is_cyrillic
from search.spelling import SpellingLexicon, has_reading_outside, is_dictionary_word

__all__ = ["split_word", "joined_words", "documents"]


# Words a missed space runs together behind (`вбиблиотеке`: «в библиотеке»).
_LEADING_WORDS = frozenset("в во к ко с со о об на по за из для про от до и".split())


def split_word(lexicon: SpellingLexicon, word: str,
               latin: bool = False) -> tuple[str, int] | None:
    """An unknown word as two known ones a missed space or hyphen ran together
    (`мастеркласс`: «мастер-класс», `книжнаявыставка`: «книжная выставка»,
    `вбиблиотеке`: «в библиотеке»), as one edit; the compound the index holds first,
    then the split whose rarer word is in most documents. Of a Latin word's reading
    (`latin`), only a compound the index holds or a preposition run into a word: two
    Russian words hide in many English ones (`author`: «аут хор»)."""
    if len(word) < 6 or not word.isalpha():
        return None
    best = None
    for at in range(1, len(word) - 2):
        first, second = word[:at], word[at:]
        leading = first in _LEADING_WORDS
        if not (leading or (_holds(lexicon, first) and _common_word(first))):
            continue
        # after a preposition a name or a place (`вбрянске`, `опушкине`); else no name
        if not _holds(lexicon, second) or not (leading or _common_word(second)):
            continue
        if len(first) >= 3 and lexicon.knows(f"{first}-{second}"):
            return f"{first}-{second}", 1
        if latin and first not in _LEADING_WORDS:  # `author` is no «аут хор»
            continue
        rarer = min(documents(lexicon, w) for w in (first, second) if w not in STOP_WORDS)
        if best is None or rarer > best[0]:
            best = (rarer, f"{first} {second}")
    return (best[1], 1) if best else None


def _holds(lexicon: SpellingLexicon, word: str) -> bool:
    """A word of the index that the dictionary knows (a guessed one splits anything)."""
    return len(word) >= 3 and is_dictionary_word(word) and lexicon.knows(word)


# Readings that make no part of words run together: names (`вечирина` is no «веч
# ирина», `перескакова` no «перес какова»: a methodologist's trial) and the dictionary's
# informal, archaic and abbreviated words (`веч`, of «вече»).
_NO_PART = frozenset({"Name", "Surn", "Patr", "Infr", "Arch", "Abbr", "Erro", "Dist", "Slng"})


def _common_word(word: str) -> bool:
    """Whether the dictionary holds `word` as a common word, in some reading."""
    return has_reading_outside(word, _NO_PART)


def documents(lexicon: SpellingLexicon, word: str) -> int:
    """How many documents hold the word, by its likeliest-held lemma."""
    return max((lexicon.frequency(lemma) for lemma in index_lemmas(word)), default=0)


def joined_words(lexicon: SpellingLexicon, query: str, words: list[str]) -> str | None:
    """The query with two words the index knows as one joined: `медиа грамотность` ->
    `медиаграмотность`; None when none are."""
    for first, second in zip(words, words[1:], strict=False):
        # A lexicon word must begin as the pair does, up to two letters into the second
        # word (an ending may differ): else no parse and no lookup of a word no one
        # writes (a tenth of a search of several new words).
        # (The lexicon has no hyphenated words: `экс глава` is looked up as it was.)
        solid = lexicon.has_prefix(fold_yo(f"{first}{second[:2]}".lower()))
        for glue in ("", "-") if solid else ("-",):
            joined = fold_yo(f"{first}{glue}{second}".lower())
            if len(joined) >= 6 and is_cyrillic(joined) and lexicon.knows(joined):
                fixed = query.replace(f"{first} {second}", f"{first}{glue}{second}", 1)
                if fixed != query:
                    return fixed
    return None
