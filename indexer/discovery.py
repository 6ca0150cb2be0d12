"""Which pages of a library's website are publications, and which may be fetched.

A sitemap (robots.txt `Sitemap:` lines or /sitemap.xml, sitemap indexes followed), else
the site's RSS/Atom feed, else the start page's links on the same host; a sitemap or feed
address can also be given directly. robots.txt decides what may be fetched, and its
Crawl-delay slows the fetcher down for that host.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from indexer.addresses import clean_url, print_version
from indexer.fetching import USER_AGENT, Fetcher, FetchError

__all__ = ["Discovery", "Entry", "same_host", "suffix", "links", "refresh_target",
           "ASSET_SUFFIXES", "ROBOTS"]

ROBOTS = "запрещено в robots.txt"  # why an address is not fetched

Entry = tuple[str, str | None]  # a page address and its sitemap/feed date, when known
ASSET_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".css", ".js",
                  ".zip", ".rar", ".7z", ".mp3", ".mp4", ".avi", ".mov", ".doc", ".xls",
                  ".xlsx", ".ppt", ".pptx", ".rtf", ".woff", ".woff2", ".ttf", ".json"}


def same_host(url: str, base: str) -> bool:
    """The same host and port (http's and https's own ports count as one: a site links to
    itself under either)."""
    a, b = urlsplit(url), urlsplit(base)
    return a.hostname == b.hostname and _port(a) == _port(b)


def _port(parts) -> int | None:
    try:
        port = parts.port
    except ValueError:  # not a number
        return -1
    return None if port in (None, 80, 443) else port


def suffix(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).suffix.lower()


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


def _sitemap_entries(data: bytes) -> tuple[list[Entry], list[str]]:
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


def _feed_entries(data: bytes, base: str) -> list[Entry]:
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


# An element of a site's navigation, not of its content (a list's pages are content)
_MENU_TAGS = {"nav", "header", "footer", "aside"}
_MENU_MARK = re.compile(r"menu|nav|footer|header|sidebar|breadcrumb|widget|banner", re.I)


def _in_menu(node) -> bool:
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        marks = f"{parent.attributes.get('class') or ''} {parent.attributes.get('id') or ''}"
        if parent.tag in _MENU_TAGS or _MENU_MARK.search(marks):
            return True
        parent = parent.parent
    return False


def links(data: bytes, base: str) -> tuple[list[str], list[str], set[str]]:
    """Anchors and feed links of an HTML page, as absolute addresses, and the anchors
    found only in its menus (header, footer, sidebar); anchors of its content first."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data.decode("utf-8", "replace"))
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = urljoin(base, base_node.attributes.get("href") or "")
    content, menu = [], []
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href and not href.startswith(("mailto:", "tel:", "javascript:", "#")):
            address = clean_url(urljoin(base, href))
            if not print_version(address):
                (menu if _in_menu(node) else content).append(address)
    anchors = list(dict.fromkeys(content + menu))
    feeds = []
    for node in tree.css("link[rel=alternate][href]"):
        kind = (node.attributes.get("type") or "").lower()
        if "rss" in kind or "atom" in kind:
            feeds.append(urljoin(base, node.attributes.get("href") or ""))
    return anchors, feeds, set(menu) - set(content)


