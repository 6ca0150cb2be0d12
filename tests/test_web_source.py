"""A website, WordPress exports and attachments as sources (issue 7).

Every test talks only to a site that the test serves itself on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from site_helpers import (
    DOCX_TEXT,
    ODT_TEXT,
    PDF_WORDS,
    Resource,
    Site,
    blank_pdf,
    build_site,
    docx_bytes,
    finish,
    minimal_pdf,
    odt_bytes,
    page_html,
    refresh_sitemap,
    sample_records,
    serve,
    start_site,
)

from indexer.cli import main
from indexer.cli_support import SKIPPED
from indexer.web import USER_AGENT, url_id
from indexer.web_state import READ_ALREADY
from search.engine.whoosh.store import IndexLocation
from search.settings import Settings

FAST = ["--delay", "0", "--concurrency", "4", "--timeout", "1", "--retries", "2"]


def _reindex(index_dir: Path, *args: str) -> int:
    return main(["--index-dir", str(index_dir), "reindex", "--no-progress", *FAST, *args])


def _docs(index_dir: Path) -> dict[str, dict]:
    ix = IndexLocation(index_dir).open_current()
    try:
        with ix.searcher() as searcher:
            return {f["id"]: f for f in searcher.all_stored_fields()}
    finally:
        ix.close()


def _search(index_dir: Path, query: str) -> list:
    from search.models import SearchRequest
    from search.searcher import SearchService

    service = SearchService(Settings.from_env({}, index_dir=index_dir))
    try:
        return service.search(SearchRequest(q=query, per_page=50)).hits
    finally:
        service.close()


@pytest.fixture(scope="module")
def site():
    site = start_site()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    """The site indexed once from its root address."""
    index_dir = tmp_path_factory.mktemp("web") / "index"
    site.clear_log()
    assert _reindex(index_dir, site.root + "/") == 0
    return index_dir, list(site.log)


def test_everything_allowed_and_reachable_is_indexed(site, crawled):
    index_dir, _ = crawled
    docs = _docs(index_dir)
    pages = [p for p in site.resources if p.startswith("/news/")
             and site.resources[p].status == 200 and not site.resources[p].delay]
    for path in pages:
        assert url_id(site.url(path)) in docs, path
        assert docs[url_id(site.url(path))]["url"] == site.url(path)
    for path in ("/files/report-2023.pdf", "/files/plan-2024.docx", "/files/itogi-leta.odt"):
        assert url_id(site.url(path)) in docs, path
    assert len(docs) == len(pages) + 3


def test_forbidden_broken_slow_and_scanned_are_not_indexed(site, crawled):
    index_dir, log = crawled
    docs = _docs(index_dir)
    for path in ("/private/hidden.html", "/private/secret.pdf", "/news/broken.html",
                 "/news/slow.html", "/files/scan.pdf"):
        assert url_id(site.url(path)) not in docs, path
    requested = [p for p, _, _ in log]
    assert not [p for p in requested if p.startswith("/private/")], "robots.txt ignored"
    assert requested.count("/news/broken.html") == 3  # one try and two retries
    assert all(h.get("User-Agent") == USER_AGENT for _, _, h in log)


def test_page_extraction_matches_the_record(site, crawled):
    index_dir, _ = crawled
    record = sample_records()[0]
    doc = _docs(index_dir)[url_id(site.url(f"/news/{record['id']}.html"))]
    assert doc["title"] == record["title"]
    assert doc["published"].date().isoformat() == record["date"]
    assert record["text"].split("\n")[0][:60] in doc["body"]


def test_attachments_are_searchable_and_linked_to_their_page(site, crawled):
    index_dir, _ = crawled
    docs = _docs(index_dir)
    parent = url_id(site.url(f"/news/{sample_records()[0]['id']}.html"))
    pdf = docs[url_id(site.url("/files/report-2023.pdf"))]
    docx = docs[url_id(site.url("/files/plan-2024.docx"))]
    odt = docs[url_id(site.url("/files/itogi-leta.odt"))]
    assert {pdf["parent_id"], docx["parent_id"], odt["parent_id"]} == {parent}
    assert pdf["title"] == "Otchet 2023" and PDF_WORDS in pdf["body"]
    assert pdf["published"].date().isoformat() == "2023-03-15"      # PDF metadata
    assert docx["title"] == "План на 2024 год" and DOCX_TEXT[1] in docx["body"]
    assert docx["published"].date().isoformat() == "2024-03-01"     # DOCX core properties
    assert odt["title"] == "itogi-leta"  # no title, a sentence first: the file name
    assert docx["author"] == "Отдел обслуживания"
    assert odt["published"] == docs[parent]["published"]            # no date: the parent's
    hits = _search(index_dir, "краеведческие чтения")
    assert hits and hits[0].id == url_id(site.url("/files/plan-2024.docx"))
    assert hits[0].parent_id == parent


def test_summary_reports_what_was_skipped_and_why(site, tmp_path, capsys):
    capsys.readouterr()
    assert _reindex(tmp_path / "index", site.root + "/") == 0
    out = capsys.readouterr().out
    assert "запрещено в robots.txt" in out
    assert "нет текстового слоя" in out
    assert re.search(r"пропущено \d+: HTTP [45]\d\d", out) and "нет ответа за" in out
    assert "стр./с)" in out


def test_incremental_fetches_only_what_changed(tmp_path, caplog):
    site = start_site()
    try:
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, site.root + "/") == 0
        records = sample_records()
        changed, removed = records[3], records[4]
        changed_path, removed_path = f"/news/{changed['id']}.html", f"/news/{removed['id']}.html"
        site.resources[changed_path] = Resource(
            page_html(dict(changed, text=changed["text"] + "\nДобавлено: громкие чтения "
                           "стихов о зимородке прошли в читальном зале библиотеки.")),
            lastmod="2024-06-01")
        del site.resources[removed_path]
        refresh_sitemap(site)
        site.clear_log()

        assert _reindex(index_dir, "--incremental", site.root + "/") == 0
        news = [(p, s) for p, s in site.requested("/news/")]
        # the slow page is asked again (it never answered in time) but never arrives
        fetched = {p for p, s in news if s == 200 and p != "/news/slow.html"}
        assert fetched == {changed_path}
        assert (removed_path, 404) in news                 # no longer listed: checked, gone
        # a quiet cron run's mail names the post removed, not only "удалено: 1"
        assert any(r.levelname == "WARNING" and site.url(removed_path) in r.getMessage()
                   and "удалена из индекса" in r.getMessage() for r in caplog.records)
        assert {p for p, _ in news} <= {changed_path, removed_path, "/news/broken.html",
                                        "/news/slow.html"}
        assert not site.requested("/files/")              # attachments of unchanged pages
        docs = _docs(index_dir)
        assert url_id(site.url(removed_path)) not in docs
        assert "зимородке" in docs[url_id(site.url(changed_path))]["body"]
        assert url_id(site.url("/files/report-2023.pdf")) in docs
        state = json.loads((index_dir / "web-state.json").read_text(encoding="utf-8"))
        assert site.url(changed_path) in state["pages"]
        assert site.url(removed_path) not in state["pages"]
    finally:
        site.stop()


def test_a_page_gone_for_one_crawl_comes_back_when_it_answers_again(tmp_path):
    """A 404 removes the page, as a site's own removal; not as the CMS's DELETE, which
    would keep it out of every later run."""
    site = start_site()
    try:
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, site.root + "/") == 0
        path = f"/news/{sample_records()[4]['id']}.html"
        page = site.resources.pop(path)
        refresh_sitemap(site)
        assert _reindex(index_dir, "--incremental", site.root + "/") == 0
        assert url_id(site.url(path)) not in _docs(index_dir)
        site.resources[path] = page
        refresh_sitemap(site)
        for args in (["--incremental"], []):  # an incremental run, then a full one
            assert _reindex(index_dir, *args, site.root + "/") == 0
            assert url_id(site.url(path)) in _docs(index_dir), args
    finally:
        site.stop()


def test_feed_source_and_conditional_requests(site, tmp_path):
    index_dir = tmp_path / "index"
    assert _reindex(index_dir, site.url("/feed.xml")) == 0
    first = _docs(index_dir)
    assert url_id(site.url(f"/news/{sample_records()[2]['id']}.html")) in first
    site.clear_log()
    assert _reindex(index_dir, "--incremental", site.url("/feed.xml")) == 0
    # the feed's dates did not change: no page is asked for again (the slow page of an
    # earlier crawl on this site may finish, and be logged, only now)
    assert not [p for p, _ in site.requested("/news/") if p != "/news/slow.html"]
    assert _docs(index_dir).keys() == first.keys()


def test_page_without_lastmod_gets_304(site, tmp_path):
    index_dir = tmp_path / "index"
    page = site.url(f"/news/{sample_records()[5]['id']}.html")
    sitemap = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
               f'sitemap/0.9"><url><loc>{page}</loc></url></urlset>').encode()
    site.resources["/one-page.xml"] = Resource(sitemap, "application/xml")
    assert _reindex(index_dir, site.url("/one-page.xml")) == 0
    site.clear_log()
    assert _reindex(index_dir, "--incremental", site.url("/one-page.xml")) == 0
    # The slow page of an earlier crawl on this site may finish (and be logged) only now.
    log = [entry for entry in site.log
           if entry[0].startswith("/news/") and entry[0] != "/news/slow.html"]
    assert [(p, s) for p, s, _ in log] == [(page.removeprefix(site.root), 304)]
    assert log[0][2].get("If-None-Match")
    assert url_id(page) in _docs(index_dir)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_site_down_leaves_the_index_as_it_was(crawled, tmp_path, capsys):
    index_dir, _ = crawled
    before = _docs(index_dir).keys()
    generation = IndexLocation(index_dir).current_name()
    down = f"http://127.0.0.1:{_free_port()}/"
    assert _reindex(index_dir, down) == 1
    assert "error: сайт не прочитан; индекс оставлен как был" in capsys.readouterr().err
    assert _reindex(index_dir, "--incremental", down) == 1
    err = capsys.readouterr().err  # a cron log read for `error:` lines shows it too
    assert f"error: {down}: " in err and "error: сайт не прочитан" in err
    assert "соединение не удалось (" in err and "ConnectError" not in err, err  # Russian
    assert IndexLocation(index_dir).current_name() == generation
    assert _docs(index_dir).keys() == before


def test_a_full_crawl_keeps_a_page_that_did_not_answer_this_time(tmp_path, capsys):
    """The nightly full crawl met a page answering 503 for a minute: it was dropped from
    the index with exit 0 (the incremental run kept it). Now it keeps the indexed one."""
    site = start_site()
    try:
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, site.root + "/") == 0
        path = f"/news/{sample_records()[2]['id']}.html"
        before = _docs(index_dir)[url_id(site.url(path))]
        site.resources[path].status = 503
        capsys.readouterr()
        assert _reindex(index_dir, site.root + "/") == 0
        out = capsys.readouterr().out
        assert "оставлено как в прошлом индексе: 1" in out
        assert _docs(index_dir)[url_id(site.url(path))]["title"] == before["title"]
        site.resources[path].status = 404  # gone for good: not kept
        assert _reindex(index_dir, "--allow-smaller", site.root + "/") == 0
        assert url_id(site.url(path)) not in _docs(index_dir)
    finally:
        site.stop()


def test_a_redirect_loop_is_a_skip_line_not_a_traceback(tmp_path, capsys, caplog):
    """A link into a redirect loop printed Python's traceback in a cron log (even with
    --quiet); a start address that loops ended the command with an uncaught exception."""
    site = start_site()
    try:
        site.resources["/news/loop-a"] = Resource(b"", status=302, location="/news/loop-b")
        site.resources["/news/loop-b"] = Resource(b"", status=302, location="/news/loop-a")
        refresh_sitemap(site)  # the loop listed as a news page
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, "--quiet", site.root + "/") == 0
        skips = [r for r in caplog.records if "/news/loop-" in r.getMessage()]
        assert skips and all(re.search(r": больше \d+ перенаправлений \(петля\?\)$",
                                       r.getMessage()) for r in skips), skips
        assert not [r for r in caplog.records if r.exc_info], "a traceback in the log"
        capsys.readouterr()
        assert _reindex(index_dir, site.url("/news/loop-a")) == 1
        err = capsys.readouterr().err
        assert "error: " in err and "перенаправлений (петля?)" in err and "Traceback" not in err
    finally:
        site.stop()


def test_a_redirected_page_is_kept_once_under_its_final_address(tmp_path, caplog):
    """A sitemap listing an old address that redirects to a listed page indexed the page
    twice; a page that moved was kept under the address it moved from."""
    site = start_site()
    try:
        target = f"/news/{sample_records()[0]['id']}.html"
        moved = f"/news/{sample_records()[1]['id']}.html"
        res = site.resources
        res["/news/old-address.html"] = Resource(b"", status=301, location=target)
        res["/news/moved.html"] = res.pop(moved)
        res[moved] = Resource(b"", status=301, location="/news/moved.html")
        refresh_sitemap(site, sorted([*(p for p in res if p.startswith("/news/")
                                        and p != "/news/moved.html")]))
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, site.root + "/") == 0
        docs = _docs(index_dir)
        assert url_id(site.url("/news/old-address.html")) not in docs
        assert docs[url_id(site.url(target))]["url"] == site.url(target)
        assert url_id(site.url(moved)) not in docs
        assert docs[url_id(site.url("/news/moved.html"))]["url"] == site.url("/news/moved.html")
        # the address that redirected is named (when it came second), not the page itself
        skips = {r.getMessage().removeprefix(SKIPPED).split(": ", 1)[0]: r.getMessage()
                 for r in caplog.records if r.getMessage().startswith(SKIPPED)}
        assert site.url(target) not in skips and site.url("/news/moved.html") not in skips
        old = site.url("/news/old-address.html")
        assert old not in skips or skips[old].endswith(
            f": {READ_ALREADY.format(site.url(target))}"), skips[old]
    finally:
        site.stop()


def test_a_page_robots_txt_now_forbids_is_removed(tmp_path):
    site = start_site()
    try:
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, site.root + "/") == 0
        path = f"/news/{sample_records()[2]['id']}.html"
        assert url_id(site.url(path)) in _docs(index_dir)
        site.resources["/robots.txt"] = Resource(
            f"User-agent: *\nDisallow: {path}\n".encode(), "text/plain")
        assert _reindex(index_dir, "--incremental", site.root + "/") == 0
        docs = _docs(index_dir)
        assert url_id(site.url(path)) not in docs
        assert url_id(site.url(f"/news/{sample_records()[3]['id']}.html")) in docs
    finally:
        site.stop()


def test_robots_forbidding_everything(tmp_path):
    site = start_site()
    try:
        site.resources["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /\n", "text/plain")
        site.clear_log()
        assert _reindex(tmp_path / "index", site.root + "/") == 1
        assert [p for p, _ in site.requested()] == ["/robots.txt"]
        assert not (tmp_path / "index" / "CURRENT").exists()
    finally:
        site.stop()


def test_a_site_without_a_sitemap_is_followed_through_its_lists_of_news(tmp_path):
    """No sitemap, no feed: the start page links to a list of news and the list's second
    page to older posts. Only the start page's own links were fetched (a list is no
    article: «no article text found»), so the older posts were never found."""
    site = Site()
    records = sample_records(6)
    res = site.resources
    for record in records:
        res[f"/news/{record['id']}.html"] = Resource(page_html(record))
    items = [f'<li><a href="/news/{r["id"]}.html">{r["title"]}</a></li>' for r in records]
    res["/"] = Resource('<html><body><a href="/news/">Новости</a> <a href="/about.html">'
                        'О нас</a></body></html>'.encode())
    res["/news/"] = Resource(f'<html><body><ul>{"".join(items[:2])}</ul>'
                             '<a href="/news/page-2.html">Архив, стр. 2</a></body></html>'.encode())
    res["/news/page-2.html"] = Resource(f'<html><body><ul>{"".join(items[2:4])}</ul>'
                                    '<a href="/news/page-3.html">стр. 3</a></body></html>'.encode())
    res["/news/page-3.html"] = Resource(f'<html><body><ul>{"".join(items[4:])}</ul>'
                                    '</body></html>'.encode())
    serve(site)
    try:
        index_dir = tmp_path / "index"
        # levels: the list, its second page, the third, the posts there
        assert _reindex(index_dir, "--depth", "3", site.root + "/") == 0
        ids = set(_docs(index_dir))
        assert {url_id(site.url(f"/news/{r['id']}.html")) for r in records[:4]} <= ids
        assert url_id(site.url(f"/news/{records[5]['id']}.html")) not in ids  # too deep
        assert _reindex(index_dir, site.root + "/") == 0  # the default depth reaches it
        ids = set(_docs(index_dir))
        assert {url_id(site.url(f"/news/{r['id']}.html")) for r in records} <= ids
        assert not {url_id(site.url(p)) for p in ("/news/", "/news/page-2.html")} & ids
    finally:
        site.stop()


# -- WordPress exports ----------------------------------------------------------------

WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>ЦБС</title><link>https://lib.example.ru</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[ivanova]]></wp:author_login>
    <wp:author_display_name><![CDATA[Мария Иванова]]></wp:author_display_name></wp:author>
  <item>
    <title>Неделя детской книги в Центральной библиотеке</title>
    <link>https://lib.example.ru/2024/03/nedelya-detskoj-knigi/</link>
    <pubDate>Mon, 25 Mar 2024 09:00:00 +0000</pubDate>
    <dc:creator><![CDATA[ivanova]]></dc:creator>
    <content:encoded><![CDATA[В Центральной библиотеке прошла Неделя детской книги: ребята встретились с писателями, рисовали героев любимых сказок и участвовали в викторинах.

Всего в мероприятиях недели приняли участие более трёхсот юных читателей и их родителей.]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>101</wp:post_id>
    <wp:post_date><![CDATA[2024-03-25 12:00:00]]></wp:post_date>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="events"><![CDATA[Мероприятия]]></category>
    <category domain="post_tag" nicename="deti"><![CDATA[Детям]]></category>
  </item>
  <item>
    <title>Черновик</title><link>https://lib.example.ru/?p=102</link>
    <content:encoded><![CDATA[<p>Этот черновик не должен попасть в индекс библиотеки никогда и ни при каких условиях.</p>]]></content:encoded>
    <wp:post_id>102</wp:post_id><wp:status>draft</wp:status><wp:post_type>post</wp:post_type>
  </item>
  <item>
    <title>О библиотеке</title><link>https://lib.example.ru/about/</link>
    <content:encoded><![CDATA[<p>Страница о библиотеке — это не публикация, а постоянная страница сайта и её не индексируют.</p>]]></content:encoded>
    <wp:post_id>103</wp:post_id><wp:status>publish</wp:status><wp:post_type>page</wp:post_type>
  </item>
</channel></rss>
"""

