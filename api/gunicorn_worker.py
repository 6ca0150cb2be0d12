"""gunicorn's sync worker with a deadline for a client to send its request.

A sync worker serves one connection at a time and reads it blocking. A client that sends
its request slowly (slowloris: a header line every few seconds) held the worker until the
master killed it for silence (`timeout`, 30 s, with a "WORKER TIMEOUT" error), so as many
such clients as workers stopped the search. Here reading a request, headers and body, has
a total deadline (KARTOTEKA_REQUEST_SECONDS); when it passes, the connection reads as
closed: gunicorn drops it quietly, or the app answers the body cut short with its JSON 400.
Writing the answer has no deadline. A site that expects hostile clients still puts a
buffering proxy (nginx) in front, as gunicorn's documentation advises.
"""

from __future__ import annotations

import socket
import time

from gunicorn.workers.sync import SyncWorker

from search.settings import Settings

__all__ = ["DeadlineSyncWorker", "LOOK_SECONDS"]

LOOK_SECONDS = 5.0  # an idle worker lets go of a replaced index within this and timeout / 2


class _ReadDeadline:
    """A client socket whose reads end (as end of stream) at a deadline."""

    __slots__ = ("_sock", "_deadline")

    def __init__(self, sock: socket.socket, seconds: float):
        self._sock = sock
        self._deadline = time.monotonic() + seconds

    def recv(self, size: int, *flags) -> bytes:
        left = self._deadline - time.monotonic()
        if left <= 0:
            return b""
        timeout = self._sock.gettimeout()
        self._sock.settimeout(left)
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            return b""
        finally:
            self._sock.settimeout(timeout)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class DeadlineSyncWorker(SyncWorker):
    """SyncWorker, each connection read within Settings.request_seconds; and, idle, it
    still looks at the index now and then (see `notify`)."""

    request_seconds = 10.0
    _looked = 0.0

    def init_process(self):
        self.request_seconds = Settings.from_env().request_seconds
        super().init_process()

    def notify(self):
        """The worker's heartbeat, between requests and at least every `timeout / 2`
        seconds when idle: every LOOK_SECONDS it also lets the app look at the index. A
        worker that served no request after a reindex had kept the replaced generation's
        files open, deleted, until its next visitor (125 MB on the real corpus)."""
        super().notify()
        now = time.monotonic()
        if now - self._looked < LOOK_SECONDS:
            return
        self._looked = now
        look = getattr(self.wsgi, "keep_current", None)
        if look is not None:
            try:
                look()
            except Exception:  # noqa: BLE001 - a request will meet and report it
                self.log.exception("не удалось проверить, не появился ли новый индекс")

    def handle(self, listener, client, addr):
        super().handle(listener, _ReadDeadline(client, self.request_seconds), addr)
