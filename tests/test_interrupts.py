"""A Ctrl-C swallowed where Python ignores exceptions still stops a rebuild."""

from __future__ import annotations

import signal

import pytest

from search.interrupts import interrupt_flag


def _swallowing_call() -> None:
    """Like logging's at-fork handler: an exception raised in here goes nowhere."""
    try:
        signal.raise_signal(signal.SIGINT)  # to this thread (os.kill may land in another)
        for _ in range(1000):  # give the interpreter a chance to run the handler
            pass
    except KeyboardInterrupt:
        pass


@pytest.fixture
def default_sigint():
    """Python's own SIGINT handling, whatever an earlier test in this worker left."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def test_interrupt_lost_in_an_ignoring_callback_is_still_seen(default_sigint):
    with interrupt_flag() as interrupted:
        _swallowing_call()
        assert interrupted.raised
        with pytest.raises(KeyboardInterrupt):
            interrupted.check()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_no_interrupt_no_raise():
    with interrupt_flag() as interrupted:
        interrupted.check()
    assert not interrupted.raised


def test_a_ctrl_c_while_the_command_starts_is_one_line_and_exit_130(tmp_path):
    """Importing takes about half a second: a Ctrl-C then printed a traceback from inside
    numpy and ended the process by the signal (an admin's trial, at 0.15 s)."""
    import os
    import subprocess
    import sys
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "--index-dir",
                             str(tmp_path / "ix"), "reindex", "--sample"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(0.2)  # past Python's own start (~40 ms), within the imports (~450 ms)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Traceback" not in err, err
    assert err.strip() == "прервано до начала работы: ничего не сделано", err
    assert not (tmp_path / "ix" / "CURRENT").exists()
