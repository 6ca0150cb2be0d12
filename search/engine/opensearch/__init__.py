"""The OpenSearch engine: one alias of a cluster holding the analysis of search/analysis.py.

    client.py       the client from Settings (several nodes, auth, TLS, retries)
    mapping.py      index settings and mappings, the meta index
    documents.py    Publication <-> document, lemma token strings
    analyzing.py    our analysis in several processes during a rebuild
    compiler.py     search/nodes.py trees and ranking hints -> query DSL
    searching.py    find(): filters, facets, total, collapsed hits
    hits.py         iter_hits(): exports through a point in time
    derived.py      lexicon and vocabulary computed in Python, stored in the meta index
    generations.py  generation names, the alias switch, meta documents
    writing.py      rebuild and sync
    index_health.py what an index lacks after writes (a node down), for the summary
    live_writes.py  upsert and delete of single publications
    deletions.py    ids deleted through the API, for the rebuilds that follow
    carried.py      what a rebuild carries over: pushed publications, writes made meanwhile
    from_whoosh.py  a Whoosh directory's API journal, taken in by the first rebuild
    rebuild_lock.py one full rebuild at a time on a cluster
    groups.py       copies of one publication: the `group` of each document
    bulk.py         bulk requests where every failed item is an error
    failures.py     cluster failures as our typed errors (401, 403, TLS, the rest 503)
    live_generation.py  the generation the alias serves and what is derived from it
    finding.py      finding through the alias (find, hits, similar, facet values)
    engine.py       OpenSearchEngine, the Engine protocol

Only imported when KARTOTEKA_ENGINE=opensearch (search/engine/__init__.py `open_engine`).
"""

from search.engine.opensearch.engine import OpenSearchEngine

__all__ = ["OpenSearchEngine"]
