"""The rankers the relevance benchmark compares, over cached indexes of one collection.

  nomorph   Whoosh StandardAnalyzer without stemming (lowercase words, Russian stop words)
  snowball  Whoosh LanguageAnalyzer('ru') (Snowball Russian stemmer; Whoosh-Reloaded's
            StemmingAnalyzer has no `lang` argument, LanguageAnalyzer is its Snowball chain)
  lemma     our tokenizer and stop list, then every pymorphy3 normal form of each word
            (search.morph.readings): plain lemmas, none of our ranking extras (no
            name readings, query weights, phrase or title bonuses, relaxation)
  sphinx    Debian's sphinxsearch as a Russian site runs it (bench/sphinx_peer.py): AND
  ours      search.engine.whoosh.writer.rebuild + SearchService (the production path)
The three Whoosh baselines are BM25F with the same title weight, OR over the query's terms.
Indexes are cached under bench/out/indexes (Sphinx: bench/out/sphinx), keyed by the
sources and the code that shapes them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from whoosh import fields, index, scoring
from whoosh import query as wq
from whoosh.analysis import (
    CompositeAnalyzer,
    Filter,
    LanguageAnalyzer,
    LowercaseFilter,
    StandardAnalyzer,
)
from whoosh.lang import stopwords_for_language

from bench.sphinx_peer import (
    CONFIG_VERSION,
    SphinxPeer,
    SphinxUnavailable,
    sphinx_missing,
    stop_stale,
)
from indexer.sources import Skip, iter_publications
from search.engine.whoosh.analyzers import RuStopFilter, RuTokenizer
from search.engine.whoosh.store import IndexLocation
from search.engine.whoosh.writer import rebuild
from search.models import SearchRequest
from search.morph import is_cyrillic, readings
from search.searcher import SearchService
from search.settings import PROJECT_ROOT, SAMPLE_DIR, Settings
from search.topics import TopicDictionary

__all__ = ["RANKERS", "OPTIONAL_RANKERS", "COLLECTIONS", "CORPUS", "OUT", "collection_sources", "publications",
           "open_rankers", "close_rankers", "sphinx_missing", "PlainLemmaFilter"]

ROOT = PROJECT_ROOT
OUT = ROOT / "bench" / "out"
CORPUS = ROOT.parent / "shared" / "corpus"
RANKERS = ("nomorph", "snowball", "lemma", "sphinx", "ours")
OPTIONAL_RANKERS = ("opensearch",)  # asked for by name only: it needs a cluster
# sample/corpus: the old set's two indexes; blind: one index of both for the blind set.
COLLECTIONS = ("sample", "corpus", "blind")
DEPTH = 100
TITLE_BOOST = 3.0
# Code whose change alters what a ranker puts into its index.
_INDEX_CODE = {
    "ours": ("search/analysis.py", "search/morph.py", "search/engine/whoosh/schema.py", "search/engine/whoosh/writer.py",
             "search/engine/whoosh/documents.py",
             "search/models.py", "search/topics.py", "search/engine/whoosh/forms.py", "search/stems.py",
             "search/quoted.py", "search/duplicates.py", "search/engine/whoosh/lexicon.py",
             "indexer/sources.py", "indexer/extract.py", "search/data/stopwords_ru.txt",
             "indexer/mending.py", "indexer/page_code.py",
             "search/people.py", "search/lemma_filter.py", "search/bulk_analysis.py", "search/bulk_tables.py", "search/engine/whoosh/segment_writer.py",
             "search/engine/whoosh/bulk_postings.py", "search/engine/whoosh/bulk_field.py"),
    "lemma": ("search/analysis.py", "search/morph.py", "search/data/stopwords_ru.txt"),
    "sphinx": ("bench/sphinx_peer.py", "search/data/stopwords_ru.txt"),
}
# Every ranker reads the publications through the indexer (their ids, their cleaned text).
_READING = ("indexer/sources.py", "indexer/extract.py", "indexer/mending.py",
            "indexer/page_code.py")
for _ranker in ("nomorph", "snowball", "lemma", "sphinx"):
    _INDEX_CODE[_ranker] = _INDEX_CODE.get(_ranker, ()) + _READING
_INDEX_CODE["opensearch"] = _INDEX_CODE["ours"] + tuple(
    f"search/engine/opensearch/{m}.py" for m in ("mapping", "documents", "writing", "groups"))


def collection_sources(name: str) -> list[Path]:
    if name == "sample":
        return [SAMPLE_DIR]
    corpus = sorted(CORPUS.glob("*.jsonl"))
    if name == "blind":
        return [SAMPLE_DIR / "publications.jsonl", *corpus]
    return corpus


def publications(name: str) -> list:
    """The collection's publications as the indexer reads them (topics assigned)."""
    topics = TopicDictionary.load(None)
    return [p for p in iter_publications(collection_sources(name), topics)
            if not isinstance(p, Skip)]


