"""The library each source names, remembered from the run that named it.

A regional portal indexes several libraries' exports into one index: one `--incremental
--library NAME` run per export names them. The nightly full run over all of them
(`reindex exp/a exp/b exp/c`) then had no name to give, and every night the search
page's «Библиотека» filter emptied. A `--library NAME` is now remembered for the sources
of its run (`libraries.json` beside the index), and a later run without one names what
it reads from them the same way; a record's own `library` field still wins.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from search.models import Publication
from search.source_paths import file_of, within

__all__ = ["SourceLibraries"]

LIBRARIES_FILE = "libraries.json"


class SourceLibraries:
    def __init__(self, state_dir: Path, given: str | None, sources: list[Path],
                 urls: list[str]):
        self.path = Path(state_dir) / LIBRARIES_FILE
        self.given = given
        self.named: dict[str, str] = _load(self.path)
        if given:
            self.named.update({_path_key(s): given for s in sources})
            self.named.update({_site_key(u): given for u in urls})
        self._files: dict[str, str | None] = {}  # a source file -> its library

    def name(self, pub: Publication) -> Publication:
        """`pub` with its source's library when it names none of its own."""
        if pub.library:
            return pub
        library = self.given or self._remembered(pub)
        return replace(pub, library=library) if library else pub

    def _remembered(self, pub: Publication) -> str | None:
        if not self.named:
            return None
        source = pub.source or ""
        if source.startswith(("http://", "https://")):  # a crawled page: its site's
            return self.named.get(_site_key(source))
        file = file_of(source)
        if not file:
            return None
        if file not in self._files:
            key = _path_key(Path(file))
            self._files[file] = next((self.named[k] for k in sorted(self.named, key=len,
                                                                      reverse=True)
                                      if within(key, k)), None)
        return self._files[file]

    def save(self) -> None:
        """Keep what this run was told (only a run given `--library` changes anything)."""
        if not self.given:
            return
        tmp = self.path.with_name(f".{LIBRARIES_FILE}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(self.named, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:  # the run's own writes say more
            tmp.unlink(missing_ok=True)


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def _path_key(path: Path) -> str:
    return str(path.resolve())


def _site_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"
