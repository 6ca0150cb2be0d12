"""gunicorn settings for `kartoteka serve`, from the same Settings as the app.

A module of the package (`--config python:api.gunicorn_conf`), so an installed copy has it.

preload_app loads pymorphy3's dictionaries once in the master, so forked workers
share their memory; each worker opens the index on its first request and keeps it.
"""

import logging

from search.settings import Settings

_settings = Settings.from_env()
bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
worker_class = "sync"
preload_app = True
timeout = 30
graceful_timeout = 10
max_requests = 50000  # a fresh worker reopens the index and starts cold: not every few seconds
max_requests_jitter = 5000
limit_request_line = 8190
accesslog = None  # the app's AccessLog middleware writes one JSON line per request
loglevel = "info"


def on_starting(server):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
