"""Query text as the query language reads it: composed, without invisible characters
or stress marks, and with Latin look-alike letters inside Russian words made Cyrillic.

search/query_syntax.py lexes the text this returns.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_query"]


_COMBINING = re.compile(r"[\u0300-\u036f]")
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALFWIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}


def clean_query(text: str) -> str:
    """Typed or pasted text as the query language reads it: composed (`е` + U+0308 is
    `ё`), without the invisible characters that text copied from web pages carries inside
    words (soft hyphens, zero-width spaces and joiners: format characters) or stress marks
    (`выста́вка`), and with other control characters as spaces. Words stay whole, and a
    suggestion never offers back the word as typed. A Russian word with Latin
    look-alike letters in it (`Пушкинcкий`) is made Cyrillic; fullwidth Latin letters,
    digits and signs are the plain ones."""
    text = _COMBINING.sub("", unicodedata.normalize("NFC", text))
    if _FULLWIDTH.search(text):  # a Japanese or Chinese keyboard's Latin: `ｖｙｓｔａｖｋｉ`
        text = text.translate(_HALFWIDTH)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else "" if unicodedata.category(c) == "Cf"
                       else " " for c in text)
    return _MIXED_WORD.sub(_in_cyrillic, text) if _LOOKALIKE.search(text) else text


# Latin letters that look like Cyrillic ones, typed inside a Russian word (a keyboard
# switched mid-word, text from a scanner): `Пушкинcкий` with a Latin «c» is «Пушкинский».
_LOOKALIKES = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
_LOOKALIKE = re.compile(r"[aceopxyABCEHKMOPTX]")
_MIXED_WORD = re.compile(r"\w*(?:[а-яёА-ЯЁ]\w*[a-zA-Z]|[a-zA-Z]\w*[а-яёА-ЯЁ])\w*")


def _in_cyrillic(match: re.Match) -> str:
    """A word of Cyrillic and Latin letters with its Latin look-alikes made Cyrillic, when
    they are all its Latin letters (`Windows-10` or `Яndex` stay)."""
    word = match.group()
    fixed = word.translate(_LOOKALIKES)
    return fixed if not re.search(r"[a-zA-Z]", fixed) else word
