"""Phrase matching from cached posting arrays: Whoosh's Phrase, in numpy.

Whoosh's Phrase matcher steps every posting of its words through a Python matcher tree,
up to 5 ms a phrase. Here numpy intersects the words' documents first, decodes their
positions there for all of them at once, and runs the span test on sorted arrays of
(document, position) keys. The span test (`near`) and the order of the score sum are
Whoosh's, so the scores are equal; tests/test_scoring.py checks the numpy path against
the same test document by document.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np

from search.engine.whoosh.arrays import intersect, union, unique
from search.engine.whoosh.postings import Postings

__all__ = ["phrase_scores", "near", "tree_sum"]


def phrase_scores(postings: Postings, fieldname: str, btexts: list, slop: int,
                  docnums: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, scores) where the words stand near each other (see `near`).

    Each item of `btexts` is one word, or a list of words any of which may stand at that
    place (a homonym's lemmas). The score is Whoosh's Phrase's: the sum of the words'
    BM25F. `docnums` (sorted) limits the documents looked at; None looks at every
    document holding all the words.
    """
    slots = [[b] if isinstance(b, bytes) else list(dict.fromkeys(b)) for b in btexts]
    # A word repeated in the phrase ("книга книга") would meet itself: in order only then.
    any_order = len({tuple(slot) for slot in slots}) == len(slots)
    terms = {b: postings.term(fieldname, b, positions=True) for slot in slots for b in slot}
    common = docnums
    for slot in slots:
        ids = terms[slot[0]].ids
        for b in slot[1:]:
            ids = union(ids, terms[b].ids)
        common = ids if common is None else intersect(common, ids)
    if common is None or not len(common):
        return np.zeros(0, np.int64), np.zeros(0)
    at = {b: np.searchsorted(ids, common) for b, (ids, _, _) in terms.items()}
    return _numpy_scores(common, slots, terms, at, slop, any_order)


def _each_document(common, slots, terms, at, decode, slop, any_order):
    """phrase_scores' span test document by document: what _numpy_scores is tested
    against."""
    found, scores = [], []
    for k, docnum in enumerate(common.tolist()):
        positions, parts = [], []
        for slot in slots:
            here: list[int] = []
            part = 0.0
            for b in slot:
                ids, term_scores, values = terms[b]
                i = at[b][k]
                if i < len(ids) and ids[i] == docnum:
                    here.extend(decode(values[i]))
                    part += float(term_scores[i])
            positions.append(sorted(here) if len(slot) > 1 else here)
            parts.append(part)
        if near(positions, slop, any_order):
            found.append(docnum)
            scores.append(tree_sum(parts))
    return np.array(found, np.int64), np.array(scores)


def _numpy_scores(common: np.ndarray, slots: list[list[bytes]], terms: dict, at: dict,
                  slop: int, any_order: bool) -> tuple[np.ndarray, np.ndarray]:
    """phrase_scores with `near`'s tests in numpy, for all documents at once: each
    occurrence is one key, document * span + position, so one sorted array per word
    holds every document's positions. A phrase of two common words met 8,000 documents
    at 100,000 publications, and the test per document (_each_document) took 0.6 s."""
    span = np.int64(1 << 32)  # more than any position plus slop: documents never mix
    keys = [_slot_keys(common, slot, terms, at, span) for slot in slots]
    if len(keys) == 2:
        found = _pair_documents(keys[0], keys[1], slop, any_order, span)
    else:
        found = _ordered_documents(keys, slop, span)
        if slop >= 2 and any_order:
            found = union(found, _sloppy_documents(keys, slop, span))
    k = np.searchsorted(common, found)
    parts = []
    for slot in slots:  # each word's BM25F summed in _each_document's order: equal floats
        part = np.zeros(len(found))
        for b in slot:
            j = at[b][k]
            present = _holds(terms[b].ids, j, found)
            part[present] += terms[b].scores[j[present]]
        parts.append(part)
    return found, tree_sum(parts)


