"""Our analysis of publications, in several processes during a rebuild.

OpenSearch analyzes nothing here (documents.py sends lemma token strings), so a
rebuild's time is mostly pymorphy3 in this process: `procs` worker processes share it,
as the Whoosh engine's parallel writer does. The source is read in this process, a
batch ahead of the workers, so its errors and Ctrl-C surface here, where the rebuild can
clean up; the workers ignore SIGINT and are terminated with the pool.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterable, Iterator
from itertools import islice

from search.engine.opensearch.documents import Analyzed, analyze
from search.models import Publication

__all__ = ["analyzed", "BATCH"]

BATCH = 256  # publications handed to the workers at a time


def _ignore_sigint() -> None:
    """A Ctrl-C is the parent's to handle; a SIGTERM (the pool's terminate) ends a worker
    as it always did, whatever handler the parent had when it forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def analyzed(publications: Iterable[Publication],
             procs: int) -> Iterator[tuple[Publication, Analyzed]]:
    """Each publication with its analysis, in the order given."""
    if procs <= 1:
        for pub in publications:
            yield pub, analyze(pub)
        return
    pool = multiprocessing.get_context("fork").Pool(procs, initializer=_ignore_sigint)
    try:
        source = iter(publications)
        pending = None
        while True:
            batch = list(islice(source, BATCH))
            ahead = pool.map_async(analyze, batch, chunksize=max(1, BATCH // (4 * procs)))
            if pending is not None:
                yield from zip(pending[0], pending[1].get(), strict=True)
            if not batch:
                return
            pending = (batch, ahead)
    finally:
        pool.terminate()
        pool.join()
