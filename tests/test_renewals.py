"""After each write a worker renews the index's words, spelling and completions in a
thread; at most one such renewal of a kind runs at a time, and of those waiting only the
newest commit's (search/engine/whoosh/view.py)."""

from __future__ import annotations

import threading

from search.engine.whoosh.view import _OneAtATime


def test_one_renewal_at_a_time_and_only_the_newest_waiting_one():
    runner = _OneAtATime()
    started = threading.Event()
    release = threading.Event()
    ran: list[str] = []
    running = []

    def job(name: str, block: bool = False):
        def run():
            running.append(name)
            assert len(running) == 1, running  # never two at once
            started.set()
            if block:
                release.wait(10)
            ran.append(name)
            running.remove(name)
        return run

    first = threading.Thread(target=runner.run, args=(job("first", block=True),))
    first.start()
    assert started.wait(10)
    for name in ("second", "third", "fourth"):  # handed in while the first runs
        runner.run(job(name))  # returns at once: the running thread takes it
    assert ran == []
    release.set()
    first.join(10)
    assert ran == ["first", "fourth"]
    runner.run(job("fifth"))  # nothing runs: this thread runs it
    assert ran == ["first", "fourth", "fifth"]


def test_a_job_handed_in_as_the_runner_finishes_is_not_lost():
    runner = _OneAtATime()
    ran = []
    for n in range(200):
        threads = [threading.Thread(target=runner.run, args=(lambda n=n, k=k: ran.append((n, k)),))
                   for k in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert ran and ran[-1][0] == n  # a job of this round ran after every earlier one
