"""After each write a worker renews the index's words, spelling and completions in a
thread; at most one such renewal of a kind runs at a time, and of those waiting only the
newest commit's (search/engine/whoosh/view.py)."""

from __future__ import annotations

import threading

from search.engine.whoosh.view_words import _OneAtATime


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


def test_words_counted_from_the_last_commit_equal_words_counted_anew(fresh_index):
    """A PUT's commit counts its new segments and takes off those merged away, from the
    last commit's words (search/engine/whoosh/lexicon.py recounted): the same words and
    frequencies as reading every segment, through a run of PUTs, updates, deletions and
    the merges Whoosh makes of them."""
    from search.engine.whoosh import lexicon
    from search.engine.whoosh.engine import WhooshEngine
    from search.models import Publication

    engine = WhooshEngine(fresh_index)
    view = engine.view()
    last = lexicon.counted(view.searcher, view.stamp)
    recounts = 0
    for n in range(14):
        pid = f"renew-{n % 5}"  # a third of them update one already put
        engine.upsert([Publication(pid, f"Выставка квазарная {n}",
                                   f"Слово плюмбагин{n} и книжная выставка в зале.")])
        if n % 4 == 3:
            engine.delete([f"renew-{n % 5}"])
        view = engine.view()
        again = lexicon.recounted(view.searcher, view.stamp, last)
        fresh = lexicon.counted(view.searcher, view.stamp)
        if again is not None:
            recounts += 1
            assert again.freqs == fresh.freqs == lexicon.build(view.searcher), n
            assert again.segments.keys() == fresh.segments.keys()
        last = again or fresh
    assert recounts >= 10 and last.freqs["квазарный"] >= 1
    engine.close()


def test_a_grown_spelling_lexicon_finds_what_one_made_anew_finds():
    """After a PUT the lexicon grows from the last one (search/spelling.py grown): the
    same near words, names and frequencies as a lexicon made over the new words."""
    from search.morph import NAME_MARK
    from search.spelling import SpellingLexicon

    before = {"выставка": 5, "выставки": 1, "библиотека": 9, "читатель": 4,
              NAME_MARK + "вершинин": 2}
    after = {**before, "выставка": 6, "выстрел": 1, "библиотекарь": 2,
             NAME_MARK + "вершинина": 1}
    grown = SpellingLexicon(None, before).grown(None, after)
    anew = SpellingLexicon(None, after)
    assert grown is not None and grown.names == anew.names
    for probe in ("выставко", "выстрел", "библиотекр", "читатль", "выстовка"):
        assert sorted(grown.near(probe, 2)) == sorted(anew.near(probe, 2)), probe
    assert sorted(grown.near("вершинна", 2, names=True)) == sorted(
        anew.near("вершинна", 2, names=True))
    assert grown.frequency("выставка") == 6 and grown.has_prefix("библиотекар")
    assert SpellingLexicon(None, after).grown(None, before) is None  # words gone: anew
