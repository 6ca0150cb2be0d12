"""Which stems a generation holds, listed by their first letters as queries ask.

A one-word query asks for its derivational family (search/derivation.py): about fifty
stems made by rule, of which a fifth is in the index. Each term the index lacks still
cost a lookup in every segment's terms table and an empty entry in the postings cache
(+2.9 ms, 58 %, on one-word queries of the real corpus). A family's stems all begin
with its root's first PREFIX letters, so one ordered listing of the terms that begin
so, per segment, answers for the whole family; the listings of a generation are kept
(a bounded number). Listing the whole field instead took a second on the real corpus,
at the first query after every change of the index.
"""

from __future__ import annotations

from collections import OrderedDict

from search.engine.whoosh.term_table import terms_with_prefix

__all__ = ["TermPresence", "PREFIX"]

PREFIX = 5  # search/derivation.py MIN_ROOT: every family shares this many letters
_KEPT_PREFIXES = 4096


class TermPresence:
    """The terms of `fieldname` in `readers` (one per segment), for `may_hold`."""

    def __init__(self, readers: list, fieldname: str):
        self._readers = readers
        self._field = fieldname
        self._listed: OrderedDict[str, frozenset[bytes]] = OrderedDict()

    def may_hold(self, btext: bytes) -> bool:
        """False when the field surely lacks the term; True when it may hold it."""
        text = btext.decode("utf-8", "replace")
        if len(text) < PREFIX:
            return True
        prefix = text[:PREFIX]
        held = self._listed.get(prefix)
        if held is None:
            held = self._listed[prefix] = frozenset(
                b for reader in self._readers
                for b in terms_with_prefix(reader, self._field, prefix))
            if len(self._listed) > _KEPT_PREFIXES:
                self._listed.popitem(last=False)
        return btext in held