WP_JSON = [
    {"id": 201, "date": "2024-04-12T10:30:00", "link": "https://lib.example.ru/2024/04/kosmos/",
     "status": "publish", "type": "post",
     "title": {"rendered": "Космический квест &#171;Дорога к звёздам&#187;"},
     "content": {"rendered": "<p>В День космонавтики школьники прошли квест по станциям: "
                 "собирали ракету, отвечали на вопросы о Гагарине и смотрели фильм.</p>"
                 "<p>Победители получили книги о космосе в подарок от библиотеки.</p>"},
     "_embedded": {"author": [{"id": 3, "name": "Ольга Петрова"}],
                   "wp:term": [[{"taxonomy": "category", "name": "Мероприятия"}],
                               [{"taxonomy": "post_tag", "name": "Космос"}]]}},
    {"id": 202, "date": "2024-04-20T10:00:00", "link": "https://lib.example.ru/2024/04/short/",
     "status": "publish", "type": "post", "title": {"rendered": "Коротко"},
     "content": {"rendered": "<p>Мало.</p>"}},
]


def test_wordpress_wxr_export(tmp_path, capsys):
    export = tmp_path / "wordpress.2024-04-01.xml"
    export.write_text(WXR, encoding="utf-8")
    index_dir = tmp_path / "index"
    assert _reindex(index_dir, str(export)) == 0
    docs = _docs(index_dir)
    assert len(docs) == 1
    doc = docs[url_id("https://lib.example.ru/2024/03/nedelya-detskoj-knigi/")]
    assert doc["title"] == "Неделя детской книги в Центральной библиотеке"
    assert doc["author"] == "Мария Иванова"
    # the categories as the site names them, then the controlled topic its words show
    assert doc["topics"] == "Мероприятия,Детям,Мероприятия для детей"
    assert doc["published"].date().isoformat() == "2024-03-25"
    assert "трёхсот юных читателей" in doc["body"] and "викторинах" in doc["body"]


