"""The index of one generation, and the meta index beside the alias.

Every analysis field (title, body, people, stems) is text tokenized on whitespace, each
token being one position; a token `a|b` is split by a `pattern_capture` filter into `a`
and `b` at that one position (preserve_original false, or `a|b` itself would be indexed
too). Query text goes through the same analyzer, so match_phrase over `a|b c` finds
either lemma before `c`. Lucene's BM25 is set to Whoosh's k1 and b; its length norm
skips tokens at an already used position, as Whoosh counts each position once.
"""

from __future__ import annotations

__all__ = ["ANALYSIS", "index_body", "META_BODY", "TEXT_FIELDS", "FACET_FIELDS",
           "EXCLUDED_FROM_SOURCE", "RESULT_WINDOW"]

TEXT_FIELDS = ("title", "body", "people", "stems")
# The deepest hit a page may reach (from + size); an export walks past it (search_after).
RESULT_WINDOW = 100_000
FACET_FIELDS = {"topic": "topics", "author": "author", "library": "library", "year": "year"}
# Derived token strings: rebuilt from `pub` whenever needed, not worth storing twice.
EXCLUDED_FROM_SOURCE = [*TEXT_FIELDS, "forms"]

ANALYSIS = {
    "filter": {"alternatives": {"type": "pattern_capture", "patterns": ["([^|]+)"],
                                "preserve_original": False}},
    "analyzer": {"lemmas": {"type": "custom", "tokenizer": "whitespace",
                            "filter": ["alternatives"]}},
    # Filters match case- and ё-insensitively: search/engine `facet_key`, as Whoosh's do.
    "char_filter": {"yo": {"type": "mapping", "mappings": ["ё => е", "Ё => Е"]}},
    "normalizer": {"folded": {"type": "custom", "char_filter": ["yo"],
                              "filter": ["lowercase"]}},
}

_TEXT = {"type": "text", "analyzer": "lemmas"}
_FOLDED = {"type": "keyword", "fields": {"folded": {"type": "keyword", "normalizer": "folded"}}}
_KEYWORD = {"type": "keyword"}

MAPPINGS = {
    "dynamic": "strict",
    "_source": {"excludes": EXCLUDED_FROM_SOURCE},
    "properties": {
        "id": _KEYWORD,
        "pub": {"type": "object", "enabled": False},  # the Publication, stored as written
        **{name: _TEXT for name in TEXT_FIELDS},
        "quoted": _KEYWORD,  # search/quoted.py keys: one value per quoted name
        "forms": _KEYWORD,  # title and body words as written (lower-case, ё folded)
        "topics": _FOLDED,
        "author": _FOLDED,
        "library": _FOLDED,
        "year": _KEYWORD,
        "published": {"type": "date", "format": "strict_date"},
        "group": _KEYWORD,  # copies of one publication share it (search/duplicates.py)
        "text_key": _KEYWORD,
        "url_key": _KEYWORD,
        "parent_id": _KEYWORD,
        "source": _KEYWORD,
    },
}


def index_body(shards: int) -> dict:
    """A new generation: no replicas and no refreshes while it is bulk-loaded."""
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": 0,
                "refresh_interval": "-1",
                "similarity": {"default": {"type": "BM25", "k1": 1.2, "b": 0.75}},
                "max_result_window": RESULT_WINDOW,
            },
            "analysis": ANALYSIS,
        },
        "mappings": MAPPINGS,
    }


# One document per generation (its id is the generation's index name): the lexicon and
# the suggestion vocabulary, computed in Python during a rebuild (derived.py).
META_BODY = {
    "settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}},
    "mappings": {
        "dynamic": "strict",
        # The blob (megabytes for a large index) is a stored field outside _source: the
        # generation check every reload_interval reads a few hundred bytes, not the blob
        # (source filtering still loads the whole _source on the node: heap churn).
        "_source": {"excludes": ["blob"]},
        "properties": {
            "index": _KEYWORD,
            "version": {"type": "integer"},
            "analysis": {"type": "integer"},  # search/analysis.py ANALYSIS_VERSION
            "built_at": _KEYWORD,
            "changed": _KEYWORD,
            "stale": {"type": "boolean"},
            "documents": {"type": "long"},
            "blob": {"type": "binary", "store": True},
            "deleted": _KEYWORD,  # a publication deleted through the API (deletions.py)
        },
    },
}
