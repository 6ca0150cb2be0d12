"""Copies of one publication: the same address, or the same text the same day under several ids.

News aggregators and library sites republish: the real corpus holds 325 groups of
identical articles. A search shows each group once, at the place of its best-ranked
matching copy, as its matching copy of the smallest id (shown_copy), with the ids of the
other copies on that hit: the same id for a publication whatever the query, the order or
the engine (a site's "already seen" marks and an export's ids had changed with the query).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np

from search.models import Publication

__all__ = ["text_key", "url_key", "copy_keys", "group_ids", "collapse_page", "shown_copy",
           "MIN_TEXT_CHARS"]

# Shorter texts ("Фотоотчёт", a caption) are the same by chance, not copies.
MIN_TEXT_CHARS = 200
_WORD = re.compile(r"[^\W_]")


def text_key(text: str, day: dt.date | None = None) -> str | None:
    """A fingerprint of the words of a text, blind to case, ё, spacing and punctuation:
    the sha1 of its casefolded words (ё as е, `_` a gap) joined by single spaces, and of
    the day it was published. A library's weekly notice, the same text under a new date
    and title each week, is a publication each time; an aggregator's copies of an
    article come out the same day (all but one of the real corpus's 324 groups)."""
    words = _joined_words(text.casefold())
    if len(words) < MIN_TEXT_CHARS:
        return None
    if day is not None:
        words += f"\n{day.isoformat()}"
    return hashlib.sha1(words.encode("utf-8")).hexdigest()[:16]


def copy_keys(pub: Publication) -> tuple[str | None, str | None]:
    """What makes publications copies of one (group_ids): the same text the same day, or
    the same address."""
    return text_key(pub.text, pub.published), url_key(pub.url)


def _joined_words(folded: str) -> str:
    r"""`" ".join(re.findall(r"[^\W_]+", folded))` with ё as е, in numpy over the code
    points: a rebuild's main process keyed each text with a Python string per word (a
    quarter of its CPU at 100,000 publications; 171 -> 97 µs for a text of 5,900
    characters). Characters above U+FFFF (an emoji, 𝐀) are looked up one by one."""
    codes = np.frombuffer(folded.encode("utf-32-le"), np.uint32)
    if not len(codes):
        return ""
    if int(codes.max()) > 0xFFFF:
        word = _word_characters()[np.minimum(codes, 0xFFFF)]  # U+FFFF is no letter
        above = np.flatnonzero(codes > 0xFFFF)
        word[above] = [_is_word_character(chr(c)) for c in codes[above].tolist()]
    else:
        word = _word_characters()[codes]
    keep = word.copy()  # a word's characters and the first character of each gap after it
    keep[1:] |= word[:-1]
    kept = np.where(word, codes, 0x20)[keep]
    kept[kept == 0x451] = 0x435  # ё -> е
    return kept.astype("<u4").tobytes().decode("utf-32-le").rstrip(" ")


@cache
def _is_word_character(char: str) -> bool:
    return _WORD.fullmatch(char) is not None


@cache
def _word_characters() -> np.ndarray:
    r"""Whether each code point up to U+FFFF is a word character, as `[^\W_]` decides."""
    every = "".join(chr(c) if not 0xD800 <= c < 0xE000 else " " for c in range(0x10000))
    table = np.zeros(0x10000, bool)
    table[[m.start() for m in re.finditer(r"[^\W_]", every)]] = True
    return table


def url_key(url: str | None) -> str | None:
    """An address without its scheme, `www.` and trailing slash."""
    if not url:
        return None
    address = re.sub(r"^[a-z]+://(www\.)?", "", url.strip().casefold())
    return address.rstrip("/") or None


def group_ids(keys: list[tuple[str | None, ...]]) -> np.ndarray:
    """One group number per document; documents sharing any key share a group."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[int, str], int] = {}
    for docnum, doc_keys in enumerate(keys):
        for kind, key in enumerate(doc_keys):
            if key is None:
                continue
            other = first.setdefault((kind, key), docnum)
            if other != docnum:
                parent[root(docnum)] = root(other)
    return np.array([root(i) for i in range(len(keys))], dtype=np.int64)


def collapse_page(ordered: np.ndarray, groups: np.ndarray, start: int, stop: int,
                  members: Callable[[int], Iterable[int]],
                  sizes: np.ndarray) -> list[tuple[int, list[int]]]:
    """Groups start..stop of `ordered`, each at its first copy there: (that copy, the
    group's other copies `members(group)` gives, in document order, whatever the page).

    A deep page (page 5,000 of a common word, a browse to page 9,000) passes tens of
    thousands of documents to find its groups: a Python walk over them took 50-100 ms at
    100,000 publications; here each group's first copy is found by one sort. `sizes`
    (each document's group size in the index) spares the lookup of the single ones.
    """
    if not len(ordered):
        return []
    of = groups[ordered]
    by_group = np.argsort(of, kind="stable")
    grouped = of[by_group]
    firsts = np.sort(by_group[np.r_[True, grouped[1:] != grouped[:-1]]])
    out = []
    for at in firsts[start:stop].tolist():
        first = int(ordered[at])
        others = [d for d in members(int(of[at])) if d != first] if sizes[first] > 1 else []
        out.append((first, others))
    return out


def shown_copy(members: list[int], id_of: Callable[[int], str]) -> tuple[int, list[int]]:
    """The copy a group is shown as (the smallest id of `members`, a group's matching
    copies) and the others, in their order."""
    shown = min(members, key=id_of)
    return shown, [m for m in members if m != shown]