_REFRESH = re.compile(r"^\s*\d*(?:\.\d+)?\s*[;,]\s*url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)


def _refresh_target(tree, base: str) -> str | None:
    for node in tree.css("meta[http-equiv]"):
        if (node.attributes.get("http-equiv") or "").strip().lower() == "refresh":
            found = _REFRESH.match(node.attributes.get("content") or "")
            if found:
                return clean_url(urljoin(base, found.group(1).strip()))
    return None


def refresh_target(data: bytes, base: str) -> str | None:
    """Where a page's `<meta http-equiv="refresh" content="0; url=…">` sends, or None."""
    from selectolax.lexbor import LexborHTMLParser

    return _refresh_target(LexborHTMLParser(data.decode("utf-8", "replace")), base)


@dataclass
class _Site:
    origin: str
    robots: RobotFileParser
    sitemaps: list[str]


class Discovery:
    """robots.txt of every origin met (read once) and the publication addresses of a site.

    `skip(where, reason)` reports a sitemap or feed that could not be read.
    """

    def __init__(self, fetcher: Fetcher, delay: float, skip: Callable[[str, str], None]):
        self.fetcher = fetcher
        self.delay = delay
        self.skip = skip
        self.sites: dict[str, _Site] = {}
        self._by_links: set[str] = set()  # start addresses whose pages came from links
        self.menu_links: set[str] = set()  # start pages' links found only in their menus

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
        if delay and float(delay) > self.delay:
            self.fetcher.delays[parts.netloc.lower()] = min(float(delay), 30.0)
        site = _Site(origin, robots, list(robots.site_maps() or ()))
        self.sites[origin] = site
        return site

    def allowed(self, url: str) -> bool:
        try:
            return self.site(url).robots.can_fetch(USER_AGENT, url)
        except FetchError:  # another origin (http/https) whose robots.txt cannot be read
            return False

    def discover(self, start: str) -> list[Entry]:
        """Publication addresses (with lastmod, when known) reachable from `start`."""
        site = self.site(start)
        if not self.allowed(start):
            raise FetchError("стартовый адрес запрещён в robots.txt")
        path = urlsplit(start).path
        if path in ("", "/"):
            sitemaps = site.sitemaps or [site.origin + "/sitemap.xml"]
            entries = self.read_sitemaps(sitemaps, start, quiet=not site.sitemaps)
            if entries:
                return entries
        answer = self.fetcher.get(start)
        if answer.status != 200:
            raise FetchError(f"стартовый адрес ответил HTTP {answer.status}")
        data = _unzip(answer.content)
        kind = _kind(data)
        if kind == "sitemap":
            return self.read_sitemaps([start], start, first=data)
        if kind == "feed":
            return _feed_entries(data, start)
        anchors, feeds, menu = links(data, answer.url)
        # A feed holds the latest posts only (an old Joomla's five): its entries come first,
        # with their dates, and the links lead to the rest (a site with only such a feed
        # had been read as those five, and a post leaving the feed left the index).
        fed = self._first_feed(feeds, start)
        root = clean_url(start)
        self._by_links.add(start)
        self.menu_links |= menu
        linked = [(u, None) for u in dict.fromkeys(anchors)
                  if same_host(u, start) and u.rstrip("/") != root.rstrip("/")
                  and suffix(u) not in ASSET_SUFFIXES]
        dated = {clean_url(u) for u, _ in fed}
        return fed + [entry for entry in linked if entry[0] not in dated]

    def from_links(self, start: str) -> bool:
        """Whether `discover(start)` found its pages from the start page, its links and its
        feed's (no sitemap said which pages there are): then pages' links lead to more."""
        return start in self._by_links

    def _first_feed(self, feeds: list[str], start: str) -> list[Entry]:
        """The entries of the first of a page's feeds that has any."""
        for feed_url in feeds:
            if same_host(feed_url, start) and self.allowed(feed_url):
                try:
                    fa = self.fetcher.get(feed_url)
                except FetchError as exc:
                    self.skip(feed_url, str(exc))
                    continue
                entries = _feed_entries(fa.content, feed_url) if fa.status == 200 else []
                if entries:
                    return entries
        return []

    def read_sitemaps(self, urls: list[str], start: str, first: bytes | None = None,
                      quiet: bool = False) -> list[Entry]:
        entries: list[Entry] = []
        queue, seen = list(urls), set()
        while queue and len(seen) < 200:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            if first is not None and url == urls[0]:
                data, first = first, None
            else:
                data = self._sitemap(url, quiet)
                if data is None:
                    continue
            pages, children = _sitemap_entries(data)
            entries.extend(pages)
            queue.extend(c for c in children if same_host(c, start))
        return entries

    def _sitemap(self, url: str, quiet: bool) -> bytes | None:
        """One sitemap document, or None (forbidden, unreachable, not there)."""
        if not self.allowed(url):
            return None
        try:
            answer = self.fetcher.get(url)
        except FetchError as exc:
            self.skip(url, f"sitemap: {exc}")
            return None
        if answer.status != 200:
            if not quiet:
                self.skip(url, f"sitemap: HTTP {answer.status}")
            return None
        return answer.content
