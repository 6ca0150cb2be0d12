"""A library's website as a source: discover publication pages, fetch them politely,
extract them like local pages, and follow their PDF/DOCX/ODT attachments.

This module runs a crawl; the jobs it combines live apart: which addresses are
publications and may be fetched (indexer/discovery.py: robots.txt, sitemaps, feeds,
links), how they are fetched (indexer/fetching.py: delay, concurrency, retries, conditional
requests) and what an incremental run remembers (indexer/web_state.py: web-state.json).

Incremental runs skip entries whose lastmod did not change, send conditional requests for
the rest, and report pages answering 404/410 as gone. Ids are `url-<sha1 16>` of the
address (the address itself is kept in `url`), the same ids the WordPress imports use.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from indexer.addresses import clean_url
from indexer.attachments import DOCUMENT_SUFFIXES, publication_from_document, sniff_document
from indexer.cli_support import SKIPPED
from indexer.cms import url_id
from indexer.discovery import (
    ASSET_SUFFIXES,
    ROBOTS,
    Discovery,
    links,
    refresh_target,
    same_host,
    suffix,
)
from indexer.extract import extract_parts
from indexer.fetching import USER_AGENT, Answer, CrawlOptions, Fetcher, FetchError
from indexer.html_page import nesting_problem
from indexer.site_run import run_site
from indexer.web_state import (
    OTHER_SITE,
    READ_ALREADY,
    STATE_FILE,
    WebState,
    load_state,
    save_state,
)
from search.errors import ExtractError, InvalidRecord
from search.models import Publication

# The public names of the web source, wherever they are defined.
__all__ = ["USER_AGENT", "CrawlOptions", "CrawlResult", "crawl", "load_state",
           "save_state", "STATE_FILE", "url_id"]

log = logging.getLogger("kartoteka")


@dataclass(frozen=True)
class Fetched:
    """What one page gave: its publication, its attachments' and its pages' addresses."""

    parent: Publication | None = None
    attachments: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # those of its content first
    menu: set[str] = field(default_factory=set)  # links found only in its menus
    no_text: str | None = None  # why a page that answered gave no publication


@dataclass
class CrawlResult:
    publications: list[Publication] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)          # ids to remove
    unanswered: list[str] = field(default_factory=list)    # pages with no answer this run
    failed_sites: list[tuple[str, str]] = field(default_factory=list)
    failed_site_ids: list[str] = field(default_factory=list)  # what the last run had of them
    unreached_ids: list[str] = field(default_factory=list)  # not reached past a page down
    unchanged: int = 0
    not_visited: dict[str, int] = field(default_factory=dict)  # by limit: «--depth 5»
    requests: int = 0
    fetched: int = 0
    seconds: float = 0.0
    state: dict = field(default_factory=dict)

    @property
    def pages_per_second(self) -> float:
        return self.fetched / self.seconds if self.seconds else 0.0


class _Crawl:
    def __init__(self, options: CrawlOptions, state: dict, topics=None,
                 on_item: Callable[[], None] | None = None):
        self.options = options
        self.state = WebState(state, options.incremental)
        self.result = CrawlResult()
        self.topics = topics
        self.on_item = on_item
        self.fetcher = Fetcher(options)
        self.discovery = Discovery(self.fetcher, options.delay, self.skip)
        self.lock = threading.Lock()
        self.attachments_seen: set[str] = set()
        self.pages_seen: set[str] = set()  # the addresses pages ended at (after redirects)

    def allowed(self, url: str) -> bool:
        return self.discovery.allowed(url)

    def safely(self, work: Callable, url: str, *args):
        """Run one page or attachment job; an unexpected failure skips it, not the crawl."""
        try:
            return work(url, *args)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the site
            log.exception("сбой на %s", url)
            self.skip(url, f"сбой: {type(exc).__name__}")
            return None

    def skip(self, where: str, reason: str, lasting: bool = False) -> None:
        """Report an address passed over; a `lasting` reason (a 404, a permanent redirect)
        is told once over incremental runs, and counted in the summary of each."""
        with self.lock:
            self.result.skipped.append((where, reason))
            new = not lasting or self.state.first_report(where, reason)
        log.log(logging.WARNING if new else logging.INFO, f"{SKIPPED}%s: %s", where, reason)

    def keep_old(self, url: str, lastmod: str | None = None, count: bool = True) -> None:
        """An unchanged page: keep its state entry and those of its attachments."""
        with self.lock:
            self.attachments_seen.update(self.state.keep(url, lastmod))
            self.result.unchanged += int(count)

    def mark_gone(self, url: str, status: int) -> None:
        with self.lock:
            self.result.gone.extend(self.state.forget(url))
            self.state.first_report(url, f"HTTP {status}")  # told now; not again if listed
        # once per page (it is forgotten now): the cron mail names the post removed
        log.warning("страница исчезла (HTTP %d): %s: удалена из индекса", status, url)

    def _moved(self, url: str, address: str) -> None:
        """A page the last run indexed now redirects (a site moved its posts): its old
        version stays findable under the old address, beside the new one, until a full
        run. It is removed; the page is indexed (or was) under the address it ends at."""
        old = self.state.old.get(url)
        if old is not None and old.get("id") != url_id(address):
            self.result.gone.extend(self.state.forget(url))
            log.info("страница переехала: %s -> %s: проиндексирована под новым адресом", url,
                     address)

    def fetch_page(self, url: str, lastmod: str | None, site_origin: str,
                   refreshed: bool = False) -> Fetched:
        """Fetch and extract one page: the publication made (if any), the attachments it
        links to and the site's other pages it links to. A page without text whose meta
        refresh sends elsewhere on the site is taken as a redirect (`refreshed`: once)."""
        nothing = Fetched()
        try:
            answer = self.fetcher.get(url, self.state.conditional_headers(url))
            if answer.status == 304 and clean_url(answer.url or url) != url:
                # moved: the old address's validators matched the new one's (the same
                # ETag); asked whole, to be indexed under the address it ends at
                answer = self.fetcher.get(clean_url(answer.url))
        except FetchError as exc:
            self.skip(url, str(exc))
            with self.lock:  # a full run keeps the indexed version (indexer/commands.py)
                self.result.unanswered.append(url)
            if url in self.state.old:  # keep the indexed version until the page answers again
                self.keep_old(url, count=False)
            return nothing
        if answer.status == 304 and url in self.state.old:
            self.keep_old(url, lastmod)
            old_links, menu = self.state.links_of(url)  # they may lead to new pages
            return Fetched(links=old_links, menu=menu)
        if answer.status in (404, 410):
            if url in self.state.old:
                self.mark_gone(url, answer.status)
            else:
                self.skip(url, f"HTTP {answer.status}", lasting=True)
            return nothing
        if answer.status != 200:
            self.skip(url, f"HTTP {answer.status}")
            return nothing
        # a redirect: the page is kept under the address it ended at, once
        address = clean_url(answer.url or url)
        if address != url and not same_host(address, url):
            self.skip(url, OTHER_SITE.format(address), answer.permanent)
            return nothing
        with self.lock:
            copy = address in self.pages_seen
            self.pages_seen.add(address)
            self.result.fetched += 1
            if address != url:
                self._moved(url, address)
        if copy and address == url:  # read already this run (reached twice)
            return nothing
        if copy:
            self.skip(url, READ_ALREADY.format(address), answer.permanent)
            return nothing
        entry = {"id": url_id(address), "etag": answer.headers.get("etag"),
                 "last_modified": answer.headers.get("last-modified"), "lastmod": lastmod,
                 "site": site_origin}
        if sniff_document(answer.content):
            self.index_document(address, answer, entry, parent=None)
            return nothing
        ctype = answer.headers.get("content-type", "text/html").split(";")[0].strip().lower()
        if not (ctype.startswith("text/") or "html" in ctype or "xml" in ctype):
            self.skip(url, f"не страница ({ctype})")
            return nothing
        if problem := nesting_problem(answer.content.decode("utf-8", "replace")):
            self.skip(url, problem)  # before any parse: parsing it took minutes
            return nothing
        anchors, _, menu = links(answer.content, answer.url)
        pages = [a for a in anchors if same_host(a, address)
                 and suffix(a) not in ASSET_SUFFIXES | DOCUMENT_SUFFIXES]
        menu &= set(pages)
        try:
            parts = extract_parts(answer.content, address)
            pub = Publication(id=entry["id"], title=parts.title, text=parts.body, url=address,
                              published=parts.date, author=parts.author,
                              author_position=parts.author_position,
                              photographer=parts.photographer, source=address)
        except (ExtractError, InvalidRecord) as exc:  # reported, or followed (site_run.py)
            moved = refresh_target(answer.content, answer.url)
            if (moved and moved != address and not refreshed and same_host(moved, address)
                    and self.allowed(moved)):
                with self.lock:  # as an HTTP redirect: indexed under the address it sends to
                    self._moved(url, moved)
                return self.fetch_page(moved, None, site_origin, refreshed=True)
            return Fetched(links=pages, menu=menu,
                           no_text=str(exc).removeprefix(f"{address}: "))
        self.add(pub)
        found = [a for a in dict.fromkeys(anchors)
                 if suffix(a) in DOCUMENT_SUFFIXES and same_host(a, address)]
        allowed = []
        for a in found:
            if self.allowed(a):
                allowed.append(a)
            else:
                self.skip(a, ROBOTS)
        entry["attachments"] = allowed
        with self.lock:
            self.state.new[url] = entry
            # attachments this page no longer links to are removed
            self.result.gone.extend(self.state.dropped_attachments(url, allowed))
        return Fetched(pub, allowed, pages, menu)

    def fetch_attachment(self, url: str, parent: Publication) -> None:
        try:
            answer = self.fetcher.get(url, self.state.attachment_headers(url, parent.url))
        except FetchError as exc:
            self.skip(url, str(exc))
            with self.lock:  # a full run keeps the indexed version (indexer/kept.py)
                self.result.unanswered.append(url)
                if url in self.state.old:
                    self.state.new[url] = self.state.old[url]
            return
        if answer.status == 304 and url in self.state.old:
            with self.lock:
                self.state.new[url] = dict(self.state.old[url], parent=parent.url)
                self.result.unchanged += 1
            return
        if answer.status in (404, 410) and url in self.state.old:
            with self.lock:
                self.result.gone.append(self.state.old[url]["id"])
            return
        if answer.status != 200:
            self.skip(url, f"HTTP {answer.status}", lasting=answer.status in (404, 410))
            return
        with self.lock:
            self.result.fetched += 1
        entry = {"id": url_id(url), "etag": answer.headers.get("etag"),
                 "last_modified": answer.headers.get("last-modified"), "parent": parent.url}
        self.index_document(url, answer, entry, parent=parent)

    def index_document(self, url: str, answer: Answer, entry: dict,
                       parent: Publication | None) -> None:
        try:
            pub = publication_from_document(
                answer.content, entry["id"], name=url, url=url,
                parent_id=parent.id if parent else None,
                parent_date=parent.published if parent else None, source=url)
        except (ExtractError, InvalidRecord) as exc:
            self.skip(url, str(exc).removeprefix(f"{url}: "))
            return
        self.add(pub)
        with self.lock:
            self.state.new[url] = entry

    def add(self, pub: Publication) -> None:
        if self.topics is not None:
            pub = replace(pub, topics=self.topics.topics_for(pub.topics, pub.title, pub.text))
        with self.lock:
            self.result.publications.append(pub)
        if self.on_item:
            self.on_item()


def crawl(starts: list[str], options: CrawlOptions, state: dict | None = None, topics=None,
          on_item: Callable[[], None] | None = None) -> CrawlResult:
    """Fetch every publication (and attachment) of the given sites."""
    state = state or {}
    job = _Crawl(options, state, topics, on_item)
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
            try:
                for start in starts:
                    run_site(job, start, pool)
            except BaseException:  # SIGTERM, Ctrl-C: the threads stop at their next read
                job.fetcher.cancel()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        job.fetcher.close()
    result = job.result
    # what a page removed had (a moved page's attachments) may be indexed again this run
    indexed = {pub.id for pub in result.publications} | job.state.indexed_ids()
    result.gone = [pid for pid in dict.fromkeys(result.gone) if pid not in indexed]
    result.requests = job.fetcher.requests
    result.seconds = time.perf_counter() - started
    # entries of sites not crawled successfully this run stay as they were
    failed = {urlsplit(s).netloc for s, _ in result.failed_sites}
    kept_urls = list(result.unanswered)
    if not options.incremental:  # (an incremental run removes only what it found gone)
        # a full run on a site where a page did not answer (an archive page's 500) may
        # not reach what only that page lists: kept as the last index had it, not dropped
        troubled = {urlsplit(u).netloc for u in result.unanswered} - failed
        unreached = [u for u in job.state.unreached(troubled) if u not in result.unanswered]
        result.unreached_ids = job.state.ids_of(unreached)
        kept_urls += unreached
    result.state = job.state.to_dict({urlsplit(s).netloc for s in starts} - failed, failed,
                                     kept_urls)
    result.failed_site_ids = job.state.ids_of(job.state.on_hosts(failed))
    return result
