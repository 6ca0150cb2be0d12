"""The words parsed by the last rebuild, kept on disk so that the next one starts warm.

pymorphy3 needs tens of microseconds for each new word form, and a library's
publications hold 100-200 thousand of them, parsed again in every indexing process:
about half of a cold rebuild's CPU time. A rebuild saves the readings of every word
form it met next to the index generations and loads them before its indexing
processes fork, so a nightly reindex only parses the words that are new.

The file is keyed by the pymorphy3 and dictionary versions and by READINGS_VERSION;
a file from other versions, or an unreadable one, is ignored (and then replaced).
"""

from __future__ import annotations

import logging
import os
import pickle
from importlib import metadata
from pathlib import Path

from search.analysis import clear_word_cache
from search.morph import RawReadings, preload_readings, stop_recording

__all__ = ["LemmaCache", "READINGS_VERSION", "MAX_WORDS"]

log = logging.getLogger(__name__)

READINGS_VERSION = 1  # bump when search.morph changes what a reading is
MAX_WORDS = 1_500_000  # a file above this many words is started afresh
FILE_NAME = "lemma-cache.pickle"


def _versions() -> tuple:
    found = []
    for package in ("pymorphy3", "pymorphy3-dicts-ru"):
        try:
            found.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            found.append(None)
    return (READINGS_VERSION, *found)


class LemmaCache:
    """The saved readings of one index location (`<index dir>/lemma-cache.pickle`)."""

    def __init__(self, root: Path):
        self.path = Path(root) / FILE_NAME
        self.words: dict[str, RawReadings] = {}

    def load(self) -> int:
        """Preload the file's words into this process, and record new ones; how many it had."""
        self.words = self._read()
        preload_readings(self.words)
        clear_word_cache()  # its words must pass search.morph again to be recorded
        return len(self.words)

    def _read(self) -> dict[str, RawReadings]:
        try:
            with self.path.open("rb") as fh:
                data = pickle.load(fh)
        except FileNotFoundError:
            return {}
        except Exception as exc:  # noqa: BLE001 - a damaged cache is only a slower rebuild
            log.warning("ignoring the lemma cache %s: %s", self.path, exc)
            return {}
        if not isinstance(data, dict) or data.get("versions") != _versions():
            return {}
        words = data.get("words")
        return words if isinstance(words, dict) else {}

    def save(self, new: dict[str, RawReadings]) -> int:
        """Add `new` words and write the file atomically; the number of words saved."""
        stop_recording()
        if len(self.words) + len(new) > MAX_WORDS:
            self.words = {}
        self.words.update(new)
        tmp = self.path.with_name(f"{FILE_NAME}.tmp-{os.getpid()}")
        try:
            with tmp.open("wb") as fh:
                pickle.dump({"versions": _versions(), "words": self.words}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError as exc:  # a full or read-only disk must not fail the rebuild itself
            log.warning("could not save the lemma cache %s: %s", self.path, exc)
            tmp.unlink(missing_ok=True)
            return 0
        return len(self.words)
