"""Publications into the index: full rebuilds with an atomic switch, and upserts.

The CLI's reindex writes through this module; the API's PUT/DELETE through `push`. A
Publication's document is documents.py; opening, cancelling and tidying after the
writers is live_writer.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable

from search.analysis import ANALYSIS_VERSION
from search.api_journal import Journal
from search.engine import (
    COMMITTING,
    DUPLICATE,
    FileIds,
    Phase,
    Progress,
    RebuildStats,
    vanished,
)
from search.engine.run_writes import RunWrites
from search.engine.whoosh import lexicon
from search.engine.whoosh.documents import to_document
from search.engine.whoosh.live_writer import (
    cancel,
    live_writer,
    open_for_write,
    tidy_after_failure,
)
from search.engine.whoosh.parallel import collect_lemmas, default_procs, parallel_writer
from search.engine.whoosh.schema import build_codec
from search.engine.whoosh.store import IndexLocation
from search.engine.whoosh.terms import load_vocabulary
from search.engine.whoosh.titles import segment_titles
from search.errors import (
    EMPTY_SOURCES,
    PREVIOUS_KEPT,
    EmptyRebuild,
    IndexMissing,
    RebuildFailed,
)
from search.interrupts import interrupt_flag
from search.lemma_cache import LemmaCache
from search.models import Publication
from search.morph import new_readings
from search.records import to_publication

__all__ = ["RebuildStats", "rebuild", "sync_incremental"]


def rebuild(location: IndexLocation, publications: Iterable[Publication],
            progress: Progress | None = None, limitmb: int = 256,
            procs: int | None = None, phase: Phase | None = None,
            accept: Callable[[int], None] | None = None) -> RebuildStats:
    """Write every publication into a new generation, then switch to it atomically.

    Until the switch, readers keep the previous generation; a crash leaves only a
    temporary directory that the next run removes. Documents are analyzed in `procs`
    processes (default: the cores available). Duplicate ids keep the last record.
    `accept(publications)` is asked last: what it raises discards the new generation.
    """
    with location.rebuild_lock():
        return _rebuild(location, publications, progress, limitmb, procs, phase, accept)


def _rebuild(location: IndexLocation, publications: Iterable[Publication],
             progress: Progress | None, limitmb: int, procs: int | None,
             phase: Phase | None, accept: Callable[[int], None] | None) -> RebuildStats:
    """rebuild, its lock held."""
    stats = RebuildStats()
    started = time.perf_counter()
    with interrupt_flag() as interrupted:
        lemmas = LemmaCache(location.root)
        stats.cached_words = lemmas.load()  # before the sub-writers fork: they inherit it
        tmp_path, ix = location.new_generation()
        try:
            writer = parallel_writer(ix, procs or default_procs(), limitmb)
            seen: set[str] = set()
            later: dict[str, Publication] = {}  # duplicates, written after the first pass
            t0 = time.perf_counter()
            for pub in publications:
                if pub.id in seen:
                    later[pub.id] = pub
                    stats.skipped.append((pub.id, DUPLICATE))
                else:
                    writer.add_document(**to_document(pub, deferred=True))
                    seen.add(pub.id)
                    stats.indexed += 1
                if progress:
                    progress(1)
                interrupted.check()
            stats.add_seconds = time.perf_counter() - t0
            if not seen:
                raise EmptyRebuild(EMPTY_SOURCES)
            interrupted.check()
            if phase:
                phase(COMMITTING)
            t0 = time.perf_counter()
            writer.commit()
            interrupted.check()
            written = ix.doc_count_all()
            if written != len(seen):  # a sub-writer died and its segment with it
                raise RebuildFailed(f"не записано публикаций: {len(seen) - written} из "
                                    f"{len(seen)} (процесс индексации завершился раньше "
                                    f"времени): {PREVIOUS_KEPT}")
            stats.worker_lemma_hits, stats.worker_lemma_misses, shards = collect_lemmas(tmp_path)
            lemmas.adopt(shards)  # out of the generation's folder before it is published
            titles = segment_titles(ix)  # before any replacement deletes documents
            words = lexicon.from_segments(ix)
            if later:
                _replace(ix, later.values())
            stats.commit_seconds = time.perf_counter() - t0
            # The API's writes so far, and what workers would otherwise each derive, before
            # the write lock: held for them, a PUT waited up to 9 s at the end of a reindex
            # under a CMS's writes (0.5 s of titles on the real corpus, 13 s at 100,000).
            replayed, removed, _ = _replay_journal(location, ix)
            if replayed or later:
                titles = words = None  # read back from the index
            with ix.searcher() as searcher:
                lexicon.save(tmp_path, lexicon.build(searcher) if words is None else words,
                             ix.latest_generation())
                load_vocabulary(tmp_path, searcher, ix.latest_generation(), titles)
            with location.write_lock():
                # only what the API wrote since (the workers renew the derived files)
                _, stats.removed, stats.carried = _replay_journal(location, ix, replayed)
                stats.removed += removed
                with ix.searcher() as searcher:
                    documents = searcher.doc_count()
                ix.close()
                location.touch_meta(tmp_path, doc_count=documents,
                                    analysis_version=ANALYSIS_VERSION)
                if accept is not None:
                    accept(documents)
                interrupted.check()  # the last moment a Ctrl-C still keeps the old index
                stats.generation = location.publish(tmp_path)
        except BaseException:
            cancel(writer if "writer" in locals() else None)
            location.discard(tmp_path)
            raise
        lemmas.save(new_readings())  # the next rebuild starts from these and the shards
    stats.seconds = time.perf_counter() - started
    return stats


def _replace(ix, pubs: Iterable[Publication]) -> None:
    """Replace documents by id (the parallel writer cannot see its own earlier adds)."""
    writer = ix.writer(codec=build_codec())
    try:
        for pub in pubs:
            writer.delete_by_term("id", pub.id)
            writer.add_document(**to_document(pub))
        writer.commit()
    except BaseException:
        cancel(writer)
        raise


def _replay_journal(location: IndexLocation, ix, done: dict | None = None
                    ) -> tuple[dict, int, int]:
    """Carry publications pushed through the API into a freshly built generation, but
    those `done` (an earlier replay's state) already carried as they are: the journal's
    state now, how many publications of the sources its deletions removed, and how many
    pushed publications the generation holds."""
    latest = Journal(location.root).latest()
    done = done or {}
    todo = {pid: pub for pid, pub in latest.items()
            if pid not in done or done[pid] != pub}
    removed = 0
    if todo:
        writer = ix.writer(codec=build_codec())
        try:
            for pid, pub in todo.items():
                if pub is None:
                    removed += writer.delete_by_term("id", pid)
                else:
                    writer.update_document(**to_document(pub))
            writer.commit()
        except BaseException:
            cancel(writer)
            raise
    return latest, removed, sum(pub is not None for pub in latest.values())


def sync_incremental(location: IndexLocation, publications: Iterable[Publication],
                     scopes: list[str], progress: Progress | None = None,
                     phase: Phase | None = None, kept: Collection[str] = (),
                     accept_removals: Callable[[int, int], None] | None = None
                     ) -> RebuildStats:
    """Add new, update changed and remove vanished publications of the given source scopes.

    A publication equal to the stored one (its fingerprint) is left as it is: a nightly
    incremental run over an export that barely changed analyses and rewrites only what
    changed, where rewriting everything took three times a full rebuild and doubled the
    index with deleted copies until the next merge. A document is removed when its
    `source` lies within one of `scopes` (a file or a directory given on the command
    line) and no publication with its id came this run. Documents from other sources
    (other files, the API) are left alone, and so is an id the API journal holds: as in
    a full rebuild, what the CMS pushed or deleted last wins over the source's copy.
    """
    # Not beside a full rebuild: its new generation would not hold these changes. Ctrl-C
    # and SIGTERM cancel the writer, as in a rebuild, and the index stays as it was. With
    # no index yet, the first is built; the check comes with the lock held, so a run
    # started beside the first rebuild of a new directory waits for it and then adds to
    # it (it had built a generation of its own records, and the rebuild's was lost).
    with location.rebuild_lock():
        try:
            location.current()
        except IndexMissing:
            return _rebuild(location, publications, progress, 256, None, phase, None)
        return _sync(location, publications, scopes, progress, phase, kept, accept_removals)


def _sync(location: IndexLocation, publications: Iterable[Publication], scopes: list[str],
          progress: Progress | None, phase: Phase | None,
          kept: Collection[str],
          accept_removals: Callable[[int, int], None] | None = None) -> RebuildStats:
    """sync_incremental over an existing index, the rebuild lock held."""
    stats = RebuildStats()
    started = time.perf_counter()
    with location.write_lock(timeout=600), interrupt_flag():
        info, ix = open_for_write(location)
        try:
            with ix.searcher() as searcher:
                existing = {f["id"]: (f.get("source", ""), to_publication(f).fingerprint())
                            for f in searcher.all_stored_fields()}
            writer = None  # opened at the first change: an unused one leaves files

            def writing():
                nonlocal writer
                if writer is None:
                    writer = live_writer(ix)
                return writer

            pushed = Journal(location.root).latest()
            files = FileIds({pid: source for pid, (source, _) in existing.items()})
            try:
                seen: set[str] = set()
                run = RunWrites(lambda pid: existing.get(pid, (None, None))[1])

                def write(pubs: list[Publication]) -> None:
                    for pub in pubs:
                        if pub.id in existing:
                            writing().update_document(**to_document(pub))
                        else:
                            writing().add_document(**to_document(pub))

                for pub in publications:
                    pub, conflict = files.settle(pub)
                    if pub is None:
                        stats.skipped.append(("", conflict))
                        continue
                    seen.add(pub.id)
                    write(run.offer(pub, stats, fixed=pub.id in pushed))
                    if progress:
                        progress(1)
                write(run.rest())
                run.count(stats)
                sources = {pid: source for pid, (source, _fingerprint) in existing.items()}
                gone = list(vanished(sources, seen, scopes, kept))
                if accept_removals and gone:  # what it raises cancels the whole run
                    accept_removals(len(gone), stats.indexed + stats.updated
                                    + stats.unchanged + len(gone))
                for pid in gone:
                    stats.removed += writing().delete_by_term("id", pid)
                if phase:
                    phase(COMMITTING)
                if late := run.late():  # written again over what this writer holds: rare
                    writer.commit()  # (a writer replaces committed documents only)
                    writer = None
                    for pub in late:
                        writing().update_document(**to_document(pub))
                if writer is not None:  # else the generation and the workers' caches stay
                    writer.commit()
                    with ix.searcher() as searcher:  # the run's new words, for spelling
                        lexicon.save(info.path, lexicon.build(searcher),
                                     ix.latest_generation())
            except BaseException:
                cancel(writer)
                tidy_after_failure(info, ix)
                raise
            location.touch_meta(info.path)
            stats.generation = info.name
        finally:
            ix.close()
    stats.seconds = time.perf_counter() - started
    return stats
