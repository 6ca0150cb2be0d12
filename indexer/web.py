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
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from indexer.attachments import DOCUMENT_SUFFIXES, publication_from_document, sniff_document
from indexer.cms import url_id
from indexer.discovery import Discovery, clean_url, links, same_host, suffix
from indexer.extract import extract_parts
from indexer.fetching import USER_AGENT, Answer, CrawlOptions, Fetcher, FetchError
from indexer.web_state import STATE_FILE, WebState, load_state, save_state
from search.errors import ExtractError, InvalidRecord
from search.models import Publication

# The public names of the web source, wherever they are defined.
__all__ = ["USER_AGENT", "CrawlOptions", "CrawlResult", "crawl", "is_url", "load_state",
           "save_state", "STATE_FILE", "url_id"]

log = logging.getLogger("kartoteka")


def is_url(value: str) -> bool:
    return str(value).startswith(("http://", "https://"))


def address_problem(value: str) -> str | None:
    """What makes a SOURCE written as an address unusable (`ftp://…`, `http://` with no
    host), or None: a file name is not an address."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", value)
    if not scheme:
        return None
    if not is_url(value):
        return f"only http:// and https:// sites can be read, not {scheme.group(1)}://"
    if not urlsplit(value).hostname:
        return "the address names no site"
    return None


@dataclass
class CrawlResult:
    publications: list[Publication] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)          # ids to remove
    failed_sites: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
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

    def allowed(self, url: str) -> bool:
        return self.discovery.allowed(url)

    def safely(self, work: Callable, url: str, *args):
        """Run one page or attachment job; an unexpected failure skips it, not the crawl."""
        try:
            return work(url, *args)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the site
            log.exception("failed on %s", url)
            self.skip(url, f"failed: {type(exc).__name__}")
            return []

    def skip(self, where: str, reason: str) -> None:
        with self.lock:
            self.result.skipped.append((where, reason))
        log.warning("skipped %s: %s", where, reason)

    def keep_old(self, url: str, lastmod: str | None = None, count: bool = True) -> None:
        """An unchanged page: keep its state entry and those of its attachments."""
        with self.lock:
            self.attachments_seen.update(self.state.keep(url, lastmod))
            self.result.unchanged += int(count)

    def mark_gone(self, url: str, status: int) -> None:
        with self.lock:
            self.result.gone.extend(self.state.forget(url))
        log.info("gone (HTTP %d): %s", status, url)

    def fetch_page(self, url: str, lastmod: str | None, site_origin: str) -> list[str]:
        """Fetch and extract one page; returns the attachment addresses it links to."""
        try:
            answer = self.fetcher.get(url, self.state.conditional_headers(url))
        except FetchError as exc:
            self.skip(url, str(exc))
            if url in self.state.old:  # keep the indexed version until the page answers again
                self.keep_old(url, count=False)
            return []
        if answer.status == 304 and url in self.state.old:
            self.keep_old(url, lastmod)
            return []
        if answer.status in (404, 410):
            if url in self.state.old:
                self.mark_gone(url, answer.status)
            else:
                self.skip(url, f"HTTP {answer.status}")
            return []
        if answer.status != 200:
            self.skip(url, f"HTTP {answer.status}")
            return []
        with self.lock:
            self.result.fetched += 1
        entry = {"id": url_id(url), "etag": answer.headers.get("etag"),
                 "last_modified": answer.headers.get("last-modified"), "lastmod": lastmod,
                 "site": site_origin}
        if sniff_document(answer.content):
            self.index_document(url, answer, entry, parent=None)
            return []
        ctype = answer.headers.get("content-type", "text/html").split(";")[0].strip().lower()
        if not (ctype.startswith("text/") or "html" in ctype or "xml" in ctype):
            self.skip(url, f"not a page ({ctype})")
            return []
        try:
            parts = extract_parts(answer.content, url)
            pub = Publication(id=entry["id"], title=parts.title, text=parts.body, url=url,
                              published=parts.date, author=parts.author,
                              author_position=parts.author_position,
                              photographer=parts.photographer, source=url)
        except (ExtractError, InvalidRecord) as exc:
            self.skip(url, str(exc).removeprefix(f"{url}: "))
            return []
        self.add(pub)
        anchors, _ = links(answer.content, answer.url)
        found = [a for a in dict.fromkeys(anchors)
                 if suffix(a) in DOCUMENT_SUFFIXES and same_host(a, url)]
        allowed = []
        for a in found:
            if self.allowed(a):
                allowed.append(a)
            else:
                self.skip(a, "forbidden by robots.txt")
        entry["attachments"] = allowed
        with self.lock:
            self.state.new[url] = entry
            # attachments this page no longer links to are removed
            self.result.gone.extend(self.state.dropped_attachments(url, allowed))
        return allowed

    def fetch_attachment(self, url: str, parent: Publication) -> None:
        try:
            answer = self.fetcher.get(url, self.state.conditional_headers(url))
        except FetchError as exc:
            self.skip(url, str(exc))
            if url in self.state.old:
                with self.lock:
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
            self.skip(url, f"HTTP {answer.status}")
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

    # one start address
    def run_site(self, start: str, pool: ThreadPoolExecutor) -> None:
        before_fetched = self.result.fetched
        before_kept = self.result.unchanged
        try:
            entries = self.discovery.discover(start)
        except FetchError as exc:
            self.result.failed_sites.append((start, str(exc)))
            log.error("site %s: %s; skipped", start, exc)
            return
        site = self.discovery.site(start)
        queue: dict[str, str | None] = {}
        for url, lastmod in entries:
            url = clean_url(url)
            if not same_host(url, start):
                self.skip(url, "another host")
            elif not self.allowed(url):
                self.skip(url, "forbidden by robots.txt")
            elif url not in queue:
                queue[url] = lastmod
        if self.options.incremental:  # known pages no longer listed: are they gone?
            for url in self.state.pages_of(site.origin):
                if url in queue:
                    continue
                if self.allowed(url):
                    queue[url] = None  # no lastmod: always asked (conditionally)
                else:  # robots.txt forbids it now: the site no longer offers it
                    with self.lock:
                        self.result.gone.extend(self.state.forget(url))
                    log.info("gone (forbidden by robots.txt now): %s", url)
        if len(queue) > self.options.max_pages:
            self.skip(start, f"{len(queue) - self.options.max_pages} pages over --max-pages")
            queue = dict(list(queue.items())[: self.options.max_pages])
        pending: dict[Future, tuple[str, str]] = {}
        for url, lastmod in queue.items():
            if self.state.unchanged(url, lastmod):
                self.keep_old(url)
                continue
            pending[pool.submit(self.safely, self.fetch_page, url, lastmod, site.origin)] = ("page", url)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                kind, url = pending.pop(future)
                linked = future.result() if kind == "page" else None
                if not linked:
                    continue
                parent = next(p for p in reversed(self.result.publications) if p.url == url)
                for aurl in linked:
                    with self.lock:
                        if aurl in self.attachments_seen:
                            continue
                        self.attachments_seen.add(aurl)
                    pending[pool.submit(self.safely, self.fetch_attachment, aurl, parent)] = \
                        ("attachment", aurl)
        if self.result.fetched == before_fetched and self.result.unchanged == before_kept \
                and queue:
            self.result.failed_sites.append((start, "no page could be fetched"))
            log.error("site %s: no page could be fetched", start)
        elif not queue:
            self.result.failed_sites.append((start, "no publication pages found"))
            log.error("site %s: no publication pages found", start)


def crawl(starts: list[str], options: CrawlOptions, state: dict | None = None, topics=None,
          on_item: Callable[[], None] | None = None) -> CrawlResult:
    """Fetch every publication (and attachment) of the given sites."""
    state = state or {}
    job = _Crawl(options, state, topics, on_item)
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
            for start in starts:
                job.run_site(start, pool)
    finally:
        job.fetcher.close()
    result = job.result
    result.requests = job.fetcher.requests
    result.seconds = time.perf_counter() - started
    # entries of sites not crawled successfully this run stay as they were
    done = {urlsplit(s).netloc for s in starts} - {urlsplit(s).netloc
                                                   for s, _ in result.failed_sites}
    result.state = job.state.to_dict(done)
    return result
