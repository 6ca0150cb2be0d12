"""Our analysis of publications, in several processes during a rebuild.

OpenSearch analyzes nothing here (documents.py sends lemma token strings), so a
rebuild's time is mostly pymorphy3 in this process: `procs` worker processes share it,
as the Whoosh engine's parallel writer does. The source is read in this process, ahead
of the workers, so its errors and Ctrl-C surface here, where the rebuild can clean up;
the workers ignore SIGINT and are killed at the end.

Not multiprocessing.Pool: its workers share one task queue, and a worker waiting on it
holds its lock. A SIGTERM to the whole process group (`systemctl stop`) ended such a
worker holding the lock, and Pool.terminate then waited for that lock for ever: the
reindex hung instead of stopping. Here each worker has a task queue of its own and a
pipe for its results; nothing the parent waits on can be held by a dead worker, and a
worker that died (the OOM killer) fails the rebuild instead of hanging it.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from search.engine.opensearch.documents import Analyzed, analyze
from search.errors import PREVIOUS_KEPT, RebuildFailed
from search.models import Publication

__all__ = ["analyzed", "CHUNK", "AHEAD"]

CHUNK = 32  # publications a worker is handed at a time: small, for an even share
AHEAD = 512  # publications in the workers' hands while this process sends a bulk request


def _work(tasks, results) -> None:
    """A worker: analyze each chunk from `tasks`, send its analyses (or its error) back."""
    # the parent's handlers came with the fork: a Ctrl-C is the parent's to handle, and
    # a SIGTERM (to the process group) ends the worker at once
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        chunk = tasks.get()
        if chunk is None:
            return
        try:
            results.send(("ok", [analyze(pub) for pub in chunk]))
        except Exception as exc:  # noqa: BLE001 - said in the parent, which stops
            results.send(("error", f"{type(exc).__name__}: {exc}"))


class _Workers:
    """`procs` forked workers, each with its own task queue and result pipe."""

    def __init__(self, procs: int):
        ctx = multiprocessing.get_context("fork")
        self.tasks, self.results, self.procs = [], [], []
        for _ in range(procs):
            tasks = ctx.Queue()
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_work, args=(tasks, send), daemon=True)
            proc.start()
            send.close()  # only the worker's end is left open: its death is an EOF here
            self.tasks.append(tasks)
            self.results.append(receive)
            self.procs.append(proc)

    def put(self, worker: int, chunk: list[Publication]) -> None:
        self.tasks[worker].put(chunk)

    def get(self, worker: int) -> list[Analyzed]:
        try:
            kind, value = self.results[worker].recv()
        except EOFError:
            self.procs[worker].join(timeout=5)
            raise RebuildFailed(f"процесс анализа завершился раньше времени (код выхода "
                                f"{self.procs[worker].exitcode}): {PREVIOUS_KEPT}"
                                ) from None
        if kind == "error":
            raise RebuildFailed(f"анализ текста не удался: {value}")
        return value

    def close(self) -> None:
        for proc in self.procs:
            proc.kill()
        for proc in self.procs:
            proc.join()
        for tasks in self.tasks:
            tasks.cancel_join_thread()  # nothing will read what is left in it
            tasks.close()
        for receive in self.results:
            receive.close()


def analyzed(publications: Iterable[Publication],
             procs: int) -> Iterator[tuple[Publication, Analyzed]]:
    """Each publication with its analysis, in the order given."""
    if procs <= 1:
        for pub in publications:
            yield pub, analyze(pub)
        return
    source = iter(publications)
    workers = _Workers(procs)
    try:
        handed: deque[tuple[int, list[Publication]]] = deque()
        sent = 0

        def hand_out() -> None:
            nonlocal sent
            while len(handed) * CHUNK < AHEAD:
                chunk = list(islice(source, CHUNK))
                if not chunk:
                    return
                worker = sent % procs  # each worker's chunks come back in the order sent
                workers.put(worker, chunk)
                handed.append((worker, chunk))
                sent += 1

        hand_out()
        while handed:
            worker, chunk = handed.popleft()
            analyses = workers.get(worker)
            hand_out()  # the workers go on while the caller uses these
            yield from zip(chunk, analyses, strict=True)
    finally:
        workers.close()
