"""The neutral query tree (search/nodes.py) as a Whoosh query, for what our numpy scorer
leaves to Whoosh's matchers (prefixes) and for tests comparing scores with Whoosh's own."""

from __future__ import annotations

import datetime as dt
import sys
from functools import singledispatch

from whoosh import query as wq

from search import nodes as n
from search.engine.whoosh.forms import ExactForm

__all__ = ["to_whoosh"]


@singledispatch
def to_whoosh(node) -> wq.Query:
    raise TypeError(f"not a query node: {node!r}")


@to_whoosh.register
def _(node: n.Term) -> wq.Query:
    return wq.Term(node.field, node.text, boost=node.boost)


@to_whoosh.register
def _(node: n.Prefix) -> wq.Query:
    # Scored as the Or of its words (BM25F), not Whoosh's constant: the numpy scorer's
    # definition (search/engine/whoosh/scoring.py `_prefix`), whatever the index's size.
    return wq.Prefix(node.field, node.text, boost=node.boost, constantscore=False)


@to_whoosh.register
def _(node: n.Phrase) -> wq.Query:
    return wq.Phrase(node.field, list(node.words), slop=node.slop, boost=node.boost)


@to_whoosh.register
def _(node: n.Sequence) -> wq.Query:
    places = [wq.Term(node.field, s[0]) if len(s) == 1
              else wq.Or([wq.Term(node.field, w) for w in s]) for s in node.slots]
    return wq.Sequence(places, slop=node.slop, boost=node.boost)


@to_whoosh.register
def _(node: n.Or) -> wq.Query:
    return wq.Or([to_whoosh(c) for c in node.children], boost=node.boost,
                 minmatch=node.minmatch)


@to_whoosh.register
def _(node: n.And) -> wq.Query:
    return wq.And([to_whoosh(c) for c in node.children], boost=node.boost)


@to_whoosh.register
def _(node: n.AndNot) -> wq.Query:
    return wq.AndNot(to_whoosh(node.positive), to_whoosh(node.negative))


@to_whoosh.register
def _(node: n.Every) -> wq.Query:
    # Whoosh's matcher reads a weight of 0 as none given, and scores 1: the least float
    # instead, which adds nothing to any score (`2020 новости`: the kind of publication
    # alone scored 1 in Whoosh, 0 here)
    return wq.Every(boost=node.boost or sys.float_info.min)


@to_whoosh.register
def _(node: n.Nothing) -> wq.Query:
    return wq.NullQuery


@to_whoosh.register
def _(node: n.Dated) -> wq.Query:
    return wq.DateRange("published", dt.datetime.combine(node.first, dt.time.min),
                        dt.datetime.combine(node.last, dt.time.max), boost=node.boost)


@to_whoosh.register
def _(node: n.ExactForm) -> wq.Query:
    return ExactForm(to_whoosh(node.child), node.form)
