"""The neutral query tree: what search/query.py compiles user text into and every engine
compiles further (search/engine/whoosh, search/engine/opensearch).

Fields are the analysis fields of search/fields.py, holding pymorphy3 lemmas (several
at one position for a homonym), Snowball stems, surnames and quoted names; the text
of every node is already analyzed, so an engine only maps nodes to its own queries.
Nodes are frozen and hashable: engines memoize sub-queries by them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["Node", "Term", "Prefix", "Phrase", "Sequence", "Or", "And", "AndNot",
           "Every", "Nothing", "ExactForm", "NOTHING", "EVERY", "terms_of"]


@dataclass(frozen=True)
class Term:
    """One lemma (or stem, surname, quoted-name key) in one field."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Words of a field starting with `text` (already lower-cased, ё folded)."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Lemmas at consecutive positions; `slop` extra positions allowed, in either order."""

    field: str
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "words", tuple(self.words))


@dataclass(frozen=True)
class Sequence:
    """A phrase whose every place may hold any of several lemmas (a homonym, a name)."""

    field: str
    slots: tuple[tuple[str, ...], ...]
    slop: int = 1
    boost: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "slots", tuple(tuple(s) for s in self.slots))


@dataclass(frozen=True)
class Or:
    """Any child; with `minmatch` > 1 at least that many children must match.
    A document's score is the sum of its matching children's scores."""

    children: tuple[Node, ...]
    minmatch: int = 0
    boost: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "children", tuple(self.children))


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    boost: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "children", tuple(self.children))


@dataclass(frozen=True)
class AndNot:
    """`positive` without what `negative` matches; scored as `positive`."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class Every:
    """Every publication (a query of exclusions only)."""

    boost: float = 1.0


@dataclass(frozen=True)
class Nothing:
    """Matches nothing (a query of stop words only)."""


@dataclass(frozen=True)
class ExactForm:
    """`child`'s matches whose title or text holds `form` as written (`=стали`)."""

    child: Node
    form: str


@dataclass(frozen=True)
class Dated:
    """Publications dated from `first` to `last` (days included), each scored `boost`: a
    year typed among the words (`выставка 2024` also means what was published in 2024),
    or a month beside it (`май 2025`, search/date_words.py)."""

    first: dt.date
    last: dt.date
    boost: float = 1.0

    @classmethod
    def year(cls, year: int, boost: float = 1.0) -> Dated:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), boost)


Node = (Term | Prefix | Phrase | Sequence | Or | And | AndNot | Every | Nothing | ExactForm
        | Dated)
NOTHING = Nothing()
EVERY = Every()


def terms_of(node: Node) -> set[tuple[str, str]]:
    """Every (field, text) a tree looks up: terms, phrase words and sequence slots."""
    if isinstance(node, Term):
        return {(node.field, node.text)}
    if isinstance(node, Phrase):
        return {(node.field, w) for w in node.words}
    if isinstance(node, Sequence):
        return {(node.field, w) for slot in node.slots for w in slot}
    if isinstance(node, Or | And):
        return set().union(*(terms_of(c) for c in node.children)) if node.children else set()
    if isinstance(node, AndNot):
        return terms_of(node.positive)
    if isinstance(node, ExactForm):
        return terms_of(node.child)
    return set()
