"""One open index generation and what is derived from it, cached until it changes (its
words, renewed after a write, are search/engine/whoosh/view_words.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from search.engine.whoosh.direct import direct_stored
from search.engine.whoosh.facets import FacetTable
from search.engine.whoosh.postings import POSTINGS_CACHE_BYTES, cache_size
from search.engine.whoosh.scoring import Scorer
from search.engine.whoosh.view_words import ViewWords
from search.models import Publication
from search.records import to_publication
from search.spelling import SpellingLexicon
from search.vocabulary import Vocabulary
from search.weights import LIBRARY_LEMMAS

__all__ = ["IndexView", "PUBLICATION_CHARS_KEPT"]

# Publications kept per view, by the characters of their texts (a str of Cyrillic text
# takes 2 bytes a character: up to ~40 MB a worker; the real corpus's texts are 19.8
# million characters). A kept one is no read and decompression of its whole stored text:
# 2,048 of them (a count, ~12 million characters) let a stream of distinct searches read
# ~3 texts a request, 8 % of a worker's time; this many, ~1.
PUBLICATION_CHARS_KEPT = 20_000_000


@dataclass
class IndexView(ViewWords):
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
    _library: np.ndarray | None = None
    _spelling: SpellingLexicon | None = None
    _words: dict[str, int] | None = None
    _stored: Callable[[int], dict] | None = None
    _ids: dict = field(default_factory=dict)
    _publications: OrderedDict = field(default_factory=OrderedDict)
    _kept_chars: int = 0
    memo: dict = field(default_factory=dict)  # sub-query matches (search/engine/whoosh/scoring.py)
    stamp: int = 0  # Whoosh's commit number: a PUT makes a new one
    earlier_vocabulary: Vocabulary | None = None  # the last commit's, served while this one's is built
    earlier_spelling: SpellingLexicon | None = None  # the last commit's, the same way
    _words_thread: threading.Thread | None = None
    _meanwhile: Vocabulary | None = None  # earlier_vocabulary over this searcher
    _refresh: threading.Thread | None = None
    _refreshing: threading.Lock = field(default_factory=threading.Lock)
    words_renewed: bool = False  # this commit's words replaced an earlier commit's
    superseded: bool = False  # a newer commit's view serves: what its threads make is moot

    def __post_init__(self):
        self.stamp = self.index.latest_generation()

    def stored_fields(self, docnum: int) -> dict:
        """What searcher.stored_fields returns, each read in one pread (direct.py)."""
        if self._stored is None:
            self._stored = direct_stored(self.searcher)
        return self._stored(docnum)

    def publication(self, docnum: int) -> Publication:
        """A document's Publication; the most asked are kept (their stored fields are
        compressed: a read is a decompression of the whole text)."""
        pub = self._publications.get(docnum)
        if pub is None:
            pub = self._publications[docnum] = to_publication(self.stored_fields(docnum))
            self._kept_chars += _chars(pub)
            while self._kept_chars > PUBLICATION_CHARS_KEPT and len(self._publications) > 1:
                self._kept_chars -= _chars(self._publications.popitem(last=False)[1])
        else:
            self._publications.move_to_end(docnum)
        return pub

    def doc_id(self, docnum: int) -> str:
        """The id of a document, remembered so reranking does not reload stored fields."""
        pid = self._ids.get(docnum)
        if pid is None:
            pid = self._ids[docnum] = self.stored_fields(docnum)["id"]
        return pid

    @property
    def library(self) -> np.ndarray:
        """Per document: whether its title or text names the library (a lemma of
        search/weights.py LIBRARY_LEMMAS), for the library prior."""
        if self._library is None:
            found = np.zeros(self.facets.size, bool)
            for fieldname in ("title", "body"):
                for lemma in LIBRARY_LEMMAS:
                    docnums = self.scorer.postings.documents(fieldname, lemma.encode())
                    found[docnums[docnums < len(found)]] = True
            self._library = found
        return self._library

    @property
    def scorer(self) -> Scorer:
        """Numpy BM25F over this generation, its postings cache sized from the index within
        the budget (KARTOTEKA_POSTINGS_CACHE_MB)."""
        if self._scorer is None:
            size = cache_size(sum(self.words.values()), self.postings_cache_bytes)
            self._scorer = Scorer(self.searcher, self.facets.size, cache_bytes=size,
                                  days=self.facets.days)
        return self._scorer

    def close(self) -> None:
        self.superseded = True
        self.searcher.close()
        self.index.close()


def _chars(pub: Publication) -> int:
    return len(pub.text or "") + len(pub.title or "")
