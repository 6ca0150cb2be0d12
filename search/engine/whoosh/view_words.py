"""The words an open index generation derives (search/engine/whoosh/view.py IndexView
mixes this in): the titles' vocabulary, the words with their frequencies and the spelling
lexicon, each renewed in a thread of its own after a write, one at a time per process."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from search.engine.whoosh import lexicon
from search.engine.whoosh.terms import WhooshTerms, load_vocabulary
from search.spelling import SpellingLexicon
from search.vocabulary import Vocabulary

__all__ = ["ViewWords"]

log = logging.getLogger("kartoteka")

RENEW_AFTER = 0.5  # seconds a thread renewing words waits: a write meanwhile makes it moot


class ViewWords:
    """The vocabulary, words and spelling of an IndexView, built on first use and renewed
    in threads after a write; the view's dataclass fields hold them."""

    @property
    def vocabulary(self) -> Vocabulary:
        """The titles' words for completions. After a write (a new commit of the same
        generation) the last commit's serve, over this searcher, while a thread builds
        this commit's (reading every title: 0.5 s on the real corpus, 13 s at 100,000,
        which the first suggestion after each PUT waited for, in every worker)."""
        if self._vocabulary is not None:
            return self._vocabulary
        if self._meanwhile is not None:  # the thread has not finished
            return self._meanwhile
        saved = Vocabulary.saved(self.path, self.stamp, WhooshTerms(self.searcher))
        if saved is not None:
            self._vocabulary = _frozen(saved)
        elif self.earlier_vocabulary is not None:
            self._meanwhile = self.earlier_vocabulary.over(WhooshTerms(self.searcher))
            self._refresh_vocabulary()
            return self._meanwhile
        else:
            self._vocabulary = _frozen(load_vocabulary(self.path, self.searcher, self.stamp))
        return self._vocabulary

    def settled_vocabulary(self) -> Vocabulary | None:
        """This view's vocabulary if built, else the one it serves meanwhile (for the view
        of the next commit)."""
        found = self._vocabulary or self.earlier_vocabulary
        return None if found is None else found.over(None)  # not this searcher's terms

    def _refresh_vocabulary(self) -> None:
        with self._refreshing:
            if self._refresh is not None:
                return
            self._refresh = threading.Thread(target=self._build_vocabulary, daemon=True,
                                             name="kartoteka-vocabulary")
        self._refresh.start()

    def _build_vocabulary(self) -> None:
        """In a thread, over a searcher of its own (a Whoosh searcher's files are not to be
        read from two threads at once)."""
        if self._still_wanted():
            _runner("vocabulary", self.path).run(self._renew_vocabulary)

    def _renew_vocabulary(self) -> None:
        if self.superseded:
            return
        try:
            searcher = self.index.searcher()
            try:
                built = load_vocabulary(self.path, searcher, self.stamp)
            finally:
                searcher.close()
            self._vocabulary = _frozen(built.over(WhooshTerms(self.searcher)))
        except Exception:  # noqa: BLE001 - the view was closed meanwhile (a newer write)
            log.debug("vocabulary not rebuilt for %s", self.path, exc_info=True)

    @property
    def words(self) -> dict[str, int]:
        """The index's words and their document frequencies (search/engine/whoosh/lexicon.py).
        Those of an earlier commit (a PUT's, or a worker that looked before an incremental
        run saved its own) serve while a thread builds this commit's."""
        if self._words is None:
            latest = _counted.get(self.path)
            found = (latest.stamp, latest.freqs) if latest is not None else \
                lexicon.saved(self.path)
            if found is not None and found[0] != self.stamp:
                self._words = _frozen(found[1])
                self._words_thread = threading.Thread(
                    target=self._build_words, daemon=True, name="kartoteka-words")
                self._words_thread.start()
            else:
                self._words = _frozen(found[1] if found is not None else
                                      lexicon.load_or_build(self.path, self.searcher,
                                                            self.stamp))
        return self._words

    def _build_words(self) -> None:
        """In a thread, over a searcher of its own: this commit's words, then the spelling
        lexicon made anew over them."""
        if self._still_wanted():
            _runner("words", self.path).run(self._renew_words)

    def _renew_words(self) -> None:
        if self.superseded:
            return
        try:
            searcher = self.index.searcher()
            try:
                earlier = _counted.get(self.path)  # the last counted in this process
                counted = (earlier is not None and lexicon.recounted(searcher, self.stamp, earlier)
                           or lexicon.counted(searcher, self.stamp))
            finally:
                searcher.close()
            _counted.clear()  # an earlier generation's are of no more use
            _counted[self.path] = counted
            if self.path is not None:  # for the other workers (a read-only one: no file)
                lexicon.save(self.path, counted.freqs, self.stamp)
            spelling = _spelling_over(self.searcher.reader(), counted.freqs,
                                      self.earlier_spelling)
            self._words, self._spelling = _frozen(counted.freqs), _frozen(spelling)
            self.words_renewed = True
        except Exception:  # noqa: BLE001 - the view was closed meanwhile (a newer write)
            log.debug("words not rebuilt for %s", self.path, exc_info=True)

    @property
    def spelling(self) -> SpellingLexicon:
        """The spelling lexicon over `words`. After a write, the last commit's serves (over
        this searcher) while a thread makes this one's: making it took the first search
        with a word to check after each PUT 0.4 s in every worker, on the real corpus."""
        if self._spelling is None:
            words = self.words
            if self.earlier_spelling is None:
                self._spelling = _frozen(SpellingLexicon(self.searcher.reader(), words))
            else:
                self._spelling = self.earlier_spelling.over(self.searcher.reader())
                if self._words_thread is None:  # else that thread makes it with the words
                    threading.Thread(target=self._build_spelling, args=(words,), daemon=True,
                                     name="kartoteka-spelling").start()
        return self._spelling

    def _build_spelling(self, words: dict[str, int]) -> None:
        if self._still_wanted():
            _runner("spelling", self.path).run(lambda: self._renew_spelling(words))

    def _renew_spelling(self, words: dict[str, int]) -> None:
        if self.superseded:
            return
        try:
            self._spelling = _frozen(_spelling_over(self.searcher.reader(), words,
                                                    self.earlier_spelling))
        except Exception:  # noqa: BLE001 - the view was closed meanwhile (a newer write)
            log.debug("spelling not rebuilt for %s", self.path, exc_info=True)

    def settled_spelling(self) -> SpellingLexicon | None:
        """The spelling lexicon this view serves, if it has one (for the next commit's)."""
        return self._spelling or self.earlier_spelling

    def _still_wanted(self) -> bool:
        """After RENEW_AFTER seconds: whether this view still serves. Each PUT makes a new
        view in every worker; under a run of PUTs, every one of them counted the index's
        words (0.6 s of CPU on the real corpus) for a view already replaced."""
        time.sleep(RENEW_AFTER)
        return not self.superseded


