"""gunicorn settings for `kartoteka serve` and `make run`.

preload_app loads pymorphy3's dictionaries once in the master, so forked workers
share their memory; each worker opens the index on its first request and keeps it.
"""

import logging
import os

bind = os.environ.get("KARTOTEKA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("KARTOTEKA_WORKERS", "3"))
worker_class = "sync"
preload_app = True
timeout = 30
graceful_timeout = 10
max_requests = 5000
max_requests_jitter = 500
limit_request_line = 8190
accesslog = None  # our AccessLog middleware writes structured lines instead
loglevel = "info"


def on_starting(server):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)


def when_ready(server):
    from search.morph import get_analyzer

    get_analyzer()  # loaded in the master before fork: shared by every worker
