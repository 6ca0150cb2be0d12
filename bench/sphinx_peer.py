"""A real peer engine: Debian's sphinxsearch (2.2.11) set up as a Russian site runs it.

The benchmark feeds it the same Publications as the other rankers (xmlpipe2 written
from Python), builds the index with `indexer`, starts `searchd` on a free port of
127.0.0.1 in a scratch directory and queries it over SphinxQL with pymysql: the query's
words ANDed (`MATCH('w1 w2')`), the default ranker (proximity_bm25), title weight 2.
searchd is stopped through its pid file when the ranker is closed, also on error; one
left running by a run that was killed outright is stopped before the next starts.
bench/README.md describes the setup.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

__all__ = ["SphinxPeer", "SphinxUnavailable", "SphinxFailed", "sphinx_missing", "escape_match",
           "stop_stale", "CONFIG_VERSION"]

CONFIG_VERSION = "sphinx-v1"  # bump when the config or the XML feed changes
STOP_WORDS = Path(__file__).resolve().parent.parent / "search" / "data" / "stopwords_ru.txt"
# The default 2.2 charset_table, with Ё/ё folded to е (2.2.11 keeps them apart).
CHARSET = ("0..9, A..Z->a..z, _, a..z, U+410..U+42F->U+430..U+44F, U+430..U+44F, "
           "U+401->U+435, U+451->U+435")
DEPTH = 100
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Operators of Sphinx's extended query syntax; escaped so a user query is only words.
_SPECIAL = re.compile(r"""([\\()|\-!@~"&/^$=<>'*\[\]:?%+])""")


class SphinxUnavailable(Exception):
    """searchd or indexer is not installed, or pymysql is missing."""


class SphinxFailed(Exception):
    """Sphinx is installed but indexer or searchd failed (a bug here, not a skip)."""


def sphinx_missing() -> str | None:
    """Why the Sphinx ranker cannot run here, or None."""
    for tool in ("searchd", "indexer"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install sphinxsearch)"
    try:
        import pymysql  # noqa: F401
    except ImportError:
        return "pymysql is not installed (pip install -e '.[test]')"
    return None


def escape_match(text: str) -> str:
    r"""A user query as a MATCH() argument: its words ANDed, operators escaped.

    Lowercased (as the index is), so that MAYBE, NEAR, SENTENCE... are words, not operators.

    >>> escape_match('мастер-класс "Пушкин" | ёлка MAYBE')
    'мастер\\-класс \\"пушкин\\" \\| ёлка maybe'
    """
    return " ".join(_SPECIAL.sub(r"\\\1", text.lower()).split())


def _xml_text(value) -> str:
    return escape(_XML_BAD.sub(" ", str(value or "")))


def write_xmlpipe(pubs, path: Path) -> int:
    """The publications as an xmlpipe2 document set; Sphinx ids are 1..N."""
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<sphinx:docset>\n<sphinx:schema>\n'
                '<sphinx:field name="title"/>\n<sphinx:field name="text"/>\n'
                '<sphinx:attr name="docid" type="string"/>\n'
                '<sphinx:attr name="topic" type="string"/>\n'
                '<sphinx:attr name="author" type="string"/>\n'
                '<sphinx:attr name="published" type="int" bits="32"/>\n'
                '</sphinx:schema>\n')
        n = 0
        for n, p in enumerate(pubs, 1):
            date = int(p.published.strftime("%Y%m%d")) if p.published else 0
            f.write(f"<sphinx:document id={quoteattr(str(n))}>\n"
                    f"<title>{_xml_text(p.title)}</title>\n<text>{_xml_text(p.text)}</text>\n"
                    f"<docid>{_xml_text(p.id)}</docid>\n"
                    f"<topic>{_xml_text(', '.join(p.topics))}</topic>\n"
                    f"<author>{_xml_text(p.author)}</author>\n"
                    f"<published>{date}</published>\n</sphinx:document>\n")
        f.write("</sphinx:docset>\n")
    return n