def test_wordpress_rest_json(tmp_path, capsys):
    page = tmp_path / "posts-page-1.json"
    page.write_text(json.dumps(WP_JSON, ensure_ascii=False), encoding="utf-8")
    index_dir = tmp_path / "index"
    assert _reindex(index_dir, str(tmp_path)) == 0   # found by content in a directory
    docs = _docs(index_dir)
    doc = docs[url_id("https://lib.example.ru/2024/04/kosmos/")]
    assert doc["title"] == "Космический квест «Дорога к звёздам»"
    assert doc["author"] == "Ольга Петрова"
    assert doc["topics"] == "Мероприятия,Космос"
    assert doc["published"].date().isoformat() == "2024-04-12"
    assert "Гагарине" in doc["body"]
    assert len(docs) == 1
    assert "текст публикации не найден" in capsys.readouterr().out


def test_documents_given_directly(tmp_path, capsys):
    (tmp_path / "otchet.pdf").write_bytes(minimal_pdf(PDF_WORDS, "Otchet"))
    (tmp_path / "scan.pdf").write_bytes(blank_pdf())
    (tmp_path / "plan.docx").write_bytes(docx_bytes("План", DOCX_TEXT))
    (tmp_path / "itogi.odt").write_bytes(odt_bytes("Итоги лета", ODT_TEXT))
    index_dir = tmp_path / "index"
    capsys.readouterr()
    assert _reindex(index_dir, str(tmp_path)) == 0
    docs = _docs(index_dir)
    assert set(docs) == {"doc-otchet.pdf", "doc-plan.docx", "doc-itogi.odt"}
    assert docs["doc-itogi.odt"]["title"] == "Итоги лета"
    assert ODT_TEXT[0] in docs["doc-itogi.odt"]["body"]
    assert all(not d.get("parent_id") for d in docs.values())
    out = capsys.readouterr().out
    assert "пропущено 1: нет текстового слоя" in out


