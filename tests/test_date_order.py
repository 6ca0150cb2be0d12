"""The Whoosh engine's date order (search/engine/whoosh/facets.py date_order) against its
plain definition: newest (or oldest) first, undated last either way, ties by number."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from search.engine.whoosh.facets import date_order

DAY = st.one_of(st.just(0), st.integers(1, dt.date.max.toordinal()))


@given(st.dictionaries(st.integers(0, 10**6), DAY, max_size=60), st.booleans())
def test_date_order_is_the_plain_order(day_of, oldest_first):
    docnums = np.array(sorted(day_of), dtype=np.int64)
    days = np.array([day_of[n] for n in docnums.tolist()], dtype=np.int32)
    got = date_order(days, docnums, oldest_first).tolist()

    def key(n: int):
        day = day_of[n]
        return (day == 0, day if oldest_first else -day, n)

    assert got == sorted(day_of, key=key)


@given(st.lists(st.tuples(DAY, st.booleans()), max_size=60), st.booleans())
def test_the_whole_order_filtered_is_the_order_of_the_subset(docs, oldest_first):
    """FacetTable.by_date sorts every document once and filters that order by a mask:
    the same as sorting the masked documents alone."""
    days = np.array([d for d, _ in docs], dtype=np.int32)
    mask = np.array([m for _, m in docs], dtype=bool)
    everything = date_order(days, np.arange(len(docs)), oldest_first)
    subset = np.flatnonzero(mask)
    assert everything[mask[everything]].tolist() == \
        date_order(days[subset], subset, oldest_first).tolist()
