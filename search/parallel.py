"""Whoosh's multi-process writer, made safe to kill.

Whoosh's sub-writers wait on a queue for work; if the parent reindex is killed with
SIGKILL they would wait forever. Here each one asks Linux to kill it when its parent
dies (PR_SET_PDEATHSIG), so a killed reindex leaves no orphan processes behind.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path

from whoosh.multiproc import MpWriter, SubWriterTask

from search.morph import cache_stats

__all__ = ["parallel_writer", "default_procs", "collect_lemma_stats"]
_STATS_PREFIX = ".lemma-stats-"

_PR_SET_PDEATHSIG = 1


def default_procs() -> int:
    """Processes for a rebuild: the cores this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


class _OrphanSafeTask(SubWriterTask):
    def run(self):
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            except (OSError, AttributeError):
                pass
        super().run()
        folder = getattr(self.storage, "folder", None)
        if folder:  # report this process's lemma cache to the parent (see collect_lemma_stats)
            stats = cache_stats()
            path = Path(folder) / f"{_STATS_PREFIX}{os.getpid()}.json"
            path.write_text(json.dumps({"hits": stats["hits"], "misses": stats["misses"]}))


class _OrphanSafeWriter(MpWriter):
    def _new_task(self):
        task = _OrphanSafeTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                               self.subargs, self.multisegment)
        task.daemon = True
        self.tasks.append(task)
        task.start()
        return task


def parallel_writer(ix, procs: int, limitmb: int):
    """A writer that analyzes documents in `procs` processes, one segment each."""
    if procs <= 1:
        return ix.writer(limitmb=limitmb)
    return _OrphanSafeWriter(ix, procs=procs, batchsize=100, multisegment=True,
                             limitmb=limitmb)


def collect_lemma_stats(folder: Path) -> tuple[int, int]:
    """Lemma-cache (hits, misses) summed over the sub-writers of a rebuild; files removed."""
    hits = misses = 0
    for path in Path(folder).glob(f"{_STATS_PREFIX}*.json"):
        try:
            data = json.loads(path.read_text())
            hits, misses = hits + int(data["hits"]), misses + int(data["misses"])
        except (OSError, ValueError, KeyError):
            pass
        path.unlink(missing_ok=True)
    return hits, misses
