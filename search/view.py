"""One open index generation and what is derived from it, cached until it changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from search import lexicon
from search.facets import FacetTable
from search.postings import POSTINGS_CACHE_BYTES, cache_size
from search.scoring import Scorer
from search.spelling import SpellingLexicon
from search.suggest import Vocabulary

__all__ = ["IndexView"]


@dataclass
class IndexView:
    """One open generation: index, searcher and the arrays derived from it."""

    name: str
    index: object
    searcher: object
    facets: FacetTable
    built_at: str | None
    postings_cache_bytes: int = POSTINGS_CACHE_BYTES
    path: Path | None = None  # the generation's directory, for files derived from it
    _vocabulary: Vocabulary | None = None
    _scorer: Scorer | None = None
    _spelling: SpellingLexicon | None = None
    _words: dict[str, int] | None = None
    _ids: dict = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # sub-query matches (search/scoring.py)
    stamp: int = 0  # Whoosh's commit number: a PUT makes a new one

    def __post_init__(self):
        self.stamp = self.index.latest_generation()

    def doc_id(self, docnum: int) -> str:
        """The id of a document, remembered so reranking does not reload stored fields."""
        pid = self._ids.get(docnum)
        if pid is None:
            pid = self._ids[docnum] = self.searcher.stored_fields(docnum)["id"]
        return pid

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.load_or_build(self.path, self.searcher,
                                                        self.index.latest_generation())
        return self._vocabulary

    @property
    def words(self) -> dict[str, int]:
        """The index's words and their document frequencies (search/lexicon.py)."""
        if self._words is None:
            self._words = lexicon.load_or_build(self.path, self.searcher)
        return self._words

    @property
    def spelling(self) -> SpellingLexicon:
        if self._spelling is None:
            self._spelling = SpellingLexicon(self.searcher.reader(), self.words)
        return self._spelling

    @property
    def scorer(self) -> Scorer:
        """Numpy BM25F over this generation, its postings cache sized from the index within
        the budget (KARTOTEKA_POSTINGS_CACHE_MB)."""
        if self._scorer is None:
            size = cache_size(sum(self.words.values()), self.postings_cache_bytes)
            self._scorer = Scorer(self.searcher, self.facets.size, cache_bytes=size)
        return self._scorer

    def close(self) -> None:
        self.searcher.close()
        self.index.close()