def test_a_full_run_over_several_sites_refreshes_those_that_answer_and_keeps_one_down(
        tmp_path, capsys):
    """A portal's nightly full run over several libraries' sites, one of them down: the
    index was left as it was, so no site was refreshed until all answered at once. Now the
    others are refreshed, the one down keeps its pages and attachments as the last index
    had them (and its crawl state, for the next incremental run), and the run still ends
    in an error naming it."""
    first, second = start_site(), finish(serve(build_site(sample_records(20)[10:])))
    try:
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, first.root + "/", second.root + "/") == 0
        of_second = {pid for pid, doc in _docs(index_dir).items()
                     if doc.get("url", "").startswith(second.root)}
        assert len(of_second) > 10, of_second  # its pages and their attachments
        record = sample_records()[3]
        path = f"/news/{record['id']}.html"
        first.resources[path].body = page_html(dict(record, title="Заголовок изменён"))
        second.stop()
        capsys.readouterr()
        assert _reindex(index_dir, first.root + "/", second.root + "/") == 1
        out, err = capsys.readouterr()
        assert f"error: {second.root}/: " in err, err
        assert "сайт не прочитан; его страницы оставлены как были" in err, err
        assert f"оставлено как в прошлом индексе: {len(of_second)} (их сайты" in out, out
        docs = _docs(index_dir)
        assert docs[url_id(first.url(path))]["title"] == "Заголовок изменён"
        assert of_second <= docs.keys()
        state = json.loads((index_dir / "web-state.json").read_text(encoding="utf-8"))
        assert {e["id"] for u, e in state["pages"].items() if u.startswith(second.root)} \
            == of_second
    finally:
        first.stop()


