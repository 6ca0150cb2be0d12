"""Whoosh's multi-process writer, made safe to kill.

Whoosh's sub-writers wait on a queue for work; if the parent reindex is killed with
SIGKILL they would wait forever. Here each one asks Linux to kill it when its parent
dies (PR_SET_PDEATHSIG), so a killed reindex leaves no orphan processes behind.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import pickle
import queue
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import multiproc
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from search.engine import default_procs
from search.engine.whoosh.schema import build_codec
from search.engine.whoosh.segment_writer import (
    STEMS_OF_TITLE_AND_BODY,
    CompactSegmentWriter,
    is_stems_text,
)
from search.engine.whoosh.word_exchange import EXCHANGE_DOCS, SUFFIX, WordExchange
from search.errors import PREVIOUS_KEPT, RebuildFailed
from search.lemma_cache import write_shard
from search.morph import cache_stats, new_readings
from search.os_errors import os_problem

__all__ = ["parallel_writer", "default_procs", "collect_lemmas"]
_LEMMAS_PREFIX = ".lemmas-"

_PR_SET_PDEATHSIG = 1
_HELD_AROUND_FORK = {signal.SIGINT, signal.SIGTERM}
PUT_CHECK_SECONDS = 1.0  # how often a put waiting on a full job queue looks for dead sub-writers


class _OrphanSafeTask(SubWriterTask):
    parent_pid = 0  # set before the fork
    _exchange: WordExchange | None = None  # made in the process, after the fork

    def run(self):
        # The parent's handlers came with the fork; a Ctrl-C is the parent's to handle (it
        # ends this process through cancel()), and SIGTERM from cancel() ends it at once.
        # Only then are the signals held back around the fork let in (_new_task).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_AROUND_FORK)
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            except (OSError, AttributeError):
                pass
        if os.getppid() != self.parent_pid:
            os._exit(1)  # the parent died between the fork and prctl: no signal will come
        # No cyclic garbage collection here: this process lives for one rebuild and makes
        # no reference cycles of its own, while each collection went over the heap it
        # inherited and its growing tables (10 % of its CPU on the real corpus; the same
        # peak memory without).
        gc.disable()
        before = cache_stats()  # inherited from the parent: not this process's own lookups
        # SubWriterTask.run builds its writer from this module global; in this child
        # process only, it is the writer with postings kept per term (search/engine/whoosh/pool.py).
        multiproc.SegmentWriter = CompactSegmentWriter
        folder = getattr(self.storage, "folder", None)
        if folder:
            try:
                self._exchange = WordExchange(Path(folder), _LEMMAS_PREFIX)
            except OSError:  # it only saves time: the rebuild goes on without it
                self._exchange = None
        try:
            super().run()
        except (OSError, MemoryError) as exc:  # a full disk, no memory: one line, no traceback
            what = os_problem(exc) if isinstance(exc, OSError) else "не хватило памяти"
            print(f"error: процесс индексации: {what}", file=sys.stderr)
            os._exit(1)  # the parent says the previous index is still in place
        if self._exchange is not None:
            self._exchange.close()
        if folder:  # hand this process's lemma cache to the parent (see collect_lemmas)
            after = cache_stats()
            new = new_readings()
            base = Path(folder) / f"{_LEMMAS_PREFIX}{os.getpid()}"
            if new:
                write_shard(base.with_suffix(".pickle"), new)
            base.with_suffix(".json").write_text(json.dumps(
                {"hits": after["hits"] - before["hits"],
                 "misses": after["misses"] - before["misses"], "words": len(new)}))

    def _process_file(self, filename, doc_count):
        """SubWriterTask._process_file, trading parsed words every EXCHANGE_DOCS documents."""
        writer, load, exchange = self.writer, pickle.load, self._exchange
        with writer.temp_storage().open_file(filename).raw_file() as f:
            for n in range(doc_count):
                code, args = load(f)
                assert code == 0
                if exchange is not None and n % EXCHANGE_DOCS == 0:
                    exchange.trade()
                writer.add_document(**args)
        writer.temp_storage().delete_file(filename)


class _OrphanSafeWriter(MpWriter):
    _feeding = False  # whether a job was put on the queue (its feeder thread started)

    def add_document(self, **fields):
        """MpWriter's, with a stems value that is the title and body joined sent as a mark
        (each document is pickled to a file the analysis process reads: half the bytes)."""
        if is_stems_text(fields.get("stems"), fields.get("title") or "", fields.get("body") or ""):
            fields["stems"] = STEMS_OF_TITLE_AND_BODY
        super().add_document(**fields)

    def cancel(self):
        """Stop the sub-writers for real before the caller removes their directory.

        Whoosh's own cancel only flips a flag on the parent's copy of each task, so the
        processes went on writing segment files into a directory being deleted.
        """
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
        for task in self.tasks:
            task.join(timeout=10)
        # nothing is left to read the job queue: its thread must not hold up the exit
        self.jobqueue.close()
        self.jobqueue.cancel_join_thread()
        SegmentWriter.cancel(self)

    def _enqueue(self):
        """MpWriter._enqueue: the batch pickled to a file whose name goes on the job queue,
        a sub-writer forked while there are fewer than `procs`; the put made safe."""
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _put(self, job) -> None:
        """Put a job on the queue.

        The first put starts the queue's feeder thread and registers its exit steps: a
        Ctrl-C raised between them left the exit waiting forever, so signals are held
        back there (the queue is empty: that put never waits). A later put waits while
        the queue is full; an interrupt breaks that wait, and a sub-writer that died (the
        OOM killer, a `kill` of the process group) ends it with RebuildFailed instead of
        a wait for ever.
        """
        if not self._feeding:
            with _signals_held():
                self.jobqueue.put(job)
            self._feeding = True
            return
        while True:
            try:
                self.jobqueue.put(job, timeout=PUT_CHECK_SECONDS)
                return
            except queue.Full:
                dead = [t.exitcode for t in self.tasks if not t.is_alive()]
                if dead:
                    raise RebuildFailed(f"процесс индексации завершился раньше времени (код "
                                        f"выхода {dead[0]}): {PREVIOUS_KEPT}"
                                        ) from None

    def _new_task(self):
        task = _OrphanSafeTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                               self.subargs, self.multisegment)
        task.daemon = True
        task.parent_pid = os.getpid()
        self.tasks.append(task)
        # A Ctrl-C handled while the fork runs its at-fork callbacks (logging's lock) is
        # lost as "Exception ignored" and can leave that lock held; it is handled after.
        with _signals_held():
            task.start()
        return task


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back for the block, then handled (raised) at its end."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_AROUND_FORK)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def parallel_writer(ix, procs: int, limitmb: int):
    """A writer that analyzes documents in `procs` processes, one segment each."""
    if procs <= 1:
        return CompactSegmentWriter(ix, limitmb=limitmb, codec=build_codec())
    return _OrphanSafeWriter(ix, procs=procs, batchsize=100, multisegment=True,
                             limitmb=limitmb, codec=build_codec())


def collect_lemmas(folder: Path) -> tuple[int, int, list[tuple[Path, int]]]:
    """Lemma-cache hits and misses of a rebuild's sub-writers, and the cache files of the
    words they parsed (search/lemma_cache.py shards: path, words), left for the caller to
    move out of the new generation's folder (LemmaCache.adopt)."""
    hits = misses = 0
    shards: list[tuple[Path, int]] = []
    for path in Path(folder).glob(f"{_LEMMAS_PREFIX}*.json"):
        try:
            data = json.loads(path.read_text())
            hits, misses = hits + int(data["hits"]), misses + int(data["misses"])
            shard = path.with_suffix(".pickle")
            if shard.is_file():
                shards.append((shard, int(data["words"])))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        path.unlink(missing_ok=True)
    for path in Path(folder).glob(f"{_LEMMAS_PREFIX}*{SUFFIX}"):  # word_exchange.py's
        path.unlink(missing_ok=True)
    listed = {path for path, _ in shards}
    for path in Path(folder).glob(f"{_LEMMAS_PREFIX}*.pickle"):
        if path not in listed:  # a process that did not finish its note
            path.unlink(missing_ok=True)
    return hits, misses, shards