def _pair_documents(first: np.ndarray, second: np.ndarray, slop: int, any_order: bool,
                    span: np.int64) -> np.ndarray:
    """`near` for two words in one search: Lucene's sloppy test (|b - 1 - a| <= slop,
    which holds wherever the ordered one does) or, in order, b 1 to slop after a.

    The smaller side is looked up in the larger: a phrase with «не» has a million of
    its occurrences against a hundred thousand of the other word's at 100,000
    publications, and a binary search per occurrence of «не» was a third of the phrase."""
    if slop >= 2 and any_order:
        low, high = 1 - slop, 1 + slop  # b - a within [low, high]
    else:
        low, high = 1, slop
    if len(first) <= len(second):  # some b in [a + low, a + high]
        i = np.searchsorted(second, first + low)
        hit = i < len(second)
        hit[hit] = second[i[hit]] <= first[hit] + high
        return unique(first[hit] // span)
    i = np.searchsorted(first, second - high)  # some a in [b - high, b - low]
    hit = i < len(first)
    hit[hit] = first[i[hit]] <= second[hit] - low
    return unique(second[hit] // span)


def _ordered_documents(keys: list[np.ndarray], slop: int, span: np.int64) -> np.ndarray:
    """`_ordered` for every document: the chains' last words, extended word by word."""
    ends = keys[0]
    for following in keys[1:]:
        ends = _extended(ends, following, slop)
        if not len(ends):
            break
    return unique(ends // span)


def _extended(ends: np.ndarray, following: np.ndarray, slop: int) -> np.ndarray:
    """The occurrences in `following` that stand 1 to `slop` after one of `ends`."""
    if len(ends) * 4 < len(following):
        # Few chains, a common next word: each chain's range of `following` is found by
        # binary search, and the ranges are marked in one pass over `following`.
        begin = np.searchsorted(following, ends + 1)
        stop = np.searchsorted(following, ends + slop, side="right")
        size = len(following) + 1
        inside = np.cumsum(np.bincount(begin, minlength=size) - np.bincount(stop, minlength=size))
        return following[inside[:-1] > 0]
    i = np.searchsorted(ends, following - slop)
    ok = i < len(ends)
    ok[ok] = ends[i[ok]] <= following[ok] - 1
    return following[ok]


def _sloppy_documents(keys: list[np.ndarray], slop: int, span: np.int64) -> np.ndarray:
    """`_sloppy` for every document: each word's positions shifted back by its place in
    the phrase; a window of `slop` starting at some shifted position holds every word."""
    n = len(keys)
    shifted = [k - i + n for i, k in enumerate(keys)]  # + n: never below the document's 0
    starts = union(*shifted)
    ok = np.ones(len(starts), bool)
    for words in shifted:
        i = np.searchsorted(words, starts)
        here = i < len(words)
        here[here] = words[i[here]] <= starts[here] + slop
        ok &= here
    return unique(starts[ok] // span)


def _holds(ids: np.ndarray, j: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Which of `docs` a term holds, `j` being where each would stand in its `ids`."""
    present = j < len(ids)
    present[present] = ids[j[present]] == docs[present]
    return present


def _slot_keys(common: np.ndarray, slot: list[bytes], terms: dict, at: dict,
               span: np.int64) -> np.ndarray:
    """document * span + position of each occurrence of the slot's words, sorted."""
    keys = []
    for b in slot:
        present = _holds(terms[b].ids, at[b], common)
        docs, positions = _flat_positions(common[present], terms[b], at[b][present])
        keys.append(docs * span + positions)
    return keys[0] if len(keys) == 1 else union(*keys)


def _flat_positions(common: np.ndarray, term, at: np.ndarray):
    """(document, position) of every occurrence of `term` in the documents `common`
    (all of which hold it), sorted by document, then position: the values (Whoosh's
    Positions encoding, what the phrase fields hold) decoded for all documents at once."""
    lengths, positions = term.values.positions(at)
    return np.repeat(common, lengths), positions


def near(positions: list[list[int]], slop: int, any_order: bool = True) -> bool:
    """The words in order, each within `slop` of the last, or, for a slop of 2 or more
    and `any_order`, within `slop` moves of the phrase in any order (Lucene's sloppy
    phrase)."""
    if _ordered(positions, slop):
        return True
    return slop >= 2 and any_order and _sloppy(positions, slop)


def _sloppy(positions: list[list[int]], slop: int) -> bool:
    """Lucene's test: some choice of one position per word, each shifted back by the word's
    place in the phrase, spans at most `slop` (so two words swapped need a slop of 2)."""
    events = sorted((p - i, i) for i, plist in enumerate(positions) for p in plist)
    need, have, start = len(positions), {}, 0
    for value, word in events:
        have[word] = have.get(word, 0) + 1
        while len(have) == need:
            first, first_word = events[start]
            if value - first <= slop:
                return True
            have[first_word] -= 1
            if not have[first_word]:
                del have[first_word]
            start += 1
    return False


def _ordered(positions: list[list[int]], slop: int) -> bool:
    """Whoosh's SpanNear2(ordered=True, mindist=1) test over each word's positions.

    A chain of the words so far is known by where its last word stands; the next word
    extends it when it stands 1 to `slop` after. (Whoosh builds and sorts span objects
    for the same answer, 10x slower on a phrase of common words.)
    """
    ends = sorted(set(positions[0]))
    for following in positions[1:]:
        extended = []
        for p in following:
            i = bisect_left(ends, p - slop)
            if i < len(ends) and ends[i] <= p - 1:
                extended.append(p)
        if not extended:
            return False
        ends = sorted(set(extended))
    return bool(ends)


def tree_sum(values: list[float]) -> float:
    """Sum in the order of Whoosh's binary tree of IntersectionMatchers (equal floats)."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return tree_sum(values[:half]) + tree_sum(values[half:])