def test_a_post_moved_to_a_new_address_is_found_once_under_it_after_an_incremental_run(
        tmp_path, capsys):
    """A site moved its posts (`/news/x.html` now answers 301 to `/novosti/x/`): the
    nightly incremental run indexed the new address and kept the old one beside it, with
    the old address, until a full run. The old one is removed; its attachments stay."""
    site = start_site()
    try:
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, site.root + "/") == 0
        res = site.resources
        old = f"/news/{sample_records()[0]['id']}.html"  # the page with the attachments
        new = f"/novosti/{sample_records()[0]['id']}/"
        attachments = {pid for pid, doc in _docs(index_dir).items()
                       if doc.get("parent_id") == url_id(site.url(old))}
        assert attachments
        moved = []  # every post moves (the whole site: no «removed a fifth» warning)
        for record in sample_records():
            was, now = f"/news/{record['id']}.html", f"/novosti/{record['id']}/"
            res[now], res[was] = res[was], Resource(b"", status=301, location=now)
            moved.append(was)
        refresh_sitemap(site, sorted(p for p in res if p.startswith(("/news/", "/novosti/"))
                                     and p not in moved))
        capsys.readouterr()
        assert _reindex(index_dir, "--incremental", site.root + "/") == 0
        assert "warning: этот запуск удалил" not in capsys.readouterr().err  # moved, not lost
        docs = _docs(index_dir)
        assert url_id(site.url(old)) not in docs
        assert docs[url_id(site.url(new))]["url"] == site.url(new)
        assert attachments <= docs.keys()
        assert {docs[pid]["parent_id"] for pid in attachments} == {url_id(site.url(new))}
        assert _reindex(index_dir, "--incremental", site.root + "/") == 0  # and stays so
        assert docs.keys() == _docs(index_dir).keys()
    finally:
        site.stop()


