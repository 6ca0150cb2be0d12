"""Cross-cutting HTTP concerns: CORS for public routes, security headers, body limits, access log."""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import json
import logging
import re
import time
import urllib.parse

import falcon

from api.params import bad_parameter
from search.settings import Settings

__all__ = ["PublicCors", "SecurityHeaders", "BodyLimit", "Utf8QueryString", "AccessLog"]

access_log = logging.getLogger("kartoteka.access")
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")
_HEADER_LIST = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*")
EXPOSED_HEADERS = "Content-Disposition, Retry-After, ETag"
_PUBLIC_PREFIXES = ("/api/search", "/api/suggest", "/api/facets", "/api/export", "/api/health",
                    "/openapi.json")


class PublicCors:
    """CORS for the read-only search API only; admin (PUT/DELETE) routes are never opened."""

    def __init__(self, settings: Settings):
        self.origins = set(settings.cors_origins)

    def _allowed(self, req: falcon.Request, unrouted: bool = False) -> str | None:
        """The origin to open the answer to, if any; `unrouted`: an /api/ address no route
        takes, whose 404 a site's script reads (not a CORS failure in its console)."""
        origin = req.get_header("Origin")
        if not origin or not self.origins:
            return None
        if not (req.path.startswith(_PUBLIC_PREFIXES) or unrouted
                or (req.path.startswith("/api/publications/") and req.method in ("GET", "OPTIONS")
                    and (req.get_header("Access-Control-Request-Method") or "GET") == "GET")):
            return None
        if "*" in self.origins:
            return "*"
        return origin if origin.lower() in self.origins else None

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.method == "OPTIONS" and req.get_header("Access-Control-Request-Method"):
            allowed = self._allowed(req)
            resp.status = falcon.HTTP_204 if allowed else falcon.HTTP_403
            if allowed:
                self._open(resp, allowed)
                resp.set_header("Access-Control-Allow-Methods", "GET")
                # any header a site's fetch wrapper adds (X-Requested-With, traceparent):
                # these routes only read, and what a header says is never looked at
                asked = req.get_header("Access-Control-Request-Headers") or ""
                resp.set_header("Access-Control-Allow-Headers",
                                asked if _HEADER_LIST.fullmatch(asked) else "Content-Type")
                resp.set_header("Access-Control-Max-Age", "600")
                # the answer echoes what was asked: a cache must not give it to other asks
                resp.append_header("Vary", "Access-Control-Request-Headers")
            else:  # every error is {"title", "description"}, this refusal too
                resp.media = {"title": "Доступ запрещён", "description": self._refusal(req)}
            resp.complete = True

    def _refusal(self, req: falcon.Request) -> str:
        """Why a preflight is refused: the site is not listed, or (a listed site) what it
        asks to send is a write, which only the server with the admin token may make."""
        origin = req.get_header("Origin") or "(без Origin)"
        method = req.get_header("Access-Control-Request-Method") or ""
        if method not in ("GET", "HEAD") and ("*" in self.origins
                                              or origin.lower() in self.origins):
            return (f"с сайта {origin} открыт только просмотр (GET), а не {method}: запись и "
                    "удаление делает сервер сайта с ключом администратора")[:300]
        return f"этот адрес не открыт для запросов с сайта {origin}"[:300]

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        if req.method not in ("GET", "HEAD"):
            return
        allowed = self._allowed(req, resource is None and req.path.startswith("/api/"))
        if allowed:
            self._open(resp, allowed)
        elif self.origins and "*" not in self.origins and req.path.startswith(_PUBLIC_PREFIXES):
            # a shared cache must not hand this answer (without the header) to an allowed site
            resp.append_header("Vary", "Origin")

    @staticmethod
    def _open(resp: falcon.Response, allowed: str) -> None:
        resp.set_header("Access-Control-Allow-Origin", allowed)
        # what a site's script needs to read: an export's file name, when to try again
        # after a 503, the ETag of a cached answer
        resp.set_header("Access-Control-Expose-Headers", EXPOSED_HEADERS)
        if allowed != "*":  # axios' withCredentials, fetch's credentials: 'include'
            resp.set_header("Access-Control-Allow-Credentials", "true")
            resp.append_header("Vary", "Origin")


class SecurityHeaders:
    def process_response(self, req, resp, resource, req_succeeded) -> None:
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_header("Referrer-Policy", "strict-origin-when-cross-origin")
        if req.path != "/widget.js":
            resp.set_header("Content-Security-Policy", CSP)
            resp.set_header("X-Frame-Options", "SAMEORIGIN")


class BodyLimit:
    """Bodies over the limit are refused. A chunked body (no Content-Length; gunicorn
    de-chunks it) is read here, up to the limit, and handed on with its length: Falcon
    reads a body only as far as Content-Length says, so it would see none."""

    def __init__(self, settings: Settings):
        self.limit = settings.max_body_bytes

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        length = req.content_length
        if length is None and "chunked" in (req.get_header("Transfer-Encoding") or "").lower():
            try:
                body = req.stream.read(self.limit + 1)
            except OSError:  # gunicorn's InvalidChunkSize, ChunkMissingTerminator, NoMoreData
                raise falcon.HTTPBadRequest(
                    title="Неверное тело запроса",
                    description="тело запроса по частям (chunked) повреждено или оборвано"
                ) from None
            length = len(body)
            if length <= self.limit:
                req.env["wsgi.input"], req.env["CONTENT_LENGTH"] = io.BytesIO(body), str(length)
        if length is not None and length > self.limit:
            raise falcon.HTTPContentTooLarge(
                title="Слишком большое тело запроса",
                description=f"тело запроса больше {self.limit} байт")
        if length and "wsgi.input" in req.env and not isinstance(req.env["wsgi.input"], io.BytesIO):
            # Read whole here: a body cut short of its Content-Length (the client gave up
            # or lied) is refused, not stored as far as it came.
            try:
                body = req.stream.read(length)
            except OSError:
                body = b""
            if len(body) < length:
                raise falcon.HTTPBadRequest(
                    title="Неверное тело запроса",
                    description=f"тело запроса короче, чем сказано в Content-Length ({length} байт)")
            req.env["wsgi.input"] = io.BytesIO(body)


