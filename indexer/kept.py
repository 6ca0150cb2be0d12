"""What a full run keeps, as the last index had it, of sources it could not read this time.

A nightly full reindex rebuilds everything from its sources; a page that answered 503 for
a minute, or an export file that came empty (its export job failed), then lost its
publications with exit 0, under the one-fifth guard. An incremental run already keeps
what such sources gave; a full run now does the same, and says so.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from indexer import web
from search.errors import IndexMissing, SchemaMismatch
from search.models import Publication

__all__ = ["KeptVersions"]

KEPT = "оставлено как в прошлом индексе:"  # the summary's line for each kind


class KeptVersions:
    """The indexed publications of what this run could not read, counted for the summary."""

    def __init__(self, engine):
        self.engine = engine
        self.pages: list[str] = []  # pages that did not answer
        self.from_files: list[str] = []  # ids of publications of files not read
        self.from_sites: list[str] = []  # ids of publications of sites not read
        self.not_reached: list[str] = []  # ids of pages behind a page that did not answer

    def of_pages(self, urls: list[str]) -> Iterator[Publication]:
        for url in urls:
            try:
                pub = self.engine.get(web.url_id(url))
            except (IndexMissing, SchemaMismatch):  # no index before, or one not readable
                return
            if pub is not None:
                self.pages.append(url)
                yield pub

    def of_sites(self, ids: list[str], seen: Collection[str]) -> Iterator[Publication]:
        """The indexed pages and attachments of sites that could not be read this run
        (down, every page failing), which the last run crawled: the other sites of a
        nightly full run are refreshed, and these kept. (The run still ends in an error.)"""
        yield from self._by_id(ids, seen, self.from_sites)

    def unreached(self, ids: list[str], seen: Collection[str]) -> Iterator[Publication]:
        """The indexed pages of a site this run did not reach because a page (a list of
        news, an archive page) did not answer: dropped with exit 0 before."""
        yield from self._by_id(ids, seen, self.not_reached)

    def _by_id(self, ids: list[str], seen: Collection[str],
               counted: list[str]) -> Iterator[Publication]:
        yielded = {web.url_id(url) for url in self.pages} | set(self.from_sites) | set(
            self.not_reached)
        for pid in ids:
            if pid in seen or pid in yielded:
                continue
            try:
                pub = self.engine.get(pid)
            except (IndexMissing, SchemaMismatch):
                return
            if pub is not None:
                counted.append(pid)
                yield pub

    def of_files(self, files: Collection[str], seen: Collection[str]) -> Iterator[Publication]:
        """The indexed publications of files that gave nothing this run (empty, not
        readable, every line bad), skipping ids this run read elsewhere: a record moved to
        another file is that file's now. (A file that gave some records is read as it is:
        a bad line's record is reported and not kept, as a full run always did.)"""
        if not files:
            return
        try:
            found = self.engine.of_files(files)
        except (IndexMissing, SchemaMismatch):
            return
        for pub in found:
            if pub.id not in seen:
                self.from_files.append(pub.id)
                yield pub

    def report(self) -> None:
        if self.pages:
            print(f"  {KEPT} {len(self.pages)} (их страницы в этот раз не ответили)")
        if self.from_files:
            print(f"  {KEPT} {len(self.from_files)} (их файлы в этот раз не прочитались)")
        if self.not_reached:
            print(f"  {KEPT} {len(self.not_reached)} (до них не дошли: страница со списком в "
                  "этот раз не ответила)")
        if self.from_sites:
            print(f"  {KEPT} {len(self.from_sites)} (их сайты в этот раз не прочитались)")