def test_a_full_run_keeps_an_attachment_that_did_not_answer_this_time(tmp_path, capsys):
    """A page not answering was kept by a full run; its PDF not answering was dropped."""
    site = start_site()
    try:
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, site.root + "/") == 0
        pdf = url_id(site.url("/files/report-2023.pdf"))
        assert pdf in _docs(index_dir)
        site.resources["/files/report-2023.pdf"].status = 503
        capsys.readouterr()
        assert _reindex(index_dir, site.root + "/") == 0
        assert "оставлено как в прошлом индексе: 1" in capsys.readouterr().out
        assert pdf in _docs(index_dir)
    finally:
        site.stop()


def _trickle(handler, started=None) -> None:
    """Answer a page of 100 KB (by its header) a byte every tenth of a second, for a
    minute; `started` (a threading.Event) is set once the header is sent."""
    import time

    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    if started is not None:
        started.set()
    try:
        for _ in range(600):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


def test_a_page_sent_a_byte_at_a_time_is_given_up_and_a_file_redirect_said(tmp_path):
    """The timeout is per read: a page declaring 100 KB and sending a byte every tenth of
    a second had held a crawl for ever (a hostile tester's trial). A redirect to `file:`
    had been retried as a connection failure, one to `javascript:` a traceback."""
    import http.server
    import threading
    import time

    from indexer.fetching import PAGE_TIMEOUTS, CrawlOptions, Fetcher, FetchError

    class Drip(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.startswith("/to-"):
                self.send_response(302)
                self.send_header("Location", {"/to-file": "file:///etc/passwd",
                                              "/to-js": "javascript:alert(1)"}[self.path])
                self.end_headers()
                return
            _trickle(self)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fetcher = Fetcher(CrawlOptions(timeout=0.5, retries=1, backoff=0.01, delay=0))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"ответ идёт слишком медленно: \d+ байт за 2 с"):
            fetcher.get(f"{base}/drip")
        assert time.monotonic() - started < PAGE_TIMEOUTS * 0.5 + 2
        for path in ("/to-file", "/to-js"):
            with pytest.raises(FetchError, match="перенаправление на адрес не http"):
                fetcher.get(base + path)
    finally:
        fetcher.close()
        server.shutdown()


def test_sigterm_during_a_page_sent_a_byte_at_a_time_stops_the_crawl_at_once(tmp_path):
    """systemd or `timeout` stopping a crawl while a page trickles in: the SIGTERM had
    waited for the page (for ever, before pages had a deadline), the pool's threads being
    joined (a hostile tester's trial). The page's thread now stops at its next read."""
    import http.server
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time

    trickling = threading.Event()

    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path == "/":
                body = ('<html><body><a href="/news/drip.html">Новость</a></body></html>'
                        ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path != "/news/drip.html":
                self.send_error(404)
                return
            _trickle(self, trickling)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "indexer", "--index-dir", str(tmp_path / "ix"), "reindex",
             "--no-progress", "--timeout", "10", "--retries", "0", "--delay", "0",
             f"http://127.0.0.1:{server.server_address[1]}/"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env)
        assert trickling.wait(60), "the crawl never asked for the trickling page"
        time.sleep(0.5)  # its first bytes read
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        _out, err = proc.communicate(timeout=60)
        assert time.monotonic() - sent < 5, err
        assert proc.returncode == 143, (proc.returncode, err)
        assert "Traceback" not in err, err
    finally:
        server.shutdown()