class Utf8QueryString:
    """A query string whose percent-escapes are not UTF-8 is refused: decoded leniently it
    would reach the search as replacement characters (`q=%D0%B2%FF` searched for «в�»)."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        raw = req.query_string
        if not raw:
            return
        try:  # WSGI hands the raw bytes over as latin-1 characters
            data = raw.encode("latin-1")
        except UnicodeEncodeError:  # already text (an in-process client)
            data = raw.encode("utf-8")
        try:
            urllib.parse.unquote_to_bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise bad_parameter("строка запроса — не UTF-8: закодируйте её в UTF-8") from None


class Utf8Path:
    """A path sent with raw UTF-8 bytes (`curl …/api/publications/ёлка`, not percent-
    encoded) reaches WSGI as latin-1 characters: read as the UTF-8 it was, as escaped
    paths are (it was «неверный id 'Ñ\x91лка'»)."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        path = req.path
        if path.isascii():
            return
        try:
            req.path = path.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass  # already text (percent-escapes, an in-process client), or no UTF-8


def _readable(query: str, limit: int = 200) -> str:
    """A query string as a person reads it (`q=выставка`, not `q=%D0%B2%D1%8B…`): an
    admin reading the log of a Russian site could not; bytes that are no UTF-8 stay
    escaped. JSON escapes whatever control characters it decodes to."""
    try:
        return urllib.parse.unquote_plus(query, errors="strict")[:limit]
    except UnicodeDecodeError:
        return query[:limit]


def _visitor(req: falcon.Request) -> str | None:
    """The visitor's address. Behind a reverse proxy on this machine (nginx) the
    connection is the proxy's own and the visitor is in X-Forwarded-For / Forwarded, to
    which each proxy appends the address it was called from: read from the right, the
    first address that is not a private one (our proxies) is the visitor, as Rails'
    `remote_ip` does. The left end is whatever the client sent, so it is believed only
    when everything after it is ours; junk is never logged. A header from anyone but a
    local proxy is not believed at all."""
    if req.remote_addr not in ("127.0.0.1", "::1"):
        return req.remote_addr
    chain = _forwarded_chain(req)
    for address in reversed(chain):
        if not address.is_private:
            return str(address)
    return str(chain[0]) if chain else req.remote_addr


def _forwarded_chain(req: falcon.Request) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses a local proxy forwarded, left to right, up to the first that is not
    an address (a forged or broken part ends what can be believed)."""
    if req.forwarded:
        parts = [element.src or "" for element in req.forwarded]
    else:
        parts = (req.get_header("X-Forwarded-For") or req.get_header("X-Real-IP") or "").split(",")
    chain: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for part in reversed(parts):
        address = _address(part)
        if address is None:
            break
        chain.append(address)
    return chain[::-1]


def _address(part: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """`203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]:4711` or `2001:db8::1`."""
    text = part.strip().strip('"')
    if text.startswith("["):
        text = text[1:text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class AccessLog:
    """One JSON line per request with its timing; a streamed body's (an export) when it
    has been sent, with its bytes: logged when the handler returned, an export of 2 s
    said 0.5 ms (a methodologist's trial)."""

    def process_request(self, req, resp) -> None:
        req.context.started = time.perf_counter()

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        started = getattr(req.context, "started", None) or time.perf_counter()
        entry = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                 "method": req.method, "path": req.path, "query": _readable(req.query_string),
                 "status": int(resp.status_code if hasattr(resp, "status_code") else 0),
                 "ms": 0.0, "remote": _visitor(req)}
        stream = getattr(resp, "stream", None)
        if stream is not None and not hasattr(stream, "read"):
            resp.stream = _LoggedWhenSent(stream, entry, started)
        else:
            _write(entry, started)


def _write(entry: dict, started: float, sent: int | None = None) -> None:
    entry["ms"] = round((time.perf_counter() - started) * 1000, 2)
    if sent is not None:
        entry["bytes"] = sent
    access_log.info(json.dumps(entry, ensure_ascii=False))


class _LoggedWhenSent:
    """A streamed body whose access-log line is written when the server closes it (sent,
    or the client gone), the body's own close() first."""

    def __init__(self, body, entry: dict, started: float):
        self.body, self.entry, self.started = iter(body), entry, started
        self.sent = 0
        self._inner = body
        self._logged = False

    def __iter__(self) -> _LoggedWhenSent:
        return self

    def __next__(self) -> bytes:
        piece = next(self.body)
        self.sent += len(piece)
        return piece

    def close(self) -> None:
        try:
            close = getattr(self._inner, "close", None)
            if close is not None:
                close()
        finally:
            if not self._logged:
                self._logged = True
                _write(self.entry, self.started, self.sent)

    def __del__(self) -> None:  # a HEAD: the body dropped, never closed by the server
        self.close()
