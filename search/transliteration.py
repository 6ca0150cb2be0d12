"""Russian words typed in Latin letters (`pushkin`, `biblioteka`, `detskaya kniga`).

Transliteration has many conventions (GOST, BGN, passports, habit): `я` is ya, ia or ja,
`й` is y, i or j, `ц` is ts, tz or c, and the soft sign is mostly dropped. Read back,
a Latin word has several Cyrillic spellings; `readings` gives them all (up to a bound),
and the corrector keeps the one the index knows best (search/correction.py).
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
    "yi": ("ый", "ы"), "iy": ("ий", "ый"), "ij": ("ий", "ый"), "yy": ("ый",), "ey": ("ей",),
    "ii": ("ий", "ии"),
    "a": ("а",), "b": ("б",), "v": ("в",), "w": ("в",), "g": ("г",), "d": ("д",),
    "e": ("е", "э"), "z": ("з",), "i": ("и", "й", "ы"), "j": ("й", "ж"), "y": ("ы", "й"),
    "k": ("к",), "l": ("л",), "m": ("м",), "n": ("н",), "o": ("о",), "p": ("п",),
    "r": ("р",), "s": ("с",), "t": ("т",), "u": ("у",), "f": ("ф",), "h": ("х",),
    "c": ("ц", "к"), "x": ("кс", "х"), "q": ("к",), "'": ("ь",), "`": ("ъ",),
}
# After a consonant, `ye` mostly ends an adjective (`novye`: «новые»), not «е», and the
# soft sign people leave out stands before an iotated vowel (`semya`: «семья»,
# `statyu`: «статью»); after a vowel, `y` is «й» (`novoy`: «новой»).
_AFTER_CONSONANT = {"ye": ("ые", "е", "ье"), "ya": ("я", "ья", "ыа"), "yu": ("ю", "ью"),
                    "yo": ("ё", "ьё"), "ia": ("я", "ия", "ья")}
_AFTER_VOWEL = {"y": ("й", "ы")}
# A final `y` after a consonant often ends an adjective (`novy`: «новый»).
_LAST_AFTER_CONSONANT = {"y": ("ы", "ый", "й")}
# A soft sign left out between consonants (`detmi`: «детьми», `chitalnyy`: «читальный»).
_SOFTENED = frozenset("бвдзлмнпрст")
_LATIN_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")
_LONGEST = max(map(len, _TABLE))
_CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщ")


def readings(word: str) -> list[str]:
    """The Cyrillic spellings of a Latin word, the likeliest first: fewer pieces (`sh` as
    «ш» before «сх») and each piece's usual reading before its others. A word ending in
    a consonant may also end in a soft sign (`pisatel` -> «писатель»), and one between
    consonants may have one after it (`detmi` -> «детьми»). Empty when the
    word has a character no convention writes."""
    word = word.lower()
    if not word or not word.isascii():
        return []
    # best[i]: the cheapest readings of word[:i] as {reading: cost}, at most MAX_READINGS
    best: list[dict[str, int]] = [{"": 0}] + [{} for _ in word]
    for start in range(len(word)):
        if not best[start]:
            continue
        if len(best[start]) > MAX_READINGS:
            kept = sorted(best[start].items(), key=lambda item: item[1])[:MAX_READINGS]
            best[start] = dict(kept)
        context = {} if start == 0 else (
            _AFTER_CONSONANT if word[start - 1] in _LATIN_CONSONANTS else _AFTER_VOWEL)
        if start == len(word) - 1 and context is _AFTER_CONSONANT:
            context = {**context, **_LAST_AFTER_CONSONANT}
        for length in range(1, min(_LONGEST, len(word) - start) + 1):
            piece = word[start:start + length]
            options = context.get(piece) or _TABLE.get(piece)
            if options is None:
                continue
            if (len(options) == 1 and options[0] in _SOFTENED
                    and word[start + length:start + length + 1] in _LATIN_CONSONANTS):
                options = (options[0], options[0] + "ь")
            out = best[start + length]
            for prefix, cost in best[start].items():
                for rank, option in enumerate(options):
                    text, total = prefix + option, cost + 1 + rank
                    if total < out.get(text, total + 1):
                        out[text] = total
    found = sorted(best[-1].items(), key=lambda item: item[1])[:MAX_READINGS]
    if found and found[0][0][-1] in _CONSONANTS:
        found += [(text + "ь", cost + 1) for text, cost in found if text[-1] in _CONSONANTS]
        found.sort(key=lambda item: item[1])
    return [text for text, _ in found[:MAX_READINGS]]
