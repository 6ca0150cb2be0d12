"""What the OpenSearch engine's tests share: settings for the session cluster, the
shipped sample as Publications, and the Whoosh engine's answer to the same call."""

from __future__ import annotations

import tempfile
from pathlib import Path

from search.engine import Found, Selection
from search.models import Publication
from search.settings import SAMPLE_DIR, Settings

__all__ = ["engine_settings", "sample_publications", "reference"]


def engine_settings(cluster, prefix: str, **changes) -> Settings:
    """Settings of an OpenSearch engine on the session cluster, under its own alias; its
    index directory (crawl state, and a Whoosh journal a first rebuild takes in) is an
    empty one of its own unless `index_dir` is given, never the checkout's."""
    if "index_dir" not in changes:
        changes["index_dir"] = Path(tempfile.mkdtemp(prefix=f"kartoteka-{prefix}-"))
    return Settings.from_env({}, engine="opensearch", opensearch_url=tuple(cluster.urls),
                             opensearch_prefix=prefix, reload_interval=0.0, **changes)


def sample_publications() -> list[Publication]:
    """The shipped sample as `kartoteka reindex --sample` reads it (topics assigned)."""
    from indexer.sources import iter_publications
    from search.topics import TopicDictionary

    return [p for p in iter_publications([SAMPLE_DIR], TopicDictionary.load())
            if isinstance(p, Publication)]


def reference(service, selection: Selection, sort: str = "relevance", start: int = 0,
              stop: int = 100, facet_limit: int | None = 30) -> Found:
    """The Whoosh engine's answer (the session's sample `service`) to the same call."""
    return service.engine.find(selection, sort, start, stop, facet_limit)
