"""The engine seam: what the search policy (search/service.py) asks of an index.

An engine stores Publications with the analysis of search/analysis.py, evaluates the
neutral query tree of search/nodes.py, filters, counts facets, ranks and pages. What a
query means, relaxing, corrections, snippets and the response cache are the policy's,
written once above this seam. One package per engine: search/engine/whoosh (the
embedded default) and search/engine/opensearch (a cluster); `KARTOTEKA_ENGINE` chooses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Protocol

from search.errors import EMPTY_SOURCES, ConfigError, EmptyRebuild
from search.models import FILE_ID_KINDS, FacetValue, Publication
from search.nodes import Node
from search.source_paths import file_of, within

__all__ = ["Engine", "Selection", "RankHints", "Found", "EngineHit", "RebuildStats",
           "Progress", "Phase", "ENGINES", "open_engine", "default_procs", "facet_key",
           "vanished", "FileIds", "COMMITTING", "DUPLICATE"]

ENGINES = ("whoosh", "opensearch")
Progress = Callable[[int], None]  # called with 1 for every publication read
Phase = Callable[[str], None]  # called with the name of a long step (COMMITTING)
# The words of a run's summary and progress that every engine says alike.
COMMITTING = "запись индекса"  # the step after the last publication is read
DUPLICATE = "повторный id: оставлена последняя запись"  # a skip reason


@dataclass(frozen=True)
class RankHints:
    """What ranking needs beyond the tree: the query's own words (search/engine/whoosh/ranking.py)."""

    content_lemmas: tuple[str, ...] = ()  # first lemma of each content word, in order
    forms: frozenset[str] = frozenset()  # words as typed (lower-case, ё folded)
    words: tuple[str, ...] = ()  # words as typed, for quoted names
    plain: bool = False  # only words: no operators, phrases or prefixes


@dataclass(frozen=True)
class Selection:
    """Which publications: a query (None: all of them), facet filters and a date range.

    Filters match case- and ё-insensitively (`facet_key`); values of one facet are
    alternatives, the facets are combined with AND. A facet's counts apply every filter
    but its own, and mark selected the values the filter matches.
    """

    query: Node | None = None
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    hints: RankHints = RankHints()

    def __hash__(self):
        return hash((self.query, tuple(sorted(self.filters.items())), self.date_from,
                     self.date_to, self.hints))


def facet_key(value) -> str:
    """A facet value as filters compare it: case, ё and runs of spaces do not matter.

    Every engine's filter and its facets' `selected` go by it (the OpenSearch mapping's
    `folded` normalizer folds the same way).

    >>> facet_key("Отчёты и  ИТОГИ") == facet_key("отчеты и итоги")
    True
    """
    return " ".join(str(value).casefold().replace("ё", "е").split())


@dataclass(frozen=True)
class EngineHit:
    publication: Publication
    score: float | None  # None when sorted by date
    copies: tuple[str, ...] = ()  # ids of the same text republished, folded into this hit


