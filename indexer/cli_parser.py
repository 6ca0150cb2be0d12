"""The `kartoteka` command's arguments: the argparse parser of reindex, search, stats and
serve, and the argument types that check their values.

Bad usage is one `error: ...` line and exit 2. The global options (--index-dir, --quiet)
may stand before or after the command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from indexer.cli_support import EXIT_USAGE
from search.errors import InvalidRecord
from search.record_fields import parse_iso_date
from search.settings import Settings
from search.version import version

__all__ = ["build_parser"]


def _date(value: str) -> dt.date:
    """YYYY-MM-DD or ДД.ММ.ГГГГ, as the API's `from` and `to`."""
    try:
        date = parse_iso_date(value)
    except InvalidRecord as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if date is None:
        raise argparse.ArgumentTypeError("пустая дата")
    return date


def _number(kind, low, high=None):
    """An argparse type: `kind` (int or float) within low..high, both inclusive."""
    def convert(value: str):
        try:
            number = kind(value)
        except ValueError:
            number = None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{value!r} is not {what}")
        if number < low or (high is not None and number > high):
            limits = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"{value!r} is not {limits}")
        return number
    convert.__name__ = kind.__name__
    return convert


def _name(value: str) -> str:
    """An argparse type: a name with its runs of spaces made one; a blank one is refused
    (`--library="$LIB"` with the variable unset would unname every record it reads)."""
    name = " ".join(value.split())
    if not name:
        raise argparse.ArgumentTypeError("an empty name")
    return name


class _Parser(argparse.ArgumentParser):
    """argparse with one `error: ...` line (and exit 2) for bad usage instead of the usage text."""

    def error(self, message):
        message = " ".join(message.split())  # an argument holding a newline: still one line
        print(f"error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _global_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """--index-dir and --quiet, accepted before the command (top) and after it.

    After the command their defaults are SUPPRESS, so a value given before it stays.
    """
    unset = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument("--index-dir", type=Path, **unset,
                        help="index directory (default: $KARTOTEKA_INDEX_DIR, else index_data/"
                        "index in a source checkout, else the user data directory)")
    parser.add_argument("-q", "--quiet", action="store_true", **unset,
                        help="print only errors, skipped sources and records, and the summary (records "
                        "mended on the way are counted there by kind; no progress bar)")


def build_parser() -> argparse.ArgumentParser:
    settings_help = "\n".join(f"  {env:34} {h}" for env, _, h in Settings.documented())
    parser = _Parser(
        prog="kartoteka",
        description="Full-text search for Russian library publications.",
        epilog=f"Environment variables:\n{settings_help}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _global_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _reindex_parser(sub)
    _search_parser(sub)
    _global_options(sub.add_parser(
        "stats", help="document count, index size, generation and facets",
        description="Document count, index size, generation and facets of the index, and "
        "which index directory is used and why."), top=False)
    p = sub.add_parser("serve", help="serve the API and search page with gunicorn",
                       description="Serve the API and the search page with gunicorn "
                       "(settings from KARTOTEKA_* variables; these flags override them).")
    p.add_argument("--host", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=_number(int, 1, 65535), help="port (default 8000)")
    p.add_argument("--workers", type=_number(int, 1, 64), help="worker processes (default 3)")
    p.add_argument("--wait-for-index", action="store_true",
                   help="start even before the first reindex, answering 503 (health: "
                        "missing) until one is built (for a service manager; without it a "
                        "missing index is an error, exit 3)")
    _global_options(p, top=False)
    return parser


def _reindex_parser(sub) -> None:
    p = sub.add_parser("reindex", help="build or update the index from sources",
                       description="Index JSON Lines files, raw text and HTML pages, WordPress "
                       "exports (WXR, REST JSON), PDF/DOCX/ODT files, directories of them, and "
                       "websites (a site root, sitemap or RSS/Atom feed). A full rebuild writes a "
                       "new index and switches to it atomically; an interrupted run leaves the "
                       "previous index serving. Bad files are reported and skipped.")
    p.add_argument("sources", nargs="*",
                   help="files, directories or http(s) addresses of a site, sitemap or feed")
    p.add_argument("--sample", action="store_true",
                   help="index the sample publications shipped with Kartoteka (alone or with "
                   "SOURCES)")
    p.add_argument("--incremental", action="store_true",
                   help="add and update by id, remove documents whose source is gone; "
                   "for sites, ask only for what changed and remove pages answering 404/410")
    p.add_argument("--delay", type=_number(float, 0.0, 3600.0), default=0.5,
                   help="seconds between requests to one site (default 0.5)")
    p.add_argument("--concurrency", type=_number(int, 1, 64), default=2,
                   help="pages fetched at once (default 2)")
    p.add_argument("--timeout", type=_number(float, 0.1, 3600.0), default=15.0,
                   help="seconds before a request times out (default 15)")
    p.add_argument("--retries", type=_number(int, 0, 20), default=2,
                   help="retries after a timeout or 5xx answer (default 2)")
    p.add_argument("--max-pages", type=_number(int, 1), default=5000,
                   help="most pages taken from one site (default 5000)")
    p.add_argument("--depth", type=_number(int, 1, 100), default=5,
                   help="for a site with no sitemap or feed: link levels followed from the "
                   "start page, through lists of news to the posts (default 5)")
    p.add_argument("--library", metavar="NAME", type=_name,
                   help="the library of every publication read that names none (a library "
                   "indexing its own site or export); remembered for these sources, so "
                   "later runs without it name them the same way")
    p.add_argument("--allow-smaller", action="store_true",
                   help="let a full rebuild go live although it holds a fifth fewer "
                   "publications than the index it replaces, or an incremental run remove a "
                   "fifth of its sources' publications (refused otherwise, exit 1: an "
                   "export cut short)")
    p.add_argument("--if-missing", action="store_true",
                   help="do nothing when an index already exists (used by `make run`)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--procs", type=_number(int, 1, 64),
                   help="processes analysing documents in a full rebuild (default: the cores, "
                   "at most 4)")
    _global_options(p, top=False)


def _search_parser(sub) -> None:
    p = sub.add_parser("search", help="search the index from the command line",
                       description="Search the index; the query language is the search page's.")
    p.add_argument("query", nargs="?", default="", help="query text (empty: browse newest)")
    p.add_argument("--topic", action="append", default=[], help="filter by topic (repeatable)")
    p.add_argument("--author", action="append", default=[], help="filter by author")
    p.add_argument("--library", action="append", default=[], help="filter by library branch")
    p.add_argument("--year", action="append", default=[], type=_number(int, 1000, 9999),
                   help="filter by year")
    p.add_argument("--from", dest="date_from", type=_date, help="from date, YYYY-MM-DD or DD.MM.YYYY")
    p.add_argument("--to", dest="date_to", type=_date, help="to date, YYYY-MM-DD or DD.MM.YYYY (inclusive)")
    p.add_argument("--sort", default="relevance",
                   choices=["relevance", "date", "date_desc", "date_asc"], help="result order")
    p.add_argument("--page", type=_number(int, 1, 10_000), default=1,
                   help="page number (default 1)")
    p.add_argument("--per-page", type=_number(int, 1, 10_000), default=10,
                   help="hits per page (default 10)")
    p.add_argument("--json", action="store_true", help="print the API's JSON")
    p.add_argument("--format", choices=["csv", "xlsx"],
                   help="export every match (not one page) as CSV or XLSX")
    p.add_argument("--output", type=Path,
                   help="file for the export (CSV goes to stdout without it); without "
                   "--format, a name ending in .csv or .xlsx gives the format")
    _global_options(p, top=False)