def write_config(scratch: Path, port: int) -> Path:
    """sphinx.conf: one xmlpipe2 source, one index as a Russian site sets it, searchd on port."""
    conf = scratch / "sphinx.conf"
    conf.write_text(f"""\
source pubs
{{
    type = xmlpipe2
    xmlpipe_command = cat {scratch / 'docs.xml'}
}}

index pubs
{{
    source = pubs
    path = {scratch / 'index' / 'pubs'}
    docinfo = extern
    dict = keywords
    morphology = stem_ru
    min_word_len = 1
    index_exact_words = 1
    html_strip = 0
    stopwords = {STOP_WORDS}
    stopwords_unstemmed = 1
    charset_table = {CHARSET}
}}

indexer
{{
    mem_limit = 256M
}}

searchd
{{
    listen = 127.0.0.1:{port}:mysql41
    pid_file = {scratch / 'searchd.pid'}
    log = {scratch / 'searchd.log'}
    query_log = {scratch / 'query.log'}
    binlog_path =
    workers = threads
    max_children = 4
}}
""", encoding="utf-8")
    return conf


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) has stopped.
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


class SphinxPeer:
    """Build (cached by `key`), start, query and stop a searchd over `pubs`."""

    def __init__(self, scratch: Path, pubs_factory, key: str):
        reason = sphinx_missing()
        if reason:
            raise SphinxUnavailable(reason)
        self.scratch = scratch
        self.pid: int | None = None
        self.conn = None
        scratch.mkdir(parents=True, exist_ok=True)
        stop_stale(scratch)
        self.port = _free_port()
        self.conf = write_config(scratch, self.port)
        stamp = scratch / "built"
        if not stamp.exists() or stamp.read_text() != key:
            self._build(pubs_factory())
            stamp.write_text(key)
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _build(self, pubs) -> None:
        shutil.rmtree(self.scratch / "index", ignore_errors=True)
        (self.scratch / "index").mkdir()
        write_xmlpipe(pubs, self.scratch / "docs.xml")
        proc = subprocess.run(["indexer", "--config", str(self.conf), "--all", "--quiet"],
                              capture_output=True, text=True, timeout=600)
        (self.scratch / "docs.xml").unlink()
        if proc.returncode != 0:
            raise SphinxFailed(f"indexer failed: {proc.stdout}{proc.stderr}"[-2000:])

    def _start(self) -> None:
        import pymysql

        pid_file = self.scratch / "searchd.pid"
        for stale in (pid_file, self.scratch / "searchd.log", self.scratch / "query.log"):
            stale.unlink(missing_ok=True)  # one run's logs only
        proc = subprocess.run(["searchd", "--config", str(self.conf)], capture_output=True,
                              text=True, timeout=60)
        if proc.returncode != 0:
            raise SphinxFailed(f"searchd failed: {proc.stdout}{proc.stderr}"[-2000:])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self.pid = self.pid or _pid_from_file(self.scratch)
            try:
                self.conn = pymysql.connect(host="127.0.0.1", port=self.port,
                                            charset="utf8", autocommit=None, connect_timeout=2)
                return
            except pymysql.err.OperationalError:
                time.sleep(0.1)
        raise SphinxFailed(f"searchd did not start: {proc.stdout}{proc.stderr}"[-2000:])

    def search(self, text: str, depth: int = DEPTH) -> list[str]:
        """Docids of the AND query `text`, best first (at most `depth`)."""
        match = escape_match(text)
        if not match:
            return []
        with self.conn.cursor() as cur:
            cur.execute("SELECT docid FROM pubs WHERE MATCH(%s) LIMIT %s "
                        "OPTION field_weights=(title=2, text=1)", (match, depth))
            return [row[0] for row in cur.fetchall()]

    def close(self) -> None:
        """Close the connection and stop searchd (SIGTERM to the pid in its pid file)."""
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 - the server may already be gone
                pass
            self.conn = None
        pid, self.pid = self.pid or _pid_from_file(self.scratch), None
        _stop(pid)


def _pid_from_file(scratch: Path) -> int | None:
    """The pid in scratch/searchd.pid if that process is a searchd on scratch/sphinx.conf."""
    try:
        pid = int((scratch / "searchd.pid").read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return None
    return pid if str(scratch / "sphinx.conf").encode() in cmdline else None


def _stop(pid: int | None) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 15
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def stop_stale(scratch: Path) -> None:
    """Stop a searchd that a killed run left serving scratch (its pid file names it)."""
    _stop(_pid_from_file(scratch))
