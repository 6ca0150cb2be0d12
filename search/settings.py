"""One settings object, built from environment variables; CLI flags override it."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Settings", "PROJECT_ROOT", "SAMPLE_DIR"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "index_data" / "sample"


def _setting(default, env: str, help: str):
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    """Every knob of the service, each with the environment variable that sets it."""

    index_dir: Path = _setting(
        PROJECT_ROOT / "index_data" / "index", "KARTOTEKA_INDEX_DIR",
        "Directory holding the index generations and the CURRENT pointer.")
    page_size: int = _setting(10, "KARTOTEKA_PAGE_SIZE", "Default hits per page.")
    max_page_size: int = _setting(100, "KARTOTEKA_MAX_PAGE_SIZE", "Largest per_page accepted.")
    max_query_length: int = _setting(
        500, "KARTOTEKA_MAX_QUERY_LENGTH", "Longest query string accepted, in characters.")
    facet_limit: int = _setting(30, "KARTOTEKA_FACET_LIMIT", "Values returned per facet.")
    recency_weight: float = _setting(
        0.1, "KARTOTEKA_RECENCY_WEIGHT",
        "Mild recency bonus: a fresh publication's score is multiplied by up to 1 + this.")
    recency_half_life_days: float = _setting(
        730.0, "KARTOTEKA_RECENCY_HALF_LIFE_DAYS", "Age at which the recency bonus halves.")
    title_boost: float = _setting(3.0, "KARTOTEKA_TITLE_BOOST", "BM25F weight of the title.")
    synonyms_file: Path | None = _setting(
        None, "KARTOTEKA_SYNONYMS_FILE",
        "Editable abbreviation/synonym dictionary; the shipped starter list when unset.")
    topics_file: Path | None = _setting(
        None, "KARTOTEKA_TOPICS_FILE",
        "Editable topic dictionary (topic: lemmas); the shipped one when unset.")
    admin_token: str | None = _setting(
        None, "KARTOTEKA_ADMIN_TOKEN", "Bearer token for PUT/DELETE; admin routes answer 403 when unset.")
    cors_origins: tuple[str, ...] = _setting(
        (), "KARTOTEKA_CORS_ORIGINS", "Comma-separated origins allowed to call the search API.")
    max_body_bytes: int = _setting(
        1_000_000, "KARTOTEKA_MAX_BODY_BYTES", "Largest request body accepted by PUT.")
    host: str = _setting("127.0.0.1", "KARTOTEKA_HOST", "Address `kartoteka serve` binds.")
    port: int = _setting(8000, "KARTOTEKA_PORT", "Port `kartoteka serve` binds.")
    workers: int = _setting(3, "KARTOTEKA_WORKERS", "gunicorn worker processes.")
    reload_interval: float = _setting(
        0.25, "KARTOTEKA_RELOAD_INTERVAL", "Seconds between checks for a new index generation.")
    postings_cache_mb: int = _setting(
        48, "KARTOTEKA_POSTINGS_CACHE_MB",
        "Posting arrays kept per worker for scoring; the real 3,400-publication corpus needs "
        "about 40 MB, 100,000 publications about 500 MB for the same hit rate.")
    stale_after_hours: float = _setting(
        48.0, "KARTOTEKA_STALE_AFTER_HOURS", "/api/health reports the index stale after this age.")
    max_source_bytes: int = _setting(
        20_000_000, "KARTOTEKA_MAX_SOURCE_BYTES", "Source files larger than this are skipped.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Build settings from `environ` (default: os.environ), then apply overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = _convert(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes) -> Settings:
        """A copy with the non-None changes applied (CLI flags)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def documented(cls) -> list[tuple[str, str, str]]:
        """(env var, default, help) for every setting, for --help and the README."""
        return [(f.metadata["env"], repr(f.default), f.metadata["help"])
                for f in dataclasses.fields(cls)]


def _convert(f: dataclasses.Field, raw: str):
    kind = str(f.type)
    if "tuple" in kind:
        return tuple(p.strip() for p in raw.split(",") if p.strip())
    if "Path" in kind:
        return Path(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    return raw
