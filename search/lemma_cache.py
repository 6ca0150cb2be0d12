"""The words parsed by the last rebuild, kept on disk so that the next one starts warm.

pymorphy3 needs tens of microseconds for each new word form, and a library's
publications hold 100-200 thousand of them, parsed again in every indexing process:
about half of a cold rebuild's CPU time. A rebuild saves the readings of every word
form it met next to the index generations and loads them before its indexing
processes fork, so a nightly reindex only parses the words that are new.

The cache is one file, `lemma-cache.pickle`, and beside it the files a rebuild's
indexing processes wrote (`lemma-cache/*.pickle`, "shards"): each process saves the
words it parsed itself, and the rebuild moves those files in instead of reading and
writing them again in one process after the indexing (0.5 s of a 13 s rebuild of the
real corpus, when nothing else runs). Past MAX_SHARDS they are merged into the one file.
Each file is keyed by the pymorphy3 and dictionary versions and by READINGS_VERSION;
a file from other versions, or an unreadable one, is ignored (and then replaced).
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from importlib import metadata
from pathlib import Path

from search.analysis import clear_word_cache
from search.morph import RawReadings, preload_readings, stop_recording

__all__ = ["LemmaCache", "READINGS_VERSION", "MAX_WORDS", "MAX_SHARDS", "write_shard", "read_words"]

log = logging.getLogger(__name__)

READINGS_VERSION = 2  # bump when search.morph changes what a reading is
MAX_WORDS = 1_500_000  # a file above this many words is started afresh
FILE_NAME = "lemma-cache.pickle"
SHARDS_DIR = "lemma-cache"
MAX_SHARDS = 8  # more shard files than this are merged into FILE_NAME


def _versions() -> tuple:
    found = []
    for package in ("pymorphy3", "pymorphy3-dicts-ru"):
        try:
            found.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            found.append(None)
    return (READINGS_VERSION, *found)


def write_shard(path: Path, words: dict[str, RawReadings]) -> None:
    """Words with their readings as one cache file at `path` (written whole, then renamed)."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as fh:
            pickle.dump({"versions": _versions(), "words": words}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_words(path: Path) -> dict[str, RawReadings] | None:
    """A cache file's words; {} if it is missing, None if it is damaged or of other
    versions (to be removed)."""
    try:
        with path.open("rb") as fh:
            data = pickle.load(fh)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # noqa: BLE001 - a damaged cache is only a slower rebuild
        log.warning("кэш лемм %s не используется: %s", path, exc)
        return None
    if not isinstance(data, dict) or data.get("versions") != _versions():
        return None
    words = data.get("words")
    return words if isinstance(words, dict) else None


class LemmaCache:
    """The saved readings of one index location (`<index dir>/lemma-cache.pickle` and
    `<index dir>/lemma-cache/*.pickle`)."""

    def __init__(self, root: Path):
        self.path = Path(root) / FILE_NAME
        self.shards = Path(root) / SHARDS_DIR
        self.words: dict[str, RawReadings] = {}
        self._adopted: list[tuple[Path, int]] = []
        self._unusable: list[Path] = []  # damaged or of other versions: removed on save

    def _shard_files(self) -> list[Path]:
        return sorted(self.shards.glob("*.pickle")) if self.shards.is_dir() else []

    def load(self) -> int:
        """Preload the saved words into this process, and record new ones; how many it had."""
        self.words, self._unusable = {}, []
        for path in (self.path, *self._shard_files()):
            words = read_words(path)
            if words is None:
                self._unusable.append(path)
            else:
                self.words.update(words)
        preload_readings(self.words)
        clear_word_cache()  # its words must pass search.morph again to be recorded
        return len(self.words)

    def adopt(self, shards: list[tuple[Path, int]]) -> None:
        """Move in the shard files other processes wrote (path, words in it), before the
        folder they are in is published or removed."""
        try:
            self.shards.mkdir(exist_ok=True)
            stamp = f"{time.time_ns()}-{os.getpid()}"
            for i, (path, count) in enumerate(shards):
                moved = self.shards / f"{stamp}-{i}.pickle"
                os.replace(path, moved)
                self._adopted.append((moved, count))
        except OSError as exc:  # a full or read-only disk must not fail the rebuild itself
            log.warning("не удалось сохранить кэш лемм в %s: %s", self.shards, exc)
        finally:
            for path, _ in shards:
                path.unlink(missing_ok=True)

    def save(self, new: dict[str, RawReadings]) -> int:
        """Add `new` words beside the adopted shards: as one more shard, or with all of
        them merged into the one file past MAX_SHARDS; past MAX_WORDS the cache starts
        afresh from this rebuild's words. The number of words kept (at most: the shards
        may repeat words)."""
        stop_recording()
        adopted = {path for path, _ in self._adopted}
        added = len(new) + sum(count for _, count in self._adopted)
        try:
            for path in self._unusable:
                path.unlink(missing_ok=True)
            old = [path for path in self._shard_files() if path not in adopted]
            if len(self.words) + added > MAX_WORDS:
                self.words = {}
                for path in (self.path, *old):
                    path.unlink(missing_ok=True)
                old = []
            if len(old) + len(adopted) + 1 > MAX_SHARDS:
                for path in sorted(adopted):
                    self.words.update(read_words(path) or {})
                self.words.update(new)
                write_shard(self.path, self.words)
                for path in (*old, *adopted):
                    path.unlink(missing_ok=True)
                return len(self.words)
            if new:
                self.shards.mkdir(exist_ok=True)
                write_shard(self.shards / f"{time.time_ns()}-{os.getpid()}-own.pickle", new)
        except OSError as exc:  # a full or read-only disk must not fail the rebuild itself
            log.warning("не удалось сохранить кэш лемм %s: %s", self.path, exc)
            return 0
        finally:
            self._adopted = []
        return len(self.words) + added
