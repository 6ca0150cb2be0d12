"""Which terms of a field a generation holds, as a sorted array of their hashes.

A one-word query asks for its derivational family (search/derivation.py): about fifty
stems made by rule, of which a fifth is in the index. Each term the index lacks still
cost a lookup in every segment's terms table and an empty entry in the postings cache
(+2.9 ms, 58 %, on one-word queries of the real corpus). The hashes of the field's
terms (8 bytes each, built on the first asking) say at once that a term is absent; a
rare collision only costs the lookup it would have cost anyway.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TermPresence"]


class TermPresence:
    """The terms of `fieldname` in `reader` (all its segments), for `may_hold`."""

    def __init__(self, reader, fieldname: str):
        if fieldname in reader.schema:
            found = np.fromiter((hash(t) for t in reader.lexicon(fieldname)), np.int64)
        else:
            found = np.zeros(0, np.int64)
        self._hashes = np.unique(found)

    def may_hold(self, btext: bytes) -> bool:
        """False when the field surely lacks the term; True when it may hold it."""
        key = hash(btext)
        at = int(np.searchsorted(self._hashes, key))
        return at < len(self._hashes) and int(self._hashes[at]) == key
