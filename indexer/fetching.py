"""The polite HTTP client of the web source: one clear User-Agent, a delay between two
requests to one host, bounded connections, timeouts, a few retries with back-off on 5xx,
429 and timeouts, a size cap, and conditional requests when the caller sends the headers.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from search.os_errors import os_reason
from search.russian_numbers import whole

__all__ = ["USER_AGENT", "CrawlOptions", "FetchError", "Answer", "Fetcher",
           "conditional_headers"]

logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise

USER_AGENT = "Kartoteka/0.1 (+library search indexer)"


@dataclass
class CrawlOptions:
    """How politely and how much a crawl fetches (max_pages and incremental are read by
    the crawl itself, indexer/web.py)."""

    delay: float = 0.5          # seconds between two requests to one host
    concurrency: int = 2
    timeout: float = 15.0
    retries: int = 2
    backoff: float = 0.5        # first retry waits this long, then doubles
    max_pages: int = 5000
    depth: int = 5              # link levels followed from the start page (no sitemap/feed)
    max_bytes: int = 20_000_000
    incremental: bool = False


class FetchError(Exception):
    """No usable answer: connection failure, timeout or 5xx after the retries."""


@dataclass
class Answer:
    url: str
    status: int
    headers: dict
    content: bytes
    permanent: bool = False  # reached through permanent redirects (301/308) only


def conditional_headers(entry: dict | None) -> dict:
    """If-None-Match / If-Modified-Since from what the last run saw of an address."""
    entry = entry or {}
    headers = {}
    if entry.get("etag"):
        headers["If-None-Match"] = entry["etag"]
    if entry.get("last_modified"):
        headers["If-Modified-Since"] = entry["last_modified"]
    return headers


MAX_REDIRECTS = 5
PAGE_TIMEOUTS = 4  # an answer's body may come slowly for this many timeouts (each read's own)
MIN_RATE = 10_000  # ... then at least this many bytes a second on average


def _reason(exc: Exception) -> str:
    """What went wrong, in the system's words (Russian for the usual ones, search/
    os_errors.py): «Name or service not known», not only the exception's class."""
    text = str(exc).strip()
    if found := re.match(r"\[Errno (-?\d+)\] (.*)", text, re.DOTALL):
        text = os_reason(OSError(int(found[1]), found[2]))
    if type(exc).__name__ in _KINDS:  # the system's words, else the kind in Russian
        return text or _KINDS[type(exc).__name__]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# httpx's errors that reach _reason (timeouts and redirect loops are said before it): a
# cron mail had «соединение не удалось (ConnectError: в соединении отказано)»
_KINDS = {"ConnectError": "нет соединения", "ReadError": "ответ оборвался",
          "WriteError": "запрос не отправлен", "RemoteProtocolError": "сайт нарушил протокол HTTP",
          "LocalProtocolError": "ошибка протокола HTTP", "ProxyError": "ошибка прокси",
          "UnsupportedProtocol": "адрес не http(s)", "DecodingError": "ответ не раскодирован"}


class Fetcher:
    """GET with the politeness rules above; shared by the crawl's threads."""

    def __init__(self, options: CrawlOptions):
        import httpx

        self.httpx = httpx
        self.options = options
        self.client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            timeout=options.timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS,
            limits=httpx.Limits(max_connections=max(1, options.concurrency) * 2))
        self.lock = threading.Lock()
        self._stopping = threading.Event()  # set by cancel(): the crawl is stopping
        self.next_slot: dict[str, float] = {}
        self.delays: dict[str, float] = {}  # per host, when robots.txt asks for more
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def cancel(self) -> None:
        """Stop: a request under way gives up at its next read, a wait for its turn or a
        retry ends, none starts (a SIGTERM had waited for a page sent a byte at a time,
        the pool's threads being joined)."""
        self._stopping.set()

    def _check(self) -> None:
        if self._stopping.is_set():
            raise FetchError("обход остановлен")

    def _wait_turn(self, host: str) -> None:
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot.get(host, 0.0))
            self.next_slot[host] = slot + self.delays.get(host, self.options.delay)
            self.requests += 1
        if slot > now:
            self._stopping.wait(slot - now)

    def get(self, url: str, headers: dict | None = None) -> Answer:
        host = urlsplit(url).netloc.lower()
        last = "нет ответа"
        for attempt in range(self.options.retries + 1):
            if attempt:
                self._stopping.wait(self.options.backoff * 2 ** (attempt - 1))
            self._check()
            self._wait_turn(host)
            self._check()
            try:
                with self.client.stream("GET", url, headers=headers or {}) as response:
                    if response.status_code >= 500 or response.status_code == 429:
                        last = f"HTTP {response.status_code}"
                        continue
                    content = b""
                    if response.status_code == 200:
                        content = self._read(response)
                    moves = [r.status_code for r in response.history]
                    return Answer(str(response.url), response.status_code,
                                  dict(response.headers), content,
                                  bool(moves) and set(moves) <= {301, 308})
            except self.httpx.TimeoutException:
                last = f"нет ответа за {self.options.timeout:g} с"
            except (self.httpx.UnsupportedProtocol, self.httpx.InvalidURL) as exc:
                # a redirect to `file:` or `javascript:`: no try mends it (it had been
                # retried, or printed a traceback)
                raise FetchError(f"перенаправление на адрес не http(s) ({_reason(exc)})"
                                 ) from None
            except self.httpx.TransportError as exc:
                last = f"соединение не удалось ({_reason(exc)})"
            except self.httpx.TooManyRedirects:
                raise FetchError(f"больше {MAX_REDIRECTS} перенаправлений (петля?)") from None
            except self.httpx.RequestError as exc:  # an answer no other try would mend
                raise FetchError(f"испорченный ответ ({_reason(exc)})") from None
        attempts = self.options.retries + 1
        raise FetchError(f"{last} (попыток: {attempts})")

    def _read(self, response) -> bytes:
        """The body, given up as soon as it passes the size cap, or when, past
        PAGE_TIMEOUTS times the timeout, it has come slower than MIN_RATE: the timeout is
        per read, and a site sending a byte every half second had held the crawl for
        ever (a large file on a slow link goes on)."""
        chunks, size = [], 0
        started = time.monotonic()
        grace = PAGE_TIMEOUTS * self.options.timeout
        for chunk in response.iter_bytes():
            self._check()
            took = time.monotonic() - started
            if took > grace and size < MIN_RATE * took:
                raise FetchError(f"ответ идёт слишком медленно: {whole(size)} байт за "
                                 f"{took:.0f} с")
            size += len(chunk)
            if size > self.options.max_bytes:
                raise FetchError(f"слишком большой ответ (> {whole(self.options.max_bytes)} байт)")
            chunks.append(chunk)
        return b"".join(chunks)
