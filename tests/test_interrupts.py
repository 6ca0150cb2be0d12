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
