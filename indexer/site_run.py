"""One site of a crawl: its publication addresses fetched, their attachments after them,
and, when the addresses came from the start page (its links, and its feed's latest
posts; no sitemap), the links of the pages fetched, level by level up to the crawl's
depth. An incremental run asks the pages only the last run named at the level that run
reached them (web_state.py), or nearer when this run finds them nearer.

A library site without a sitemap lists its news on pages of their own (`/news/`, «Архив,
стр. 2»): the start page links to those lists, the lists to the posts. Pages with no
publication of their own are followed, not reported.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from indexer.addresses import clean_url
from indexer.discovery import ROBOTS, same_host
from indexer.fetching import FetchError

__all__ = ["run_site"]

log = logging.getLogger("kartoteka")

NO_PAGE = "не загрузилась ни одна страница"
NO_PUBLICATIONS = "страниц с публикациями не найдено"


class _Frontier:
    """The addresses still to fetch, best first: links of a page's content (a list of
    news, a post) before links of its menus, then the nearer levels; at most `budget`
    are taken (--max-pages), the rest stay, counted as not visited."""

    def __init__(self, budget: int):
        self.budget = budget
        self.heap: list[tuple[bool, int, int, str, str | None]] = []
        self.order = itertools.count()  # as found, among equals

    def add(self, url: str, lastmod: str | None, level: int, menu: bool) -> None:
        heapq.heappush(self.heap, (menu, level, next(self.order), url, lastmod))

    def take(self) -> tuple[str, str | None, int] | None:
        if not self.heap or self.budget <= 0:
            return None
        self.budget -= 1
        _, level, _, url, lastmod = heapq.heappop(self.heap)
        return url, lastmod, level


def run_site(job, start: str, pool: ThreadPoolExecutor) -> None:
    """Crawl the site of `start` with `job` (indexer/web.py's _Crawl)."""
    before_fetched, before_kept = job.result.fetched, job.result.unchanged
    try:
        entries = job.discovery.discover(start)
    except FetchError as exc:
        job.result.failed_sites.append((start, str(exc)))
        log.error("сайт %s: %s; пропущен", start, exc)
        return
    site = job.discovery.site(start)
    follow = job.discovery.from_links(start)
    depth = job.options.depth
    queue = _queue(job, start, entries, site.origin)
    frontier = _Frontier(job.options.max_pages)
    discovered = {clean_url(url) for url, _ in entries}
    levels: dict[str, int] = {}  # the level each address is queued at
    for url, lastmod in queue.items():  # a page only the last run named: at its level then
        levels[url] = 1 if url in discovered else job.state.level_of(url)
        frontier.add(url, lastmod, levels[url], url in job.discovery.menu_links)
    known = set(queue) | {clean_url(start)}
    asked: set[str] = set()  # taken from the frontier (an address may be queued twice)
    too_deep: set[str] = set()  # links of the pages at --depth, not followed
    pending: dict[Future, tuple[str, str, int]] = {}
    outgoing: dict[str, tuple[list[str], set[str]]] = {}  # a fetched page's links, menu

    def spread(links: list[str], menu: set[str], level: int) -> None:
        """Queue the links of a page at `level`; a page queued or fetched deeper (the last
        run's level) that is nearer now is asked here, or its links followed further."""
        for link in links:
            if link not in known:
                known.add(link)
                if job.allowed(link):  # a link robots.txt forbids is not followed
                    levels[link] = level + 1
                    frontier.add(link, None, level + 1, link in menu)
            elif level + 1 < levels.get(link, 0):
                levels[link] = level + 1
                if link not in asked:
                    frontier.add(link, None, level + 1, link in menu)
                elif link in outgoing:
                    with job.lock:
                        job.state.remember_level(link, level + 1)
                    if level + 1 < depth:
                        spread(*outgoing[link], level + 1)

    def feed() -> None:
        """Keep the pool busy with the best addresses, no more, so that links found
        meanwhile can still go first."""
        while sum(kind == "page" for kind, _, _ in pending.values()) < job.options.concurrency:
            taken = frontier.take()
            if taken is None:
                return
            url, lastmod, level = taken
            if url in asked:
                continue
            asked.add(url)
            if job.state.unchanged(url, lastmod):
                job.keep_old(url)
                continue
            future = pool.submit(job.safely, job.fetch_page, url, lastmod, site.origin)
            pending[future] = ("page", url, level)

    feed()
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            kind, url, level = pending.pop(future)
            fetched = future.result() if kind == "page" else None
            if fetched is None:
                continue
            level = min(level, levels.get(url, level))  # found nearer while it was fetched
            if follow:
                outgoing[url] = (fetched.links, fetched.menu)
                with job.lock:
                    if fetched.parent is not None:
                        job.state.remember_links(url, fetched.links, fetched.menu)
                    job.state.remember_level(url, level)
            followed = follow and level < depth and fetched.links
            if fetched.no_text and followed:  # a list of news, a menu: its links are its use
                log.info("на %s нет публикации (%s): идём по ссылкам страницы", url,
                         fetched.no_text)
            elif fetched.no_text:
                job.skip(url, fetched.no_text)
            for address in fetched.attachments:
                with job.lock:
                    if address in job.attachments_seen:
                        continue
                    job.attachments_seen.add(address)
                pending[pool.submit(job.safely, job.fetch_attachment, address,
                                    fetched.parent)] = ("attachment", address, level)
            if follow and level >= depth:
                too_deep.update(fetched.links)
            if followed:
                spread(fetched.links, fetched.menu, level)
        feed()
    _not_visited(job, f"--max-pages {job.options.max_pages}", len(frontier.heap))
    _not_visited(job, f"--depth {depth}", sum(
        1 for link in too_deep - known if job.allowed(link)))
    if job.result.fetched == before_fetched and job.result.unchanged == before_kept and queue:
        job.result.failed_sites.append((start, NO_PAGE))
        log.error("сайт %s: %s", start, NO_PAGE)
    elif not queue:
        job.result.failed_sites.append((start, NO_PUBLICATIONS))
        log.error("сайт %s: %s", start, NO_PUBLICATIONS)


def _not_visited(job, limit: str, count: int) -> None:
    if count:
        with job.lock:
            job.result.not_visited[limit] = job.result.not_visited.get(limit, 0) + count
        log.info("не посещено страниц: %d (достигнут предел %s)", count, limit)


def _queue(job, start: str, entries, origin: str) -> dict[str, str | None]:
    """The addresses to fetch first, with their lastmod: those discovered, and on an
    incremental run the pages the last run indexed (are they gone?)."""
    queue: dict[str, str | None] = {}
    for url, lastmod in entries:
        url = clean_url(url)
        if not same_host(url, start):
            job.skip(url, "другой хост")
        elif not job.allowed(url):
            job.skip(url, ROBOTS)
        elif url not in queue:
            queue[url] = lastmod
    if job.options.incremental:  # known pages no longer listed: are they gone?
        for url in job.state.pages_of(origin):
            if url in queue:
                continue
            if job.allowed(url):
                queue[url] = None  # no lastmod: always asked (conditionally)
            else:  # robots.txt forbids it now: the site no longer offers it
                with job.lock:
                    job.result.gone.extend(job.state.forget(url))
                log.info("страница исчезла (теперь она запрещена в robots.txt): %s", url)
    return queue
