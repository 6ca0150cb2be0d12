"""Russian words typed in Latin letters (`pushkin`, `biblioteka`, `detskaya kniga`).

Transliteration has many conventions (GOST, BGN, passports, habit): `я` is ya, ia or ja,
`й` is y, i or j, `ц` is ts, tz or c, and the soft sign is mostly dropped. Read back,
a Latin word has several Cyrillic spellings; `readings` gives them all (up to a bound),
and the spelling corrector keeps the one the index knows best (search/spelling.py).
"""

from __future__ import annotations

__all__ = ["readings", "MAX_READINGS"]

MAX_READINGS = 64  # enough for a word of 14 letters with several ambiguous ones

# Latin sequences and what each may stand for, the usual reading first.
_TABLE: dict[str, tuple[str, ...]] = {
    "shch": ("щ",), "sch": ("щ", "сч"), "sh": ("ш",), "ch": ("ч",), "zh": ("ж",),
    "kh": ("х",), "ts": ("ц", "тс"), "tz": ("ц",), "tch": ("ч",),
    "ya": ("я", "ыа"), "ia": ("я", "иа"), "ja": ("я",), "yu": ("ю",), "iu": ("ю", "иу"),
    "ju": ("ю",), "yo": ("ё", "йо"), "jo": ("ё",), "ye": ("е", "ые"), "je": ("е",),
    "yi": ("ый", "ы"), "iy": ("ий", "ый"), "ij": ("ий",), "yy": ("ый",), "ey": ("ей",),
    "a": ("а",), "b": ("б",), "v": ("в",), "w": ("в",), "g": ("г",), "d": ("д",),
    "e": ("е", "э"), "z": ("з",), "i": ("и", "й"), "j": ("й", "ж"), "y": ("ы", "й"),
    "k": ("к",), "l": ("л",), "m": ("м",), "n": ("н",), "o": ("о",), "p": ("п",),
    "r": ("р",), "s": ("с",), "t": ("т",), "u": ("у",), "f": ("ф",), "h": ("х",),
    "c": ("ц", "к"), "x": ("кс",), "q": ("к",), "'": ("ь",), "`": ("ъ",),
}
_LONGEST = max(map(len, _TABLE))
_CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщ")


def readings(word: str) -> list[str]:
    """The Cyrillic spellings of a Latin word, the usual ones first; a word ending in a
    consonant may also end in a soft sign (`pisatel` -> «писатель»). Empty when the word
    has a character no convention writes."""
    word = word.lower()
    if not word or not word.isascii():
        return []
    # spellings[i]: the readings of word[:i], in order of preference
    spellings: list[list[str]] = [[""]] + [[] for _ in word]
    for start in range(len(word)):
        if not spellings[start]:
            continue
        for length in range(1, _LONGEST + 1):
            options = _TABLE.get(word[start:start + length])
            if options is None or start + length > len(word):
                continue
            out = spellings[start + length]
            for prefix in spellings[start]:
                for option in options:
                    if len(out) < MAX_READINGS:
                        out.append(prefix + option)
    found = sorted(spellings[-1], key=_digraph_first)
    if found and found[0][-1] in _CONSONANTS:
        found += [f + "ь" for f in found if f[-1] in _CONSONANTS]
    return list(dict.fromkeys(found))[:MAX_READINGS]


def _digraph_first(spelling: str) -> int:
    """Fewer letters first: `sh` read as «ш» before «сх»."""
    return len(spelling)