@dataclass(frozen=True)
class Found:
    """One page of a selection. `total` counts publications, each group of copies once."""

    total: int
    hits: tuple[EngineHit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    unknown: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # filter values no publication has
    copies_total: int = 0  # matches folded into another's hit as its copies: not in `total`


@dataclass
class RebuildStats:
    indexed: int = 0
    updated: int = 0
    removed: int = 0
    carried: int = 0  # a full rebuild's publications pushed through the API (PUT), kept
    unchanged: int = 0  # an incremental reindex's publications equal to the stored ones
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    generation: str | None = None
    add_seconds: float = 0.0
    commit_seconds: float = 0.0
    worker_lemma_hits: int = 0
    worker_lemma_misses: int = 0
    cached_words: int = 0
    # what went live but should be looked at (OpenSearch: a generation without its replicas)
    warnings: list[str] = field(default_factory=list)


class Engine(Protocol):
    """One index, as the policy, the CLI and the API use it."""

    name: str

    # -- reading -----------------------------------------------------------------
    def generation(self) -> str:
        """The live generation's name; it changes with every write (cache key)."""

    def pinned(self) -> AbstractContextManager:
        """Within it, this thread's calls are answered from the generation the first call saw:
        one look at the disk for a search's several calls (Whoosh). An engine that looks
        only every reload_interval anyway (OpenSearch) pins nothing."""

    def find(self, selection: Selection, sort: str, start: int, stop: int,
             facet_limit: int | None) -> Found:
        """Hits start..stop of `selection` by `sort` (relevance, date_desc, date_asc;
        undated publications last in both date orders; none when stop == start: the
        total only); facet counts when facet_limit is not None."""

    def iter_hits(self, selection: Selection, sort: str, batch: int,
                  shown: Collection[str] = ()) -> Iterator[EngineHit]:
        """Every hit of `selection` in order (exports), read `batch` at a time, skipping
        the publications `shown` already (ids) and their copies."""

    def get(self, pid: str) -> Publication | None: ...

    def children(self, pid: str) -> list[Publication]:
        """Publications whose parent_id is `pid` (attachments of a page)."""

    def of_files(self, files: Collection[str]) -> list[Publication]:
        """Publications indexed from these source files (a record of a JSON Lines file has
        `file#line` as its source): what a full run keeps of a file it could not read."""

    def ids(self) -> frozenset[str]:
        """The id of every publication the live index holds (empty when there is none): a
        full run's summary tells the new ones and those gone."""

    def similar(self, pid: str, limit: int) -> list[EngineHit]: ...

    def facet_values(self) -> dict[str, tuple[FacetValue, ...]]:
        """Every value of every facet with its count over all publications."""

    def words(self) -> Mapping[str, int]:
        """Words of the index with document frequencies (search/spelling.py)."""

    def spelling(self):
        """The SpellingLexicon of the live generation."""

    def vocabulary(self):
        """The suggestion Vocabulary of the live generation (search/vocabulary.py)."""

    def count(self) -> int: ...

    def health(self) -> dict:
        """engine, generation, documents, last_reindex (and the cluster's status);
        raises IndexMissing when there is no index yet."""

    def ready(self) -> bool:
        """A live index exists and was built by this version (`reindex --if-missing`)."""

    def has_index(self) -> bool:
        """A live index exists, of any version (cheap: nothing is opened or read)."""

    def describe(self) -> str:
        """Where the live index is and how big, for the CLI's summaries."""

    def tidy(self) -> list[str]:
        """Remove what interrupted rebuilds left behind; the names removed."""

    # -- writing -----------------------------------------------------------------
    def rebuild(self, publications: Iterable[Publication], progress: Progress | None = None,
                phase: Phase | None = None, procs: int | None = None,
                accept: Callable[[int], None] | None = None) -> RebuildStats:
        """Everything anew into a new generation, switched to atomically at the end
        (`procs`: processes analyzing documents, where the engine can use several).
        `accept` is called with the new generation's number of publications just before
        the switch; whatever it raises leaves the previous generation live."""

    def sync(self, publications: Iterable[Publication], scopes: list[str],
             progress: Progress | None = None, phase: Phase | None = None,
             kept: Collection[str] = (),
             accept_removals: Callable[[int, int], None] | None = None) -> RebuildStats:
        """Add and update these; remove publications of `scopes` that are not among them,
        except those of the files in `kept` (read once `publications` is consumed: the
        files the run reported unreadable keep what was indexed from them).
        `accept_removals(removed, held)` is asked before anything is removed: what it
        raises leaves every publication of the index in place."""

    def upsert(self, publications: Iterable[Publication]) -> int: ...

    def delete(self, ids: Iterable[str], pushed: bool = True) -> int:
        """Remove these; how many there were. `pushed`: the CMS removed them, and that
        wins over a source's copy in later rebuilds; not so for a page a crawl found
        gone, which comes back when it answers again."""

    def close(self) -> None: ...


class FileIds:
    """A page or document file keeps the id its publication has in the index, whatever
    directory an incremental run is given: `2024/index.html` indexed from the site's
    folder is `page-2024~index.html`, from `2024/` itself `page-index.html`, which is
    another file's. Other publications carry ids of their own and are left alone."""

    # A WordPress export's posts share their file and have ids of their own.
    KINDS = tuple(f"{kind}-" for kind in FILE_ID_KINDS)

    def __init__(self, sources: Mapping[str, str]):  # id -> source, as stored
        self.sources = sources
        self.by_file = {source: pid for pid, source in sources.items()
                        if source and pid.startswith(self.KINDS)}

    def settle(self, pub: Publication) -> tuple[Publication | None, str | None]:
        """The publication under its file's id; or None and why, when its id is already
        another file's publication (the run would overwrite it)."""
        source = pub.source or ""
        if not source or not pub.id.startswith(self.KINDS):
            return pub, None
        known = self.by_file.get(source)
        if known is not None:
            return (pub if known == pub.id else replace(pub, id=known)), None
        other = self.sources.get(pub.id)
        if other and other != source:
            return None, (f"её id {pub.id} уже у публикации из {other}: индексируйте их общий "
                          "каталог")
        return pub, None


def vanished(sources: Mapping[str, str], seen: Collection[str],
             scopes: list[str], kept: Collection[str] = ()) -> list[str]:
    """The ids (id -> source) an incremental run removes: those whose source file lies
    within `scopes`, is not one of `kept` (a file this run could not read, wholly or a
    line of it: the record it held may be any of the file's) and that did
    not come. When nothing came at all, none: an export emptied or not mounted is refused
    (EmptyRebuild), as a full rebuild of nothing is."""
    gone = [pid for pid, source in sources.items()
            if pid not in seen and _in_scopes(source, scopes)
            and file_of(source) not in kept]
    if gone and not seen:
        raise EmptyRebuild(EMPTY_SOURCES)
    return gone


def from_file(source: str | None, files: Collection[str]) -> bool:
    """Whether a stored source (`file` or `file#line`) is one of `files`."""
    return bool(source) and file_of(source) in files


def _in_scopes(source: str, scopes: list[str]) -> bool:
    return any(within(file_of(source), s) for s in scopes)


def default_procs() -> int:
    """Processes analyzing documents in a rebuild: the cores this process may use, at most 4."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def open_engine(settings) -> Engine:
    """The engine `settings.engine` names."""
    if settings.engine == "opensearch":
        try:
            from search.engine.opensearch import OpenSearchEngine
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("opensearchpy"):
                raise
            raise ConfigError("для KARTOTEKA_ENGINE=opensearch нужен клиент OpenSearch: "
                              "pip install 'kartoteka[opensearch]'") from exc
        return OpenSearchEngine(settings)
    from search.engine.whoosh.engine import WhooshEngine
    return WhooshEngine(settings)