def _spelling_over(reader, words: dict[str, int],
                   earlier: SpellingLexicon | None) -> SpellingLexicon:
    """The spelling lexicon of `words`: the `earlier` one grown when it can be."""
    grown = earlier.grown(reader, words) if earlier is not None else None
    return grown or SpellingLexicon(reader, words)


def _frozen(value):
    """`value`, with every object alive now moved out of the garbage collector's sight.

    The vocabulary and the spelling lexicon are hundreds of thousands of long-lived
    strings and lists built on a worker's first suggestion or typo, after the index was
    opened and frozen (search/engine/whoosh/engine.py); unfrozen, every later full
    collection walked them, 27-54 ms in the middle of a request.
    """
    gc.freeze()
    return value


class _OneAtATime:
    """Runs jobs one at a time in this process, and of those waiting only the last one
    handed in (the newest commit's): each PUT's view in every worker counted the index's
    words in a thread of its own, 13 s of CPU each at 100,000 publications, a PUT every
    2 s several at once. A job handed in while one runs is left to the running thread."""

    def __init__(self) -> None:
        self._running = threading.Lock()
        self._guard = threading.Lock()
        self._next: Callable[[], None] | None = None

    def run(self, job: Callable[[], None]) -> None:
        with self._guard:
            self._next = job
        while self._running.acquire(blocking=False):
            try:
                while True:
                    with self._guard:
                        job, self._next = self._next, None
                    if job is None:
                        break
                    job()
            finally:
                self._running.release()
            with self._guard:  # handed in between the last look and the release
                if self._next is None:
                    return


# The words last counted in this process, per generation: a later commit's are counted
# from them (search/engine/whoosh/lexicon.py recounted), whichever view counted them (a
# view replaced before its count ended still leaves it to the next).
_counted: dict[Path | None, lexicon.Counted] = {}
_runners: dict[tuple[str, Path | None], _OneAtATime] = {}
_runners_guard = threading.Lock()


def _runner(kind: str, generation: Path | None) -> _OneAtATime:
    """The runner of one kind of renewal for one generation's views."""
    with _runners_guard:
        return _runners.setdefault((kind, generation), _OneAtATime())
