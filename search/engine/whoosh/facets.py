"""Facet counts from per-generation arrays instead of Whoosh's groupedby.

The facet column of every document is read once when a searcher opens; each request
then counts with numpy over the matching document numbers.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np

from search.duplicates import group_ids
from search.engine import facet_key
from search.models import FacetValue

__all__ = ["FacetTable", "combine", "date_order"]

_SINGLE = {"author": "a", "library": "l"}


@dataclass
class _Multi:
    """A multi-valued facet as (doc, code) pairs."""

    values: list[str]
    docs: np.ndarray
    codes: np.ndarray


class FacetTable:
    """Facet values and dates of every document of one searcher, as arrays."""

    def __init__(self, searcher):
        reader = searcher.reader()
        size = reader.doc_count_all()
        self.size = size
        self._date_orders: dict[bool, np.ndarray] = {}
        self.live = np.zeros(size, dtype=bool)
        for docnum in reader.all_doc_ids():
            self.live[docnum] = True
        raw = _column_values(reader, size)
        self.days = np.zeros(size, dtype=np.int32)
        single = {name: ({}, np.full(size, -1, dtype=np.int32)) for name in ("author", "library", "year")}
        topic_values: dict[str, int] = {}
        t_docs, t_codes = [], []
        for docnum, data in enumerate(raw):
            if not data:
                continue
            self.days[docnum] = data.get("d") or 0
            for name, key in _SINGLE.items():
                if data.get(key):
                    vocab, codes = single[name]
                    codes[docnum] = vocab.setdefault(data[key], len(vocab))
            if data.get("d"):
                vocab, codes = single["year"]
                year = str(dt.date.fromordinal(data["d"]).year)
                codes[docnum] = vocab.setdefault(year, len(vocab))
            for topic in data.get("t") or ():
                t_docs.append(docnum)
                t_codes.append(topic_values.setdefault(topic, len(topic_values)))
        self.single = {name: (list(vocab), codes) for name, (vocab, codes) in single.items()}
        self.topics = _Multi(list(topic_values), np.array(t_docs, dtype=np.int64),
                             np.array(t_codes, dtype=np.int64))
        # Copies of one publication (search/duplicates.py) share a group number.
        self.groups = group_ids([(d.get("k"), d.get("u")) if d else (None, None) for d in raw])
        self.group_sizes = np.bincount(self.groups, minlength=size)[self.groups]  # per doc
        self.shared = self.group_sizes > 1  # a document with copies
        self._alone = ~self.shared
        self._topic_shared = self.shared[self.topics.docs]
        self._folded_values: dict[str, dict[str, list[int]]] = {}

    def mask_for(self, facet: str, values: tuple[str, ...]) -> np.ndarray | None:
        """Documents having any of `values` in `facet`; None when there is no filter."""
        if not values:
            return None
        wanted = self.codes_for(facet, values)
        if facet == "topic":
            mask = np.zeros(self.size, dtype=bool)
            mask[self.topics.docs[np.isin(self.topics.codes, wanted)]] = True
            return mask
        return np.isin(self.single[facet][1], wanted)

    def codes_for(self, facet: str, values: tuple[str, ...]) -> list[int]:
        """The codes of the values a filter on `values` matches (`вершинина`: «Вершинина»)."""
        folded = self._folded(facet)
        return [code for v in values for code in folded.get(facet_key(v), ())]

    def unknown(self, facet: str, values: tuple[str, ...]) -> list[str]:
        """The values that no publication has in `facet` (a misspelled author, say)."""
        folded = self._folded(facet)
        return [v for v in values if facet_key(v) not in folded]

    def _folded(self, facet: str) -> dict[str, list[int]]:
        """A facet's values by their folded form -> their codes, made once per table."""
        found = self._folded_values.get(facet)
        if found is None:
            vocab = self.topics.values if facet == "topic" else self.single[facet][0]
            found = {}
            for code, value in enumerate(vocab):
                if value is not None:
                    found.setdefault(facet_key(value), []).append(code)
            self._folded_values[facet] = found
        return found

    def date_mask(self, date_from: dt.date | None, date_to: dt.date | None) -> np.ndarray | None:
        if not date_from and not date_to:
            return None
        mask = self.days > 0
        if date_from:
            mask &= self.days >= date_from.toordinal()
        if date_to:
            mask &= self.days <= date_to.toordinal()
        return mask

    def by_date(self, mask: np.ndarray, oldest_first: bool) -> np.ndarray:
        """The documents of `mask` newest (or oldest) first, undated last either way, ties
        by number: every document's order, sorted once per generation and direction, then
        filtered by the mask. A browse of 100,000 publications sorted them all on every
        request; the filter is one pass."""
        order = self._date_orders.get(oldest_first)
        if order is None:
            order = date_order(self.days, np.arange(self.size), oldest_first)
            self._date_orders[oldest_first] = order
        return order[mask[order]]

    def count(self, facet: str, mask: np.ndarray, selected: tuple[str, ...],
              limit: int) -> list[FacetValue]:
        """Value counts among documents in `mask`, most frequent first; the values the
        filter on `selected` matches are marked and kept. Copies of one publication count
        once, as `total` counts them: a value's count is what its filter then finds."""
        if facet == "topic":
            vocab = self.topics.values
            matched = mask[self.topics.docs]
            alone = matched & ~self._topic_shared
            counts = np.bincount(self.topics.codes[alone], minlength=len(vocab))
            shared = matched & self._topic_shared
            if shared.any():
                counts += self._group_counts(self.topics.docs[shared],
                                             self.topics.codes[shared], len(vocab))
        else:
            vocab, codes = self.single[facet]
            picked = codes[mask & self._alone]
            counts = np.bincount(picked[picked >= 0], minlength=len(vocab))
            docs = np.flatnonzero(mask & self.shared)
            if len(docs):
                known = codes[docs] >= 0
                counts += self._group_counts(docs[known], codes[docs[known]], len(vocab))
        chosen = set(self.codes_for(facet, selected))
        order = sorted((i for i in range(len(vocab)) if counts[i] or i in chosen),
                       key=lambda i: (-counts[i], vocab[i]))
        if facet == "year":
            order = sorted(order, key=lambda i: vocab[i], reverse=True)
        top = order[:limit]
        top += [i for i in order[limit:] if i in chosen]
        return [FacetValue(vocab[i], int(counts[i]), i in chosen) for i in top]


    def _group_counts(self, docs: np.ndarray, codes: np.ndarray, values: int) -> np.ndarray:
        """Per value code, the groups of copies among `docs` (with their `codes`) having it."""
        keys = np.unique(self.groups[docs].astype(np.int64) * values + codes)
        return np.bincount(keys % values, minlength=values)


def _column_values(reader, size: int) -> list[dict | None]:
    if not reader.has_column("facet_data"):
        return [None] * size
    column = reader.column_reader("facet_data")
    out: list[dict | None] = []
    for value in column:
        out.append(json.loads(value) if value else None)
    return out


def date_order(days: np.ndarray, docnums: np.ndarray, oldest_first: bool) -> np.ndarray:
    """`docnums` (with their `days`, 0: undated) newest or oldest first, undated last
    either way, ties by number.

    One sort of (day key << 32 | number): 40 % faster than a lexsort of the three keys
    over 100,000 documents (a browse of a large index sorts every one).
    """
    days = days.astype(np.int64)
    undated = (1 << 22) - 1  # above every day: date.max is day 3,652,059 < 2 ** 22
    primary = np.where(days == 0, undated, days if oldest_first else undated - 1 - days)
    return np.sort((primary << 32) | docnums.astype(np.int64)) & 0xFFFFFFFF


def combine(base: np.ndarray, masks) -> np.ndarray:
    """`base` and every mask of `masks` (None: no filter), as a new array."""
    out = base.copy()
    for mask in masks:
        if mask is not None:
            out &= mask
    return out
