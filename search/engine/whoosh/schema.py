"""The Whoosh schema. Field names follow Publication attributes where they can."""

from __future__ import annotations

from collections import Counter
from pickle import dumps

from whoosh import columns, fields
from whoosh.system import pack_uint

from search.engine.whoosh.analyzers import RU_ANALYZER, RuAnalyzer, stem_analyzer
from search.engine.whoosh.codec import build_codec
from search.engine.whoosh.forms import pack_forms
from search.stems import stem_terms

__all__ = ["SCHEMA_VERSION", "build_schema", "build_codec", "RuTextField", "StemsField"]

# Bump when the schema or the analysis chain changes incompatibly.
SCHEMA_VERSION = 7  # 7: the analyzer and field classes pickled in the schema moved into search/engine/whoosh


def _encode_positions(positions: list[int]) -> bytes:
    """What whoosh.formats.Positions.encode writes (its decode_positions reads it back)."""
    deltas = [positions[0]]
    if len(positions) > 1:
        deltas += [b - a for a, b in zip(positions, positions[1:])]  # noqa: B905
    return pack_uint(len(deltas)) + dumps(deltas, 2)


class RuTextField(fields.TEXT):
    """Lemma postings with positions, plus a column of the field's word forms as written.

    Indexing runs RuAnalyzer.index_terms once per value, without Whoosh's Token
    objects; the postings are those Whoosh's Positions format would write. The same
    pass collects the forms, which become the field's column (see search/engine/whoosh/forms.py).
    """

    def __init__(self, analyzer: RuAnalyzer = RU_ANALYZER, stored: bool = True):
        super().__init__(analyzer=analyzer, stored=stored, phrase=True)
        self.column_type = columns.VarBytesColumn()
        self._last: tuple[str, set[str]] | None = None  # the forms of the value just indexed

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_last"] = None  # the schema is pickled into the index: no document text in it
        return state

    def index(self, value, **kwargs):
        if not isinstance(value, str) or kwargs.get("mode", "index") != "index":
            return super().index(value, **kwargs)
        forms: set[str] = set()
        weights: dict[str, float] = {}
        terms = self.analyzer.index_terms(value, forms, weights)
        self._last = (value, forms)
        boost = self.format.field_boost
        return [(word.encode("utf-8"), len(positions), weights[word] * boost,
                 _encode_positions(positions)) for word, positions in terms.items()]

    def to_column_value(self, value):
        """The packed form hashes of `value` (Whoosh calls this right after index())."""
        last = self._last
        if last is not None and last[0] is value:
            forms = last[1]
        else:
            forms = set()
            self.analyzer.index_terms(value or "", forms)
        self._last = None
        return pack_forms(forms)

    def from_column_value(self, value):
        return value


class StemsField(fields.TEXT):
    """The Snowball stems field (search/stems.py), frequencies only.

    Indexing takes search/stems.py's stem_terms in one pass, not the Token-per-word
    chain of its analyzer (kept for anything that analyzes a query through the
    schema); the postings are those Whoosh's Frequency format would write, as
    tests/test_scoring.py checks byte for byte. The chain was a seventh of a rebuild.
    """

    def __init__(self):
        super().__init__(analyzer=stem_analyzer(), phrase=False)

    def index(self, value, **kwargs):
        if not isinstance(value, str) or kwargs.get("mode", "index") != "index":
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [(word.encode("utf-8"), freq, freq * boost, pack_uint(freq))
                for word, freq in Counter(stem_terms(value)).items()]


def build_schema() -> fields.Schema:
    """Lemmatized title and body with their forms columns, and stored/columnar metadata."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.STORED(),
        title=RuTextField(),
        body=RuTextField(),
        people=RuTextField(stored=False),  # the author or signature line, searchable by name
        stems=StemsField(),  # search/stems.py
        quoted=fields.KEYWORD(commas=True, scorable=False, lowercase=False),  # search/quoted.py
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
