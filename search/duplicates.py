"""Copies of one publication: the same address, or the same text under several ids.

News aggregators and library sites republish: the real corpus holds 325 groups of
identical articles. A search shows each group once, its first copy in the result's
order, with the ids of the other copies on that hit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable

import numpy as np

__all__ = ["text_key", "url_key", "group_ids", "collapse", "MIN_TEXT_CHARS"]

# Shorter texts ("Фотоотчёт", a caption) are the same by chance, not copies.
MIN_TEXT_CHARS = 200
_WORD = re.compile(r"\w+")


def text_key(text: str) -> str | None:
    """A fingerprint of the words of a text, blind to case, ё, spacing and punctuation."""
    # the words joined by single spaces (findall is faster than substituting the gaps)
    words = " ".join(_WORD.findall(text.casefold().replace("ё", "е").replace("_", " ")))
    if len(words) < MIN_TEXT_CHARS:
        return None
    return hashlib.sha1(words.encode("utf-8")).hexdigest()[:16]


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


def collapse(ordered: Iterable[int], groups: np.ndarray, stop: int | None = None,
             members: Callable[[int], Iterable[int]] | None = None,
             sizes: np.ndarray | None = None) -> list[tuple[int, list[int]]]:
    """(first copy, the other copies) per group, in the order given.

    With `stop`, the walk ends once that many groups are found (a page of 10 among
    100,000 publications); the copies of those groups that come later are then asked of
    `members(group)`, for the groups whose `sizes` say that some are still missing.
    """
    out: list[tuple[int, list[int]]] = []
    where: dict[int, int] = {}
    ended = False
    for docnum in ordered:
        group = int(groups[docnum])
        if group in where:
            out[where[group]][1].append(docnum)
        elif stop is not None and len(out) >= stop:
            ended = True
            break
        else:
            where[group] = len(out)
            out.append((docnum, []))
    if ended and members is not None and sizes is not None:
        for first, others in out:
            if len(others) + 1 < sizes[first]:
                known = {first, *others}
                others.extend(d for d in members(int(groups[first])) if d not in known)
    return out
