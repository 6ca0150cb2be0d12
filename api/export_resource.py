"""`GET /api/export`: every matching publication as CSV or XLSX, streamed, a few at once.

An export of everything takes a worker 1-2 s on the real corpus. Twenty sent at once
held every worker, and a search waited behind them for 10 s (a security tester's
trial). So at most `exports_at_once` exports run at a time across the workers: a slot
is a lock file (flock), let go when the export's stream ends, is closed, or its worker
dies; an export that finds no free slot is answered 503 at once, with Retry-After, and
the other workers go on serving searches.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import falcon

from api.params import bad_parameter, choice_param, search_request, shown
from api.site_origin import pages_base
from search import export
from search.plural import plural
from search.searcher import SearchService
from search.settings import Settings

__all__ = ["Export", "EXPORT_COLUMNS", "RETRY_SECONDS", "slots_dir"]

EXPORT_COLUMNS = export.COLUMNS
RETRY_SECONDS = 3  # an export of the whole real corpus takes 1-2 s


class Export:
    """Every matching publication as CSV (`;`, BOM, Russian headers) or XLSX, streamed."""

    def __init__(self, service: SearchService, settings: Settings):
        self.service, self.settings = service, settings
        self.slots = slots_dir(settings)

    def on_get(self, req, resp):
        fmt = choice_param(req, "format") or "csv"
        if fmt not in export.FORMATS:
            raise bad_parameter(f"неизвестный формат {shown(fmt, 20)}: можно csv или xlsx",
                                "format")
        request = search_request(req, self.settings, paged=False)
        slot = self._take_slot()
        try:
            hits = self.service.export_hits(request)
            first = next(hits, None)  # errors (no index, bad query) still answer as JSON
            # saved as «Картотека — выставки.csv»; a client that cannot read filename*
            # gets the Latin name
            head = self.service.export_head(request)
            name = export.file_name(request, head.did_you_mean if head.corrected else None,
                                    head.relaxed)
        except BaseException:
            os.close(slot)
            raise
        resp.content_type = export.CONTENT_TYPES[fmt]
        resp.set_header("Content-Disposition", f'attachment; filename="kartoteka.{fmt}"; '
                        f"filename*=UTF-8''{quote(name)}.{fmt}")
        # a library's post with no address of its own: its page here (/p/<id>)
        # (under the base path also when the proxy stripped it from the request)
        pages = pages_base(req, self.settings.base_path or req.root_path)
        resp.stream = _Holding(slot, export.stream(
            _chain(first, hits), fmt, lambda hit: hit.url or pages + quote(hit.id, safe="")))

    def _take_slot(self) -> int:
        """A locked slot file's descriptor, or 503 when every slot is taken."""
        for n in range(self.settings.exports_at_once):
            fd = os.open(self.slots / f"slot-{n}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                os.close(fd)
        raise falcon.HTTPServiceUnavailable(
            title="Выгрузка занята",
            description=f"сейчас уже идут выгрузки ({self.settings.exports_at_once} "
                        f"одновременно): повторите через {RETRY_SECONDS} "
                        f"{plural(RETRY_SECONDS, 'секунду', 'секунды', 'секунд')}",
            retry_after=RETRY_SECONDS)


def slots_dir(settings: Settings) -> Path:
    """A directory of slot files per index and user (the index's own may be read-only)."""
    key = hashlib.blake2b(str(settings.index_dir.resolve()).encode() +
                          settings.opensearch_prefix.encode(), digest_size=8).hexdigest()
    path = Path(tempfile.gettempdir()) / f"kartoteka-exports-{os.getuid()}-{key}"
    path.mkdir(mode=0o700, exist_ok=True)
    found = path.lstat()
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid():
        # another user's, or a link put there: slots of this process only, not shared
        return Path(tempfile.mkdtemp(prefix="kartoteka-exports-"))
    return path


class _Holding:
    """`body`, its slot let go when it ends or is closed: a WSGI server closes it also when
    the client went away, even before its first piece (a generator not yet started runs
    no `finally` when closed)."""

    def __init__(self, slot: int, body: Iterator[bytes]):
        self.slot: int | None = slot
        self.body = body

    def __iter__(self) -> _Holding:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self.body)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.slot is not None:
            os.close(self.slot)
            self.slot = None
        close = getattr(self.body, "close", None)
        if close is not None:
            close()

    def __del__(self) -> None:
        self.close()


def _chain(first, rest):
    if first is not None:
        yield first
        yield from rest
