"""The Whoosh schema. Field names follow Publication attributes where they can."""

from __future__ import annotations

from whoosh import columns, fields

from search.analysis import EXACT_ANALYZER, RU_ANALYZER

__all__ = ["SCHEMA_VERSION", "build_schema"]

# Bump when the schema or the analysis chain changes incompatibly.
SCHEMA_VERSION = 2


def build_schema() -> fields.Schema:
    """Lemmatized title and body, their exact forms, and stored/columnar metadata."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.STORED(),
        title=fields.TEXT(analyzer=RU_ANALYZER, stored=True, phrase=True),
        body=fields.TEXT(analyzer=RU_ANALYZER, stored=True, phrase=True),
        title_exact=fields.TEXT(analyzer=EXACT_ANALYZER, phrase=False),
        body_exact=fields.TEXT(analyzer=EXACT_ANALYZER, phrase=False),
        published=fields.DATETIME(stored=True, sortable=True),
        author=fields.ID(stored=True),
        author_position=fields.STORED(),
        photographer=fields.STORED(),
        topics=fields.KEYWORD(stored=True, commas=True, scorable=False, lowercase=False),
        library=fields.ID(stored=True),
        source=fields.ID(stored=True),
        parent_id=fields.ID(stored=True),
        # Facet data as one compact column, read into arrays once per index generation.
        facet_data=fields.COLUMN(columns.VarBytesColumn()),
    )
