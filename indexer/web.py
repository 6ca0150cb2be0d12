"""A library's website as a source: discover publication pages, fetch them politely,
extract them like local pages, and follow their PDF/DOCX/ODT attachments.

Discovery: a sitemap (robots.txt `Sitemap:` lines or /sitemap.xml, sitemap indexes
followed), else the site's RSS/Atom feed, else the start page's links on the same host.
A sitemap or feed URL can also be given directly. Politeness: robots.txt (and its
Crawl-delay), a delay between requests to one host, bounded concurrency, a clear
User-Agent, timeouts and a few retries with back-off on 5xx and timeouts.

Incremental runs keep a small state file (ETag, Last-Modified and sitemap/feed lastmod
per address), skip entries whose lastmod did not change, send conditional requests for
the rest, and report pages answering 404/410 as gone. Ids are `url-<sha1 16>` of the
address (the address itself is kept in `url`), the same ids the WordPress imports use.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from indexer.attachments import DOCUMENT_SUFFIXES, publication_from_document, sniff_document
from indexer.cms import url_id
from indexer.extract import extract_parts
from search.errors import ExtractError, InvalidRecord
from search.models import Publication

__all__ = ["USER_AGENT", "CrawlOptions", "CrawlResult", "crawl", "is_url", "load_state",
           "save_state", "STATE_FILE", "url_id"]

log = logging.getLogger("kartoteka")
logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise

USER_AGENT = "Kartoteka/0.1 (+library search indexer)"
STATE_FILE = "web-state.json"
_ASSET_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".css", ".js",
                   ".zip", ".rar", ".7z", ".mp3", ".mp4", ".avi", ".mov", ".doc", ".xls",
                   ".xlsx", ".ppt", ".pptx", ".rtf", ".woff", ".woff2", ".ttf", ".json"}


def is_url(value: str) -> bool:
    return str(value).startswith(("http://", "https://"))


@dataclass
class CrawlOptions:
    delay: float = 0.5          # seconds between two requests to one host
    concurrency: int = 2
    timeout: float = 15.0
    retries: int = 2
    backoff: float = 0.5        # first retry waits this long, then doubles
    max_pages: int = 5000
    max_bytes: int = 20_000_000
    incremental: bool = False


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


class FetchError(Exception):
    """No usable answer: connection failure, timeout or 5xx after the retries."""


@dataclass
class Answer:
    url: str
    status: int
    headers: dict
    content: bytes


# -- HTTP ---------------------------------------------------------------------------


class Fetcher:
    def __init__(self, options: CrawlOptions):
        import httpx

        self.httpx = httpx
        self.options = options
        self.client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            timeout=options.timeout, follow_redirects=True, max_redirects=5,
            limits=httpx.Limits(max_connections=max(1, options.concurrency) * 2))
        self.lock = threading.Lock()
        self.next_slot: dict[str, float] = {}
        self.delays: dict[str, float] = {}
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def _wait_turn(self, host: str) -> None:
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot.get(host, 0.0))
            self.next_slot[host] = slot + self.delays.get(host, self.options.delay)
            self.requests += 1
        if slot > now:
            time.sleep(slot - now)

    def get(self, url: str, headers: dict | None = None) -> Answer:
        host = urlsplit(url).netloc.lower()
        last = "no answer"
        for attempt in range(self.options.retries + 1):
            if attempt:
                time.sleep(self.options.backoff * 2 ** (attempt - 1))
            self._wait_turn(host)
            try:
                with self.client.stream("GET", url, headers=headers or {}) as response:
                    if response.status_code >= 500 or response.status_code == 429:
                        last = f"HTTP {response.status_code}"
                        continue
                    content = b""
                    if response.status_code == 200:
                        chunks, size = [], 0
                        for chunk in response.iter_bytes():
                            size += len(chunk)
                            if size > self.options.max_bytes:
                                raise FetchError(
                                    f"too large (> {self.options.max_bytes:,} bytes)")
                            chunks.append(chunk)
                        content = b"".join(chunks)
                    return Answer(str(response.url), response.status_code,
                                  dict(response.headers), content)
            except self.httpx.TimeoutException:
                last = f"timed out after {self.options.timeout:g} s"
            except self.httpx.TransportError as exc:
                last = f"connection failed ({type(exc).__name__})"
        attempts = self.options.retries + 1
        raise FetchError(f"{last} ({attempts} attempt{'s' if attempts > 1 else ''})")


# -- discovery ----------------------------------------------------------------------


def _same_host(url: str, base: str) -> bool:
    return urlsplit(url).hostname == urlsplit(base).hostname


def _suffix(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).suffix.lower()


def _clean_url(url: str) -> str:
    return urldefrag(url)[0]


def _unzip(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.GzipFile(fileobj=io.BytesIO(data)).read(50_000_000)
        except OSError:
            return b""
    return data


def _kind(data: bytes) -> str:
    head = data[:2000].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    return "page"


def _sitemap_entries(data: bytes) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(page address, lastmod) pairs and child sitemaps of one sitemap document."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = etree.fromstring(_unzip(data), parser)
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    pages, children = [], []
    for node in root.iter("{*}url"):
        loc = node.findtext("{*}loc")
        if loc and loc.strip():
            lastmod = (node.findtext("{*}lastmod") or "").strip() or None
            pages.append((loc.strip(), lastmod))
    for node in root.iter("{*}sitemap"):
        loc = node.findtext("{*}loc")
        if loc and loc.strip():
            children.append(loc.strip())
    return pages, children


def _feed_entries(data: bytes, base: str) -> list[tuple[str, str | None]]:
    import feedparser

    feed = feedparser.parse(io.BytesIO(data))
    out = []
    for entry in feed.entries:
        link = entry.get("link")
        if link:
            # dict.get: feedparser's own get() warns about its updated/published fallback
            out.append((urljoin(base, link),
                        dict.get(entry, "updated") or dict.get(entry, "published")))
    return out


def _links(data: bytes, base: str) -> tuple[list[str], list[str]]:
    """Same-page anchors and feed links of an HTML page, as absolute addresses."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data.decode("utf-8", "replace"))
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = urljoin(base, base_node.attributes.get("href") or "")
    anchors = []
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href and not href.startswith(("mailto:", "tel:", "javascript:", "#")):
            anchors.append(_clean_url(urljoin(base, href)))
    feeds = []
    for node in tree.css("link[rel=alternate][href]"):
        kind = (node.attributes.get("type") or "").lower()
        if "rss" in kind or "atom" in kind:
            feeds.append(urljoin(base, node.attributes.get("href") or ""))
    return anchors, feeds


