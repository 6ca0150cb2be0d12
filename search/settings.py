"""One settings object, built from environment variables; CLI flags override it.

The index directory, unless set, depends on where Kartoteka runs (`locate_index_dir`):
inside a source checkout it is the checkout's `index_data/index`, elsewhere (an installed
package) the user's data directory, never the installed package's own directory
(search/index_dir.py). Each value is read and checked by search/setting_values.py.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from search.cluster_settings import check_node_urls, check_prefix
from search.errors import ConfigError
from search.index_dir import INDEX_DIR_ENV, locate_index_dir
from search.setting_values import (
    check_range,
    convert_setting,
    normal_base_path,
    normal_origin,
)
from search.weights import LIBRARY_WEIGHT

__all__ = ["Settings", "SAMPLE_DIR", "PROJECT_ROOT"]

SAMPLE_DIR = Path(__file__).resolve().parent / "data" / "sample"  # package data: works installed
# The directory above the packages: the checkout in a source tree, site-packages when
# installed. Only tests and bench/ may use it; the service never writes there.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


MIN_TOKEN = 16  # fewer characters: `kartoteka serve` warns that it is easily guessed


def _setting(default, env: str, help: str, low=None, high=None, shown: str | None = None,
             factory=None):
    """A field with its environment variable, help and accepted range (low/high inclusive)."""
    meta = {"env": env, "help": help, "low": low, "high": high, "shown": shown}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """Every knob of the service, each with the environment variable that sets it."""

    index_dir: Path = _setting(
        None, INDEX_DIR_ENV,
        "Directory holding the index generations and the CURRENT pointer.",
        shown="index_data/index in a source checkout, else the user data directory",
        factory=lambda: locate_index_dir({})[0])
    engine: str = _setting(
        "whoosh", "KARTOTEKA_ENGINE",
        "Index engine: whoosh (embedded, in the index directory) or opensearch (a cluster).")
    opensearch_url: tuple[str, ...] = _setting(
        ("http://127.0.0.1:9200",), "KARTOTEKA_OPENSEARCH_URL",
        "Comma-separated node URLs of the OpenSearch cluster (user:password@ for basic auth).")
    opensearch_prefix: str = _setting(
        "kartoteka", "KARTOTEKA_OPENSEARCH_PREFIX",
        "Name of the alias searched; each generation is an index <prefix>-<generation>.")
    opensearch_ca_certs: Path | None = _setting(
        None, "KARTOTEKA_OPENSEARCH_CA_CERTS", "CA bundle for https:// node URLs.")
    opensearch_verify_certs: int = _setting(
        1, "KARTOTEKA_OPENSEARCH_VERIFY_CERTS",
        "0 (or no, false, off) to skip TLS certificate checks (testing only).",
        0, 1)
    opensearch_shards: int = _setting(
        2, "KARTOTEKA_OPENSEARCH_SHARDS", "Primary shards of a new index generation.", 1, 1024)
    opensearch_replicas: int = _setting(
        1, "KARTOTEKA_OPENSEARCH_REPLICAS", "Replicas of each shard once a rebuild is done.",
        0, 16)
    page_size: int = _setting(10, "KARTOTEKA_PAGE_SIZE", "Default hits per page.", 1)
    max_page_size: int = _setting(
        100, "KARTOTEKA_MAX_PAGE_SIZE", "Largest per_page accepted.", 1, 10_000)
    max_query_length: int = _setting(
        500, "KARTOTEKA_MAX_QUERY_LENGTH", "Longest query string accepted, in characters.",
        1, 100_000)
    facet_limit: int = _setting(30, "KARTOTEKA_FACET_LIMIT", "Values returned per facet.", 1)
    recency_weight: float = _setting(
        0.1, "KARTOTEKA_RECENCY_WEIGHT",
        "Mild recency bonus: a fresh publication's score is multiplied by up to 1 + this.",
        0.0, 100.0)
    library_weight: float = _setting(
        LIBRARY_WEIGHT, "KARTOTEKA_LIBRARY_WEIGHT",
        "Prior for a publication naming the library (search/weights.py LIBRARY_LEMMAS): its "
        "score is multiplied by 1 + this; 0 for a corpus that is not a library's.",
        0.0, 100.0)
    recency_half_life_days: float = _setting(
        730.0, "KARTOTEKA_RECENCY_HALF_LIFE_DAYS", "Age at which the recency bonus halves.",
        0.001)
    title_boost: float = _setting(3.0, "KARTOTEKA_TITLE_BOOST", "BM25F weight of the title.",
                                 0.001, 1000.0)
    synonyms_file: Path | None = _setting(
        None, "KARTOTEKA_SYNONYMS_FILE",
        "Editable abbreviation/synonym dictionary; the shipped starter list when unset.")
    topics_file: Path | None = _setting(
        None, "KARTOTEKA_TOPICS_FILE",
        "Editable topic dictionary (topic: lemmas); the shipped one when unset.")
    categories_file: Path | None = _setting(
        None, "KARTOTEKA_CATEGORIES_FILE",
        "Editable mapping of source categories onto topics (rubric = Topic); the shipped one "
        "when unset.")
    admin_token: str | None = _setting(
        None, "KARTOTEKA_ADMIN_TOKEN", "Bearer token for PUT/DELETE; admin routes answer 403 when unset.")
    cors_origins: tuple[str, ...] = _setting(
        (), "KARTOTEKA_CORS_ORIGINS", "Comma-separated origins allowed to call the search API (https://host[:port]; "
        "* for any).")
    base_path: str = _setting(
        "", "KARTOTEKA_BASE_PATH", "Path the service is published under behind a proxy "
        "(/search for https://library.example.ru/search/); empty at the root of a host.")
    write_wait_seconds: float = _setting(
        10.0, "KARTOTEKA_WRITE_WAIT_SECONDS",
        "Most seconds a PUT or DELETE waits for another writer (an incremental reindex "
        "writes for its whole run) before answering 503 with Retry-After; below the "
        "workers' 30-s timeout.", 0.0, 25.0)
    max_body_bytes: int = _setting(
        1_000_000, "KARTOTEKA_MAX_BODY_BYTES", "Largest request body accepted by PUT.", 1)
    host: str = _setting("127.0.0.1", "KARTOTEKA_HOST", "Address `kartoteka serve` binds.")
    port: int = _setting(8000, "KARTOTEKA_PORT", "Port `kartoteka serve` binds.", 1, 65535)
    workers: int = _setting(3, "KARTOTEKA_WORKERS", "gunicorn worker processes.", 1, 64)
    exports_at_once: int = _setting(
        1, "KARTOTEKA_EXPORTS_AT_ONCE",
        "Most exports (/api/export) served at a time across the workers; another is "
        "answered 503 with Retry-After, and searches keep the other workers.", 1, 64)
    request_seconds: float = _setting(
        10.0, "KARTOTEKA_REQUEST_SECONDS",
        "Most seconds a client may take to send its request (a worker serves one connection "
        "at a time); a slower one is disconnected.", 0.1, 3600.0)
    reload_interval: float = _setting(
        0.25, "KARTOTEKA_RELOAD_INTERVAL",
        "Seconds between full checks for a new index generation (Whoosh also looks whenever "
        "its directories' times change: every search sees the last reindex, PUT or DELETE).",
        0.0, 86_400.0)
    postings_cache_mb: int = _setting(
        160, "KARTOTEKA_POSTINGS_CACHE_MB",
        "Most memory per worker for cached posting arrays; within it the cache sizes itself "
        "from the index (about 40 bytes per posting: ~55 MB for the real 3,400-publication "
        "corpus, the whole budget at 100,000, where a worker holds ~570 MB in all).",
        0, 1_000_000)
    stale_after_hours: float = _setting(
        48.0, "KARTOTEKA_STALE_AFTER_HOURS", "/api/health reports the index stale after this age.",
        0.0)
    max_source_bytes: int = _setting(
        20_000_000, "KARTOTEKA_MAX_SOURCE_BYTES", "Source files larger than this are skipped.", 1)

    def __post_init__(self):
        for f in dataclasses.fields(self):
            check_range(f, getattr(self, f.name))
        if self.engine not in ("whoosh", "opensearch"):
            raise ConfigError(f"KARTOTEKA_ENGINE={self.engine!r}: можно whoosh или opensearch")
        if self.engine == "opensearch":
            check_node_urls(self.opensearch_url)
            check_prefix(self.opensearch_prefix)
            if self.opensearch_ca_certs is not None and not self.opensearch_ca_certs.is_file():
                raise ConfigError(f"KARTOTEKA_OPENSEARCH_CA_CERTS: нет файла "
                                  f"{self.opensearch_ca_certs}")
        if self.admin_token is not None:  # pasted from a file: its line end is no part of it
            if not self.admin_token.strip():
                raise ConfigError("KARTOTEKA_ADMIN_TOKEN — одни пробелы: задайте токен (не "
                                  f"короче {MIN_TOKEN} символов) или оставьте переменную "
                                  "пустой, чтобы отказывать в любых изменениях")
            object.__setattr__(self, "admin_token", self.admin_token.strip())
        object.__setattr__(self, "cors_origins", tuple(normal_origin(o) for o in self.cors_origins))
        object.__setattr__(self, "base_path", normal_base_path(self.base_path))
        if self.page_size > self.max_page_size:
            raise ConfigError(f"KARTOTEKA_PAGE_SIZE ({self.page_size}) больше, чем "
                              f"KARTOTEKA_MAX_PAGE_SIZE ({self.max_page_size})")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Build settings from `environ` (default: os.environ), then apply overrides.

        A value that cannot be used raises ConfigError naming its variable.
        """
        environ = os.environ if environ is None else environ
        values = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = convert_setting(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "index_dir" not in values:
            values["index_dir"] = locate_index_dir(environ)[0]
        return cls(**values)

    def replace(self, **changes) -> Settings:
        """A copy with the non-None changes applied (CLI flags)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def unknown(cls, environ: Mapping[str, str] | None = None) -> list[tuple[str, str | None]]:
        """(variable, the setting it probably means or None) for each KARTOTEKA_ variable
        that is no setting (`KARTOTEKA_PROT`): a misspelt one was ignored without a word
        (an admin token never set, so every PUT answered 403)."""
        environ = os.environ if environ is None else environ
        known = {f.metadata["env"] for f in dataclasses.fields(cls)} | {INDEX_DIR_ENV}
        tails = {k.removeprefix("KARTOTEKA_"): k for k in known}
        out = []
        for name in sorted(environ):
            if name.startswith("KARTOTEKA_") and name not in known \
                    and not name.startswith("KARTOTEKA_TEST_"):  # the test suite's own
                near = difflib.get_close_matches(name.removeprefix("KARTOTEKA_"), tails, n=1,
                                                 cutoff=0.7)
                out.append((name, tails[near[0]] if near else None))
        return out

    @classmethod
    def check_environment(cls, environ: Mapping[str, str] | None = None) -> list[str]:
        """Warnings for KARTOTEKA_ variables that are no setting; a ConfigError for one
        that misspells a setting (`KARTOTEKA_INDEX_DI`): ignored, it made a nightly cron
        reindex build another index elsewhere, exit 0, and the served one grew stale."""
        found = cls.unknown(environ)
        misspelt = [f"{name} — не настройка (может быть, {meant}?)"
                    for name, meant in found if meant]
        if misspelt:
            raise ConfigError("; ".join(misspelt) + ": исправьте имя или уберите переменную")
        return [f"{name} — не настройка; переменная не учитывается" for name, _ in found]

    @classmethod
    def documented(cls) -> list[tuple[str, str, str]]:
        """(env var, default, help) for every setting, for --help and the README."""
        return [(f.metadata["env"], f.metadata["shown"] or repr(f.default), f.metadata["help"])
                for f in dataclasses.fields(cls)]
