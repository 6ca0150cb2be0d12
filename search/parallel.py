"""Whoosh's multi-process writer, made safe to kill.

Whoosh's sub-writers wait on a queue for work; if the parent reindex is killed with
SIGKILL they would wait forever. Here each one asks Linux to kill it when its parent
dies (PR_SET_PDEATHSIG), so a killed reindex leaves no orphan processes behind.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

from whoosh.multiproc import MpWriter, SubWriterTask

__all__ = ["parallel_writer", "default_procs"]

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