def test_session_ids_and_print_versions_in_links_make_no_new_publications(tmp_path):
    """An old CMS writes `?PHPSESSID=…` into every link, anew on every page view, and a
    print version beside each post: each nightly crawl of such a site by its links had
    added every post again (a site admin's trial: 21 publications, then 40, 54, 68)."""
    import secrets

    from site_helpers import Resource, Site

    records = sample_records(3)
    site = Site()
    for n, record in enumerate(records):
        site.resources[f"/news/{n}.html"] = Resource(page_html(record))

    def home() -> None:  # the links as the CMS writes them on this view
        links = "".join(
            f'<li><a href="/news/{n}.html?PHPSESSID={secrets.token_hex(8)}&amp;utm_source=vk">'
            f'{r["title"]}</a> <a href="/news/{n}.html?tmpl=component&amp;print=1">Печать</a>'
            for n, r in enumerate(records))
        site.resources["/"] = Resource(
            f'<html><body><main><ul>{links}</ul></main></body></html>'.encode())

    home()
    serve(site)
    try:
        index_dir = tmp_path / "ix"
        assert _reindex(index_dir, site.root) == 0
        first = _docs(index_dir)
        home()
        assert _reindex(index_dir, "--incremental", site.root) == 0
        again = _docs(index_dir)
    finally:
        site.stop()
    assert len(first) == len(again) == len(records), sorted(again)
    assert sorted(d["url"] for d in again.values()) == [
        site.url(f"/news/{n}.html") for n in range(len(records))]


