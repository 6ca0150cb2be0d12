"""What of an author or signature line is searchable: the surnames.

`q=Вершинина` should find what Анна Вершинина signed, but `q=вера` (faith) should not
find everything Вера Аксёнова signed, nor `q=газета` every post signed «Газета …».
So the people field holds the words that can be a surname, or that the dictionary does
not know (a foreign or rare surname); first names, patronymics, common words and
abbreviations in capitals (`Сектор ПЦПИ` signs as a department, not a person) are left
out.
"""

from __future__ import annotations

from search.analysis import WORD_RE
from search.morph import get_analyzer

__all__ = ["surnames"]


def surnames(line: str | None) -> str:
    """The surname-like words of an author line: `Анна Вершинина` -> `Вершинина`."""
    if not line:
        return ""
    morph = get_analyzer()
    kept = []
    after_name = False
    for word in WORD_RE.findall(line):
        grammemes = set().union(*(p.tag.grammemes for p in morph.parse(word)))
        # a patronymic with no first name before it is a surname: `Юзефович`
        lone_patronymic = "Patr" in grammemes and not after_name
        if len(word) > 2 and not word.isupper() and (
                "Surn" in grammemes or lone_patronymic or not morph.word_is_known(word.lower())):
            kept.append(word)
        after_name = "Name" in grammemes
    return " ".join(kept)