def _fingerprint(name: str, ranker: str) -> str:
    h = hashlib.sha1(ranker.encode())
    for src in collection_sources(name):
        for p in sorted([src] if src.is_file() else src.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
    for rel in _INDEX_CODE.get(ranker, ()):
        h.update((ROOT / rel).read_bytes())
    # Bump these when a baseline's schema or analyzer changes (PlainLemmaFilter: lemma).
    h.update(b"baseline-v1" if ranker in ("nomorph", "snowball") else
             b"lemma-v1" if ranker == "lemma" else CONFIG_VERSION.encode())
    return h.hexdigest()[:12]


def _ranking_environ() -> dict[str, str]:
    """The ranking settings of this process's environment (KARTOTEKA_LIBRARY_WEIGHT,
    KARTOTEKA_RECENCY_*, KARTOTEKA_TITLE_BOOST) for trying a weight on the dev half; the
    rest (the index, the engine) is the bench's own."""
    names = ("KARTOTEKA_LIBRARY_WEIGHT", "KARTOTEKA_RECENCY_WEIGHT",
             "KARTOTEKA_RECENCY_HALF_LIFE_DAYS", "KARTOTEKA_TITLE_BOOST")
    return {name: os.environ[name] for name in names if name in os.environ}


class Ours:
    def __init__(self, index_dir: Path, pubs):
        if not (index_dir / "CURRENT").exists():
            rebuild(IndexLocation(index_dir), pubs())
        self.service = SearchService(Settings.from_env(_ranking_environ(), index_dir=index_dir))

    def search(self, text: str, depth: int = DEPTH) -> list[str]:
        result = self.service.search(SearchRequest(q=text, per_page=depth, snippets=False,
                                                   facets=False))
        # As the page shows them: full matches, then the partial block; a hit's copies
        # (the same text under other ids, listed on it) stand right after it.
        return [pid for h in result.hits + result.partial for pid in (h.id, *h.copies)]

    def close(self):
        self.service.close()


class OursOnOpenSearch(Ours):
    """The same search policy over the OpenSearch engine (not in RANKERS: it needs a
    cluster, `--rankers ours,opensearch` with KARTOTEKA_OPENSEARCH_URL set). The alias is
    named for the collection's fingerprint, so a changed collection is indexed anew."""

    def __init__(self, alias: str, pubs):

        from search.engine.opensearch import OpenSearchEngine

        settings = Settings.from_env(os.environ, engine="opensearch", opensearch_prefix=alias)
        engine = OpenSearchEngine(settings)
        if not engine.ready():
            engine.rebuild(pubs())
        self.service = SearchService(settings, engine=engine)


class PlainLemmaFilter(Filter):
    """Every pymorphy3 normal form of a Cyrillic word, at its position, in both modes.

    >>> [t.text for t in plain_lemma_analyzer()("Книги о ёлках")]
    ['книга', 'елка']
    """

    is_morph = True

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        for t in tokens:
            if not is_cyrillic(t.text):
                yield t
                continue
            for r in readings(t.text):
                t.text = r.lemma
                yield t


def plain_lemma_analyzer():
    return CompositeAnalyzer(RuTokenizer(), LowercaseFilter(), RuStopFilter(),
                             PlainLemmaFilter())


def nomorph_analyzer():
    return StandardAnalyzer(stoplist=frozenset(stopwords_for_language("ru")), minsize=1)


def snowball_analyzer():
    return LanguageAnalyzer("ru")


_ANALYZERS = {"nomorph": nomorph_analyzer, "snowball": snowball_analyzer,
              "lemma": plain_lemma_analyzer}


class Baseline:
    def __init__(self, index_dir: Path, pubs, analyzer):
        self.analyzer = analyzer
        if (index_dir / "_done").exists():
            self.ix = index.open_dir(str(index_dir))
        else:
            shutil.rmtree(index_dir, ignore_errors=True)
            index_dir.mkdir(parents=True)
            schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                                   title=fields.TEXT(analyzer=analyzer),
                                   body=fields.TEXT(analyzer=analyzer))
            self.ix = index.create_in(str(index_dir), schema)
            with self.ix.writer(limitmb=256) as w:
                for p in pubs():
                    w.add_document(id=p.id, title=p.title, body=p.text)
            (index_dir / "_done").touch()
        self.searcher = self.ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2))

    def search(self, text: str, depth: int = DEPTH) -> list[str]:
        terms = sorted({t.text for t in self.analyzer(text)})
        if not terms:
            return []
        q = wq.Or([wq.Term("title", t, boost=TITLE_BOOST) for t in terms]
                  + [wq.Term("body", t) for t in terms])
        return [hit["id"] for hit in self.searcher.search(q, limit=depth)]

    def close(self):
        self.searcher.close()


def _index_dir(name: str, ranker: str, rebuild_all: bool) -> Path:
    base = OUT / ("sphinx" if ranker == "sphinx" else "indexes")
    path = base / f"{name}-{ranker}-{_fingerprint(name, ranker)}"
    if rebuild_all:
        shutil.rmtree(path, ignore_errors=True)
    for stale in base.glob(f"{name}-{ranker}-*"):
        if stale != path:
            stop_stale(stale)  # a searchd that a killed run left serving it
            shutil.rmtree(stale, ignore_errors=True)
    return path


def open_rankers(name: str, rebuild_all: bool = False, which=RANKERS,
                 log=print) -> dict:
    """The rankers in `which` over collection `name`; a missing Sphinx is skipped with a
    printed reason (`log`). Close them with close_rankers(), also on error."""
    cached: list = []

    def pubs():
        if not cached:
            cached.append(publications(name))
        return cached[0]

    out: dict = {}
    try:
        for ranker in which:
            path = _index_dir(name, ranker, rebuild_all)
            if ranker == "ours":
                out[ranker] = Ours(path, pubs)
            elif ranker == "opensearch":
                out[ranker] = OursOnOpenSearch(f"bench-{path.name}", pubs)
            elif ranker == "sphinx":
                try:
                    out[ranker] = SphinxPeer(path, pubs, path.name)
                except SphinxUnavailable as exc:
                    log(f"sphinx skipped: {exc}")
            else:
                out[ranker] = Baseline(path, pubs, _ANALYZERS[ranker]())
    except BaseException:
        close_rankers(out)
        raise
    return out


def close_rankers(rankers: dict) -> None:
    """Close every ranker (stops searchd), even when one of them fails to close."""
    errors = []
    for r in rankers.values():
        try:
            r.close()
        except Exception as exc:  # noqa: BLE001 - close the others first
            errors.append(exc)
    if errors:
        raise errors[0]