def test_a_site_whose_feed_holds_only_its_latest_posts_is_read_by_its_links_too(tmp_path):
    """An old Joomla's RSS feed lists its five latest posts: a site with no sitemap had
    been read as those five, and a post that left the feed left the index."""
    from site_helpers import Resource, Site

    records = sample_records(4)
    site = Site()
    for n, record in enumerate(records):
        site.resources[f"/news/{n}.html"] = Resource(page_html(record))
    latest = records[-1]
    site.resources["/feed.xml"] = Resource(
        f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Новости</title><link>/</link><item><title>{latest['title']}</title>
<link>/news/{len(records) - 1}.html</link><pubDate>Mon, 01 Jan 2024 10:00:00 +0300</pubDate>
</item></channel></rss>""".encode(), content_type="application/rss+xml")
    listing = "".join(f'<li><a href="/news/{n}.html">{r["title"]}</a>'
                      for n, r in enumerate(records))
    site.resources["/novosti"] = Resource(
        f"<html><body><main><ul>{listing}</ul></main></body></html>".encode())
    site.resources["/"] = Resource(
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        b'</head><body><nav><a href="/novosti">\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x81\xd1'
        b'\x82\xd0\xb8</a></nav><main><p>\xd0\x91\xd0\xb8\xd0\xb1\xd0\xbb\xd0\xb8\xd0\xbe'
        b'\xd1\x82\xd0\xb5\xd0\xba\xd0\xb0</p></main></body></html>')
    serve(site)
    try:
        index_dir = tmp_path / "ix"
        assert _reindex(index_dir, site.root) == 0
        urls = sorted(d["url"] for d in _docs(index_dir).values())
    finally:
        site.stop()
    assert [site.url(f"/news/{n}.html") for n in range(len(records))] == [
        u for u in urls if "/news/" in u], urls


@pytest.mark.parametrize("author, kept", [("python-docx", None), ("Microsoft Office User", None),
                                          ("Пользователь Windows", None),
                                          ("Иванова И. И.", "Иванова И. И.")])
def test_a_document_s_untitled_heading_and_a_program_s_author(author, kept):
    """A .docx of a library's site had the title `plan-maj-2024` (its file name, though it
    begins with a heading) and the author `python-docx` (the template's), who then stood in
    the author filter."""
    import io

    import docx

    from indexer.attachments import publication_from_document

    document = docx.Document()
    document.core_properties.author = author
    document.core_properties.title = ""
    for text in ("План мероприятий на май 2024 года", "Книжные выставки и встречи."):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    pub = publication_from_document(out.getvalue(), "doc-1", name="plan-maj-2024.docx")
    assert pub.title == "План мероприятий на май 2024 года"
    assert pub.author == kept
    document = docx.Document()  # a form's stock first line is no heading
    for text in ("УТВЕРЖДАЮ", "Директор МБУК", "План мероприятий"):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    pub = publication_from_document(out.getvalue(), "doc-2", name="plan-maj-2024.docx")
    assert pub.title == "plan-maj-2024"


def test_a_page_that_moved_by_meta_refresh_is_followed_and_said(tmp_path, capsys):
    """An old post's address answered with `<meta http-equiv="refresh">` to its new one: it
    was skipped as «текст публикации не найден», and a post reachable only through it
    was lost."""
    from site_helpers import Resource, Site

    record = sample_records(1)[0]
    site = Site()
    site.resources["/news/new.html"] = Resource(page_html(record))
    site.resources["/old.html"] = Resource(
        b'<html><head><meta http-equiv="Refresh" content="0; URL=/news/new.html"></head>'
        b'<body></body></html>')
    site.resources["/"] = Resource(
        b'<html><body><main><a href="/old.html">old</a></main></body></html>')
    serve(site)
    try:
        index_dir = tmp_path / "ix"
        assert _reindex(index_dir, site.root) == 0
        urls = [d["url"] for d in _docs(index_dir).values()]
    finally:
        site.stop()
    assert urls == [site.url("/news/new.html")]


def test_a_listed_post_that_moved_by_meta_refresh_is_indexed_at_its_new_address(tmp_path):
    """On a site with a sitemap the refresh's target was never fetched, and the post's old
    version stayed in the index under the old address (the review)."""
    from site_helpers import Resource, Site

    record = sample_records(1)[0]
    site = Site()
    site.resources["/old.html"] = Resource(page_html(record))
    site.resources["/news/new.html"] = Resource(page_html(record))

    def sitemap(lastmod: str) -> None:
        site.resources["/sitemap.xml"] = Resource(
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
            f'{site.url("/old.html")}</loc><lastmod>{lastmod}</lastmod></url></urlset>'
            .encode(), "application/xml")

    serve(site)
    try:
        sitemap("2024-01-01")
        index_dir = tmp_path / "ix"
        assert _reindex(index_dir, site.root) == 0
        assert [d["url"] for d in _docs(index_dir).values()] == [site.url("/old.html")]
        site.resources["/old.html"] = Resource(
            b'<html><head><meta http-equiv="refresh" content="0;url=/news/new.html"></head>'
            b'<body></body></html>')
        sitemap("2024-02-01")
        assert _reindex(index_dir, "--incremental", site.root) == 0
        urls = [d["url"] for d in _docs(index_dir).values()]
    finally:
        site.stop()
    assert urls == [site.url("/news/new.html")]


def test_an_endless_calendar_stops_at_the_same_depth_every_night(tmp_path):
    """A calendar's «Следующий месяц» never ends: a full run stopped at --depth, but each
    incremental run started again from every page the last one had reached, and went
    --depth further (a site admin's trial: 9, 16, 25, 33 month pages)."""
    from site_helpers import Resource, Site

    site = Site()
    for month in range(1, 60):
        site.resources[f"/cal/{month}"] = Resource(
            f'<html><head><title>Календарь: месяц {month}</title></head><body><main>'
            f'<h1>Календарь: месяц {month}</h1><p>В этом месяце в библиотеке прошли '
            f'встречи читателей, выставки и громкие чтения номер {month}.</p>'
            f'<a href="/cal/{month + 1}">Следующий месяц</a></main></body></html>'.encode())
    site.resources["/"] = Resource(
        b'<html><body><main><a href="/cal/1">calendar</a></main></body></html>')
    serve(site)
    try:
        index_dir = tmp_path / "ix"
        assert _reindex(index_dir, "--depth", "3", site.root) == 0
        counts = [len(_docs(index_dir))]
        for _ in range(2):
            assert _reindex(index_dir, "--incremental", "--depth", "3", site.root) == 0
            counts.append(len(_docs(index_dir)))
    finally:
        site.stop()
    assert counts[0] >= 2 and counts == [counts[0]] * 3, counts


def test_a_page_found_nearer_the_start_than_last_night_leads_further(tmp_path):
    """A page the last run reached at the depth limit, linked from a nearer page now: its
    links are followed (the review: a remembered page kept its old level)."""
    from site_helpers import Resource, Site

    a, b, c, d = sample_records(4)
    site = Site()
    site.resources["/a"] = Resource(page_html(a, '<p><a href="/b">дальше</a></p>'))
    site.resources["/b"] = Resource(page_html(b, '<p><a href="/c">дальше</a></p>'))
    site.resources["/c"] = Resource(page_html(c, '<p><a href="/d">дальше</a></p>'))
    site.resources["/d"] = Resource(page_html(d))
    site.resources["/"] = Resource(b'<html><body><main><a href="/a">a</a></main></body></html>')
    serve(site)
    try:
        index_dir = tmp_path / "ix"
        assert _reindex(index_dir, "--depth", "3", site.root) == 0
        first = sorted(d["url"] for d in _docs(index_dir).values())
        site.resources["/a"] = Resource(  # /c one level nearer (the home page's links
            # themselves are the first level anyway)
            page_html(a, '<p><a href="/b">дальше</a> <a href="/c">ещё</a></p>'))
        assert _reindex(index_dir, "--incremental", "--depth", "3", site.root) == 0
        again = sorted(d["url"] for d in _docs(index_dir).values())
    finally:
        site.stop()
    assert first == [site.url(p) for p in ("/a", "/b", "/c")]
    assert again == [site.url(p) for p in ("/a", "/b", "/c", "/d")]