# -- the crawl ----------------------------------------------------------------------


@dataclass
class _Site:
    origin: str
    robots: RobotFileParser
    sitemaps: list[str]


class _Crawl:
    def __init__(self, options: CrawlOptions, state: dict, topics=None,
                 on_item: Callable[[], None] | None = None):
        self.options = options
        self.old = state.get("pages", {}) if options.incremental else {}
        self.result = CrawlResult()
        self.new: dict[str, dict] = {}
        self.topics = topics
        self.on_item = on_item
        self.fetcher = Fetcher(options)
        self.sites: dict[str, _Site] = {}
        self.lock = threading.Lock()
        self.attachments_seen: set[str] = set()

    # robots.txt
    def site(self, url: str) -> _Site:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self.sites:
            return self.sites[origin]
        robots = RobotFileParser(origin + "/robots.txt")
        answer = self.fetcher.get(origin + "/robots.txt")  # FetchError: the site is down
        if answer.status in (401, 403):
            robots.disallow_all = True
        elif answer.status == 200:
            robots.parse(answer.content.decode("utf-8", "replace").splitlines())
        else:
            robots.allow_all = True
        delay = robots.crawl_delay(USER_AGENT)
        if delay and float(delay) > self.options.delay:
            self.fetcher.delays[parts.netloc.lower()] = min(float(delay), 30.0)
        site = _Site(origin, robots, list(robots.site_maps() or ()))
        self.sites[origin] = site
        return site

    def allowed(self, url: str) -> bool:
        try:
            return self.site(url).robots.can_fetch(USER_AGENT, url)
        except FetchError:  # another origin (http/https) whose robots.txt cannot be read
            return False

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

    # discovery
    def discover(self, start: str) -> list[tuple[str, str | None]]:
        """Publication addresses (with lastmod, when known) reachable from `start`."""
        site = self.site(start)
        if not self.allowed(start):
            raise FetchError("the start address is forbidden by robots.txt")
        path = urlsplit(start).path
        if path in ("", "/"):
            sitemaps = site.sitemaps or [site.origin + "/sitemap.xml"]
            entries = self.read_sitemaps(sitemaps, start, quiet=not site.sitemaps)
            if entries:
                return entries
        answer = self.fetcher.get(start)
        if answer.status != 200:
            raise FetchError(f"the start address answered HTTP {answer.status}")
        data = _unzip(answer.content)
        kind = _kind(data)
        if kind == "sitemap":
            return self.read_sitemaps([start], start, first=data)
        if kind == "feed":
            return _feed_entries(data, start)
        anchors, feeds = _links(data, answer.url)
        for feed_url in feeds:
            if _same_host(feed_url, start) and self.allowed(feed_url):
                try:
                    fa = self.fetcher.get(feed_url)
                except FetchError as exc:
                    self.skip(feed_url, str(exc))
                    continue
                entries = _feed_entries(fa.content, feed_url) if fa.status == 200 else []
                if entries:
                    return entries
        root = _clean_url(start)
        return [(u, None) for u in dict.fromkeys(anchors)
                if _same_host(u, start) and u.rstrip("/") != root.rstrip("/")
                and _suffix(u) not in _ASSET_SUFFIXES]

    def read_sitemaps(self, urls: list[str], start: str, first: bytes | None = None,
                      quiet: bool = False) -> list[tuple[str, str | None]]:
        entries: list[tuple[str, str | None]] = []
        queue, seen = list(urls), set()
        while queue and len(seen) < 200:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            if first is not None and url == urls[0]:
                data, first = first, None
            else:
                if not self.allowed(url):
                    continue
                try:
                    answer = self.fetcher.get(url)
                except FetchError as exc:
                    self.skip(url, f"sitemap: {exc}")
                    continue
                if answer.status != 200:
                    if not quiet:
                        self.skip(url, f"sitemap: HTTP {answer.status}")
                    continue
                data = answer.content
            pages, children = _sitemap_entries(data)
            entries.extend(pages)
            queue.extend(c for c in children if _same_host(c, start))
        return entries

    # fetching
    def conditional_headers(self, url: str) -> dict:
        old = self.old.get(url) or {}
        headers = {}
        if old.get("etag"):
            headers["If-None-Match"] = old["etag"]
        if old.get("last_modified"):
            headers["If-Modified-Since"] = old["last_modified"]
        return headers

    def keep_old(self, url: str, lastmod: str | None = None, count: bool = True) -> None:
        """An unchanged page: keep its state entry and those of its attachments."""
        with self.lock:
            self.new[url] = dict(self.old[url], lastmod=lastmod or self.old[url].get("lastmod"))
            for aurl, entry in self.old.items():
                if entry.get("parent") == url:
                    self.new[aurl] = entry
                    self.attachments_seen.add(aurl)
            self.result.unchanged += int(count)

    def mark_gone(self, url: str, status: int) -> None:
        with self.lock:
            ids = [self.old[url]["id"]] + [e["id"] for e in self.old.values()
                                          if e.get("parent") == url]
            self.result.gone.extend(ids)
            self.new.pop(url, None)
        log.info("gone (HTTP %d): %s", status, url)

    def fetch_page(self, url: str, lastmod: str | None, site_origin: str) -> list[str]:
        """Fetch and extract one page; returns the attachment addresses it links to."""
        try:
            answer = self.fetcher.get(url, self.conditional_headers(url))
        except FetchError as exc:
            self.skip(url, str(exc))
            if url in self.old:  # keep the indexed version until the page answers again
                self.keep_old(url, count=False)
            return []
        if answer.status == 304 and url in self.old:
            self.keep_old(url, lastmod)
            return []
        if answer.status in (404, 410):
            if url in self.old:
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
        anchors, _ = _links(answer.content, answer.url)
        found = [a for a in dict.fromkeys(anchors)
                 if _suffix(a) in DOCUMENT_SUFFIXES and _same_host(a, url)]
        allowed = []
        for a in found:
            if self.allowed(a):
                allowed.append(a)
            else:
                self.skip(a, "forbidden by robots.txt")
        entry["attachments"] = allowed
        with self.lock:
            self.new[url] = entry
            # attachments this page no longer links to are removed
            for aurl, old_entry in list(self.old.items()):
                if old_entry.get("parent") == url and aurl not in allowed:
                    self.result.gone.append(old_entry["id"])
        return allowed

    def fetch_attachment(self, url: str, parent: Publication) -> None:
        try:
            answer = self.fetcher.get(url, self.conditional_headers(url))
        except FetchError as exc:
            self.skip(url, str(exc))
            if url in self.old:
                with self.lock:
                    self.new[url] = self.old[url]
            return
        if answer.status == 304 and url in self.old:
            with self.lock:
                self.new[url] = dict(self.old[url], parent=parent.url)
                self.result.unchanged += 1
            return
        if answer.status in (404, 410) and url in self.old:
            with self.lock:
                self.result.gone.append(self.old[url]["id"])
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
            self.new[url] = entry

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
            entries = self.discover(start)
        except FetchError as exc:
            self.result.failed_sites.append((start, str(exc)))
            log.error("site %s: %s; skipped", start, exc)
            return
        site = self.site(start)
        queue: dict[str, str | None] = {}
        for url, lastmod in entries:
            url = _clean_url(url)
            if not _same_host(url, start):
                self.skip(url, "another host")
            elif not self.allowed(url):
                self.skip(url, "forbidden by robots.txt")
            elif url not in queue:
                queue[url] = lastmod
        if self.options.incremental:  # known pages no longer listed: are they gone?
            for url, entry in self.old.items():
                if entry.get("site") == site.origin and "parent" not in entry \
                        and url not in queue and self.allowed(url):
                    queue[url] = None  # no lastmod: always asked (conditionally)
        if len(queue) > self.options.max_pages:
            self.skip(start, f"{len(queue) - self.options.max_pages} pages over --max-pages")
            queue = dict(list(queue.items())[: self.options.max_pages])
        pending: dict[Future, tuple[str, str]] = {}
        for url, lastmod in queue.items():
            old = self.old.get(url)
            if old and lastmod and old.get("lastmod") == lastmod and "parent" not in old:
                self.keep_old(url)
                continue
            pending[pool.submit(self.safely, self.fetch_page, url, lastmod, site.origin)] = ("page", url)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                kind, url = pending.pop(future)
                links = future.result() if kind == "page" else None
                if not links:
                    continue
                parent = next(p for p in reversed(self.result.publications) if p.url == url)
                for aurl in links:
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
    kept = {u: e for u, e in job.old.items() if urlsplit(u).netloc not in done}
    result.state = {"version": 1, "pages": {**kept, **job.new}}
    return result


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
