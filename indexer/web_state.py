"""What an incremental crawl remembers between runs: `web-state.json` next to the index.

Per address: the publication id, ETag and Last-Modified (for conditional requests), the
sitemap/feed lastmod, the site, for an attachment the page linking to it, and on a site
crawled by its links the pages a page links to (its answer 304 Not Modified says nothing
of them). Beside the pages, the addresses reported as answering 404/410 or as moved
for good (301/308) and why: a nightly run tells of each once. A run starts
from the old entries and writes new ones; entries of sites it could not crawl are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from indexer.fetching import conditional_headers

__all__ = ["STATE_FILE", "WebState", "load_state", "save_state", "OTHER_SITE", "READ_ALREADY"]

STATE_FILE = "web-state.json"
# The lasting reasons of a permanent redirect (`reported`), with the address it leads to.
OTHER_SITE = "перенаправляет на другой сайт ({})"
READ_ALREADY = "перенаправляет на {}, уже прочитанную страницу"
# The same reasons as the version before the Russian words saved them: a state file written
# by it still tells each address once, not once more after the upgrade.
_ENGLISH = ((re.compile(r"redirects to another site \((.*)\)", re.DOTALL), OTHER_SITE),
            (re.compile(r"redirects to (.*), a page already read", re.DOTALL), READ_ALREADY))


def _current(reason: str) -> str:
    """A reported reason in this version's words."""
    for english, said in _ENGLISH:
        if found := english.fullmatch(reason):
            return said.format(found[1])
    return reason


class WebState:
    """The old entries of the last run and the new ones of this run, by address.

    Not locked: the crawl calls it under its own lock.
    """

    def __init__(self, state: dict, incremental: bool):
        self.previous: dict[str, dict] = state.get("pages", {})  # what the last run saved
        self.old: dict[str, dict] = self.previous if incremental else {}
        self.new: dict[str, dict] = {}
        self.reported: dict[str, str] = {
            url: _current(reason) for url, reason in state.get("reported", {}).items()
            if isinstance(reason, str)} if incremental else {}
        self.reported_now: dict[str, str] = {}

    def first_report(self, url: str, reason: str) -> bool:
        """Whether a lasting problem of an address (a 404, a permanent redirect) is new
        since the last run; remembered for the next one either way."""
        self.reported_now[url] = reason
        return self.reported.get(url) != reason

    def conditional_headers(self, url: str) -> dict:
        return conditional_headers(self.old.get(url))

    def attachment_headers(self, url: str, parent: str) -> dict:
        """An attachment now linked from another page (its page moved) is asked for
        whole, to be indexed again under that page."""
        old = self.old.get(url)
        return conditional_headers(old) if old and old.get("parent") == parent else {}

    def indexed_ids(self) -> set[str]:
        """The ids this run's entries stand for: indexed or kept."""
        return {entry["id"] for entry in self.new.values() if "id" in entry}

    def unchanged(self, url: str, lastmod: str | None) -> bool:
        """A page whose sitemap/feed date is the one seen last time: not asked for again."""
        old = self.old.get(url)
        return bool(old and lastmod and old.get("lastmod") == lastmod and "parent" not in old)

    def pages_of(self, origin: str) -> list[str]:
        """The pages (not attachments) of a site indexed last time."""
        return [url for url, entry in self.old.items()
                if entry.get("site") == origin and "parent" not in entry]

    def keep(self, url: str, lastmod: str | None = None) -> list[str]:
        """Keep an unchanged page's entry and those of its attachments (returned)."""
        self.new[url] = dict(self.old[url], lastmod=lastmod or self.old[url].get("lastmod"))
        kept = []
        for aurl, entry in self.old.items():
            if entry.get("parent") == url:
                self.new[aurl] = entry
                kept.append(aurl)
        return kept

    def remember_links(self, url: str, links: list[str], menu: set[str]) -> None:
        """The site's pages a publication links to (and which of them only in its menus),
        for when it answers 304."""
        if url in self.new:
            self.new[url]["links"] = links
            self.new[url]["menu"] = sorted(menu)

    def remember_level(self, url: str, level: int) -> None:
        """How many links from the start this run reached `url` (a site crawled by links):
        an incremental run asks the page again at that level, not at the first. From the
        first level, each night had gone --depth further into an endless calendar."""
        if url in self.new:
            self.new[url]["level"] = level

    def level_of(self, url: str) -> int:
        """The level the last run reached `url` at (1 when it did not say)."""
        level = self.old.get(url, {}).get("level")
        return level if isinstance(level, int) and level >= 1 else 1

    def links_of(self, url: str) -> tuple[list[str], set[str]]:
        entry = self.old.get(url, {})
        return list(entry.get("links", [])), set(entry.get("menu", []))

    def forget(self, url: str) -> list[str]:
        """A page that is gone: the ids of it and of its attachments."""
        ids = [self.old[url]["id"]] + [e["id"] for e in self.old.values()
                                      if e.get("parent") == url]
        self.new.pop(url, None)
        return ids

    def dropped_attachments(self, url: str, linked: list[str]) -> list[str]:
        """Ids of the attachments a page linked to last time and links to no more."""
        return [entry["id"] for aurl, entry in self.old.items()
                if entry.get("parent") == url and aurl not in linked]

    def to_dict(self, crawled_hosts: set[str], failed_hosts: Collection[str] = (),
                kept_urls: Collection[str] = ()) -> dict:
        """The state to save: this run's entries; the old ones of the sites it did not
        crawl (an incremental run), and the last run's of the sites that failed and of
        the `kept_urls` (their pages are kept in the index, asked for conditionally next
        time)."""
        def other(url: str) -> bool:
            return urlsplit(url).netloc not in crawled_hosts

        kept = {u: e for u, e in self.old.items() if other(u)}
        kept |= {u: e for u, e in self.previous.items() if urlsplit(u).netloc in failed_hosts}
        kept |= {u: self.previous[u] for u in kept_urls if u in self.previous}
        reported = {u: r for u, r in self.reported.items() if other(u)} | self.reported_now
        state = {"version": 1, "pages": {**kept, **self.new}}
        return state | {"reported": reported} if reported else state

    def unreached(self, hosts: set[str]) -> list[str]:
        """The last run's addresses on these hosts that this run neither indexed nor kept
        nor found gone (404, moved): on a site where a page did not answer, those a list
        of news that did not answer leads to."""
        return [url for url in self.on_hosts(hosts)
                if url not in self.new and url not in self.reported_now]

    def ids_of(self, urls: Iterable[str]) -> list[str]:
        """The ids the last run indexed these pages and attachments under."""
        return [self.previous[url]["id"] for url in urls if "id" in self.previous.get(url, {})]

    def on_hosts(self, hosts: set[str]) -> list[str]:
        """The last run's addresses on these hosts."""
        return [url for url in self.previous if urlsplit(url).netloc in hosts]


def load_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("version") == 1 else {}


def save_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
