"""The `kartoteka` command's entry point (and `python -m indexer`'s).

Importing the indexer and the search core takes about half a second (numpy, pymorphy3's
dictionaries). A Ctrl-C in that time printed a traceback from deep inside an import and
ended the process by the signal itself; now it ends with the one line and exit 130 that
a Ctrl-C later gives (indexer/cli.py), and the index was not touched yet.
"""

from __future__ import annotations

import os
import signal
import sys

__all__ = ["run"]

EXIT_INTERRUPTED = 130


def _interrupted_while_starting(_signum, _frame) -> None:
    print("прервано до начала работы: ничего не сделано", file=sys.stderr)
    raise SystemExit(EXIT_INTERRUPTED)


def run() -> int:
    # numpy's BLAS threads do nothing here (no matrix products) but take memory: under a
    # memory limit their start failed and the run ended as if interrupted (an admin's trial)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    try:
        from indexer.cli import main  # the slow imports
    except MemoryError:
        print("error: не хватило памяти при запуске: ничего не сделано", file=sys.stderr)
        return 1
    signal.signal(signal.SIGINT, signal.default_int_handler)  # main() handles a Ctrl-C
    return main()
