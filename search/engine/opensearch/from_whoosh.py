"""What a Whoosh index directory's API journal holds, taken in by the first OpenSearch
rebuild.

A site that outgrows one machine sets KARTOTEKA_ENGINE=opensearch over the same
KARTOTEKA_INDEX_DIR. The Whoosh engine kept what the site's CMS PUT and DELETEd through
the API in `api-journal.jsonl` there (search/api_journal.py), in no source; this engine
keeps the same in the cluster, carried from one generation to the next. So the first
rebuild on an alias with no live generation carries the journal's publications over and
remembers its deletions (a portal admin's trial: switching engines brought deleted
publications back and lost the pushed ones, without a word).
"""

from __future__ import annotations

from pathlib import Path

from opensearchpy import OpenSearch

from search.api_journal import Journal
from search.engine.opensearch import deletions
from search.engine.opensearch.generations import Generations
from search.models import Publication

__all__ = ["journaled"]


def journaled(client: OpenSearch, gens: Generations, index_dir: Path | None
              ) -> list[Publication]:
    """The publications the journal's last word PUT (their source `api`, as a push's);
    the ids it DELETEd are remembered as deleted (search/engine/opensearch/deletions.py)."""
    journal = Journal(index_dir) if index_dir is not None else None
    if journal is None or not journal.path.is_file():
        return []
    state = journal.latest()
    deletions.remember(client, gens, [pid for pid, pub in state.items() if pub is None])
    return [pub for pub in state.values() if pub is not None]
