"""gunicorn settings for `kartoteka serve`, from the same Settings as the app.

A module of the package (`--config python:api.gunicorn_conf`), so an installed copy has it.

preload_app loads pymorphy3's dictionaries once in the master, so forked workers
share their memory; each worker opens the index on its first request and keeps it.
"""

import json
import logging
from http import HTTPStatus

from gunicorn import util

from api.errors import russian
from search.settings import MIN_TOKEN, Settings

_settings = Settings.from_env()
bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
worker_class = "api.gunicorn_worker.DeadlineSyncWorker"  # sync, a slow client cut off
preload_app = True
timeout = 30
graceful_timeout = 10
max_requests = 50000  # a fresh worker reopens the index and starts cold: not every few seconds
max_requests_jitter = 5000
limit_request_line = 8190  # gunicorn's most; a longer line gets the JSON 400 below
accesslog = None  # the app's AccessLog middleware writes one JSON line per request
loglevel = "info"
# gunicorn 25+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl):
# two `kartoteka serve` would share it, and a read-only home logs an error at every start.
control_socket_disable = True


def post_worker_init(worker):
    """Each worker opens the index before its first visitor (after the fork: workers
    must not share the master's open files)."""
    warm = getattr(worker.wsgi, "warm", None)
    if warm is not None:
        warm()


def on_starting(server):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    token = _settings.admin_token
    if token is not None and len(token) < MIN_TOKEN:  # no limit on tries: guessable
        logging.getLogger("kartoteka").warning(
            "в KARTOTEKA_ADMIN_TOKEN символов: %d; токен хотя бы из %d случайных символов "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(24))') не подобрать "
            "перебором", len(token), MIN_TOKEN)
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
    # the access log: each line the JSON object alone (its time inside), for a log shipper
    access = logging.getLogger("kartoteka.access")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    access.propagate = False


def _json_error(sock, status_int, reason, mesg):
    """gunicorn's own answers to a request it cannot parse (a request line over its limit:
    a query of 1,400+ Cyrillic letters, percent-encoded; a malformed request line) as the
    API's JSON errors, instead of its HTML page. The workers call util.write_error."""
    title, description = russian(status_int, None, None)
    if status_int == 400 and "too large" in str(mesg).lower():
        description = "строка запроса слишком длинная: сократите запрос"
    elif status_int == 400 and "line" in str(mesg).lower():
        description = "строка запроса неверная: ожидается «GET /адрес HTTP/1.1»"
    body = json.dumps({"title": title, "description": description},
                      ensure_ascii=False).encode("utf-8")
    try:  # gunicorn says «Bad Request» with its 501 for an unknown Transfer-Encoding
        reason = HTTPStatus(status_int).phrase
    except ValueError:
        pass
    # the headers are not read yet (no Origin to answer): a site listed for CORS gets
    # this fixed text readable by its script, not a bare network error
    cors = "Access-Control-Allow-Origin: *\r\n" if _settings.cors_origins else ""
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n{cors}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = _json_error
