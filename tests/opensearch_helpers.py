"""What the OpenSearch engine's tests share: settings for the session cluster, the
shipped sample as Publications, and the Whoosh engine's answer for a neutral tree."""

from __future__ import annotations

from whoosh import query as wq

from search import nodes as n
from search.forms import ExactForm
from search.models import Publication, SearchRequest
from search.query import ParsedQuery
from search.settings import SAMPLE_DIR, Settings

__all__ = ["engine_settings", "sample_publications", "to_whoosh", "whoosh_result"]


def engine_settings(cluster, prefix: str, **changes) -> Settings:
    """Settings of an OpenSearch engine on the session cluster, under its own alias."""
    return Settings.from_env({}, engine="opensearch", opensearch_url=tuple(cluster.urls),
                             opensearch_prefix=prefix, reload_interval=0.0, **changes)


def sample_publications() -> list[Publication]:
    """The shipped sample as `kartoteka reindex --sample` reads it (topics assigned)."""
    from indexer.sources import iter_publications
    from search.topics import TopicDictionary

    return [p for p in iter_publications([SAMPLE_DIR], TopicDictionary.load())
            if isinstance(p, Publication)]


def to_whoosh(node: n.Node) -> wq.Query:
    """The Whoosh query the Whoosh engine evaluates for a neutral node."""
    if isinstance(node, n.Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, n.Prefix):
        return wq.Prefix(node.field, node.text, boost=node.boost)
    if isinstance(node, n.Phrase):
        return wq.Phrase(node.field, list(node.words), slop=node.slop, boost=node.boost)
    if isinstance(node, n.Sequence):
        places = [wq.Or([wq.Term(node.field, w) for w in slot]) if len(slot) > 1
                  else wq.Term(node.field, slot[0]) for slot in node.slots]
        return wq.Sequence(places, slop=node.slop, boost=node.boost)
    if isinstance(node, n.Or):
        return wq.Or([to_whoosh(c) for c in node.children], minmatch=node.minmatch,
                     boost=node.boost)
    if isinstance(node, n.And):
        return wq.And([to_whoosh(c) for c in node.children], boost=node.boost)
    if isinstance(node, n.AndNot):
        return wq.AndNot(to_whoosh(node.positive), to_whoosh(node.negative))
    if isinstance(node, n.Every):
        return wq.Every()
    if isinstance(node, n.Nothing):
        return wq.NullQuery
    if isinstance(node, n.ExactForm):
        return ExactForm(to_whoosh(node.child), node.form)
    raise TypeError(node)


def whoosh_result(service, node: n.Node | None, request: SearchRequest):
    """The Whoosh engine's SearchResult for `node` under the request's filters."""
    view = service.view()
    parsed = None
    if node is not None:
        parsed = ParsedQuery(to_whoosh(node), None, frozenset(), frozenset(), (), [])
    return service._run(view, request, parsed)
