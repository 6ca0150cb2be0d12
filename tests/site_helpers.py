"""A small library website on 127.0.0.1 built from the shipped sample, for crawler tests.

Pages under /news/, a sitemap index and a sitemap with lastmod, an RSS feed, a robots.txt
that forbids /private/, one attachment of each format (PDF, DOCX, ODT) plus a scanned
PDF with no text layer, a page answering 500 and a page slower than the crawler's
timeout. Every answer carries an ETag and Last-Modified; If-None-Match gets a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from search.settings import SAMPLE_DIR

LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
PDF_WORDS = "Otchet biblioteki za 2023 god: kvartalnye pokazateli i chitateli"


def sample_records(limit: int = 10) -> list[dict]:
    lines = (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()][:limit]


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    lastmod: str = "2024-01-01"
    delay: float = 0.0
    location: str | None = None  # a redirect's target (with a 3xx status)


@dataclass
class Site:
    resources: dict[str, Resource] = field(default_factory=dict)
    log: list[tuple[str, int, dict]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.root + path

    def requested(self, prefix: str = "/") -> list[tuple[str, int]]:
        with self.lock:
            return [(p, s) for p, s, _ in self.log if p.startswith(prefix)]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def make_handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            resource = site.resources.get(path)
            if resource is None:
                return self._answer(path, 404, b"not found", "text/plain")
            if resource.delay:
                time.sleep(resource.delay)
            if resource.location:
                return self._answer(path, resource.status, b"", "text/plain",
                                    location=resource.location)
            if resource.status != 200:
                return self._answer(path, resource.status, b"server error", "text/plain")
            etag = '"' + hashlib.sha1(resource.body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._answer(path, 304, b"", resource.content_type, etag)
            return self._answer(path, 200, resource.body, resource.content_type, etag)

        def _answer(self, path, status, body, ctype, etag=None, location=None):
            with site.lock:
                site.log.append((path, status, dict(self.headers)))
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if location:
                    self.send_header("Location", location)
                if etag:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def serve(site: Site) -> Site:
    site.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site))
    site.server.daemon_threads = True
    threading.Thread(target=site.server.serve_forever, daemon=True).start()
    return site


# -- content --------------------------------------------------------------------------


def page_html(record: dict, extra: str = "") -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in record["text"].split("\n") if p)
    return f"""<!doctype html><html lang="ru"><head><meta charset="utf-8">
<title>{html.escape(record['title'])} - Библиотека</title>
<meta property="article:published_time" content="{record['date']}T10:00:00+03:00">
</head><body><header><nav><a href="/">Главная</a> <a href="/feed.xml">RSS</a></nav></header>
<main><article><h1>{html.escape(record['title'])}</h1>
<time datetime="{record['date']}">{record['date']}</time>
{paragraphs}{extra}</article></main>
<footer>© Библиотека</footer></body></html>""".encode()


def minimal_pdf(text: str, title: str) -> bytes:
    """A one-page PDF with a Helvetica text line and an Info title, xref computed."""
    stream = f"BT /F1 12 Tf 40 700 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /CreationDate (D:20230315120000) >>".encode("latin-1"),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def blank_pdf() -> bytes:
    """A 'scan': a page with no text layer."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Отдел обслуживания"
    document.core_properties.created = dt.datetime(2024, 3, 1, 9, 0)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(title: str, paragraphs: list[str]) -> bytes:
    from odf import dc
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=title))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


DOCX_TEXT = ["План мероприятий библиотеки на второй квартал 2024 года.",
             "Книжные выставки, встречи с писателями и краеведческие чтения."]
ODT_TEXT = ["Итоги летнего чтения в детской библиотеке за 2023 год.",
            "Участники прочитали более тысячи книг и получили грамоты."]


def build_site(records: list[dict] | None = None) -> Site:
    """The site's resources (not yet served; `serve` it, then `finish` its address-bound
    files: robots.txt, sitemaps and feed need the port)."""
    records = records or sample_records()
    site = Site()
    res = site.resources
    attach = ('<p>Приложения: <a href="/files/report-2023.pdf">отчёт (PDF)</a>, '
              '<a href="/files/plan-2024.docx">план (DOCX)</a>, '
              '<a href="/files/itogi-leta.odt">итоги (ODT)</a>, '
              '<a href="/private/secret.pdf">закрытый файл</a></p>')
    scan = '<p>Скан приказа: <a href="/files/scan.pdf">скачать</a></p>'
    for n, record in enumerate(records):
        extra = attach if n == 0 else scan if n == 1 else ""
        res[f"/news/{record['id']}.html"] = Resource(page_html(record, extra),
                                                     lastmod=record["date"])
    hidden = dict(records[-1], id="hidden", title="Закрытая страница")
    res["/private/hidden.html"] = Resource(page_html(hidden))
    res["/private/secret.pdf"] = Resource(minimal_pdf("Secret", "Secret"), "application/pdf")
    res["/news/broken.html"] = Resource(b"", status=500)
    res["/news/slow.html"] = Resource(page_html(dict(records[0], id="slow")), delay=2.5)
    res["/files/report-2023.pdf"] = Resource(minimal_pdf(PDF_WORDS, "Otchet 2023"),
                                             "application/pdf")
    res["/files/scan.pdf"] = Resource(blank_pdf(), "application/pdf")
    res["/files/plan-2024.docx"] = Resource(
        docx_bytes("План на 2024 год", DOCX_TEXT),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    res["/files/itogi-leta.odt"] = Resource(odt_bytes("", ODT_TEXT),
                                            "application/vnd.oasis.opendocument.text")
    return site


def finish(site: Site) -> Site:
    """robots.txt, the sitemap index, the sitemap, the feed and the home page."""
    root = site.root
    res = site.resources
    res["/robots.txt"] = Resource(
        f"User-agent: *\nDisallow: /private/\n\nSitemap: {root}/sitemap.xml\n".encode(),
        "text/plain")
    listed = sorted(p for p in res if p.startswith(("/news/", "/private/hidden")))
    refresh_sitemap(site, listed)
    res["/sitemap.xml"] = Resource(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{root}/sitemap-news.xml</loc></sitemap>
</sitemapindex>""".encode(), "application/xml")
    items = "".join(
        f"<item><title>{p}</title><link>{root}{p}</link>"
        f"<pubDate>Mon, 01 Jan 2024 10:00:00 +0300</pubDate></item>"
        for p in listed if p.startswith("/news/") and res[p].status == 200 and not res[p].delay)
    res["/feed.xml"] = Resource(
        f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>Новости библиотеки</title><link>{root}/</link>{items}</channel></rss>""".encode(),
        "application/rss+xml")
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in listed)
    res["/"] = Resource(
        f"""<html><head><title>Библиотека</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>
<body><ul>{links}</ul></body></html>""".encode())
    return site


def refresh_sitemap(site: Site, listed: list[str] | None = None) -> None:
    res = site.resources
    if listed is None:
        listed = sorted(p for p in res if p.startswith(("/news/", "/private/hidden")))
    urls = "".join(f"<url><loc>{site.root}{p}</loc><lastmod>{res[p].lastmod}</lastmod></url>"
                   for p in listed)
    res["/sitemap-news.xml"] = Resource(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>""".encode(),
        "application/xml")


def start_site() -> Site:
    return finish(serve(build_site()))
