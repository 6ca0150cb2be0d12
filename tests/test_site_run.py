"""A library's own site crawled by its links (no sitemap, no feed): lists of news with
teasers, pages that come back, limits of a crawl and what a repeated cron run prints.

Every test talks only to a site that the test serves itself on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from site_helpers import Resource, Site, page_html, serve

from indexer.cli import main
from indexer.web import url_id
from indexer.web_state import OTHER_SITE
from search.engine.whoosh.store import IndexLocation

FAST = ["--delay", "0", "--concurrency", "4", "--timeout", "1", "--retries", "0"]

POSTS = [
    {"id": "vystavka-otkrytok", "date": "2024-03-11", "title": "Выставка старых открыток",
     "text": "В читальном зале открылась выставка старых открыток и фотографий нашего города, "
             "собранных читателями клуба краеведов за последние десять лет.\nСамые редкие "
             "открытки прислали из семейных альбомов жители соседних сёл и деревень."},
    {"id": "pereplet", "date": "2024-03-12", "title": "Мастер-класс по переплёту книг",
     "text": "Реставратор областной библиотеки показал юным читателям, как подклеить корешок "
             "и вернуть к жизни любимую растрёпанную книжку.\nКаждый участник унёс домой "
             "блокнот, сшитый своими руками по старинной технике."},
    {"id": "poet-somov", "date": "2024-03-13", "title": "Встреча с поэтом Ильёй Сомовым",
     "text": "Автор трёх сборников стихов рассказал о детстве в деревне, прочитал новые "
             "стихотворения и подписал книги всем гостям вечера.\nРазговор о поэзии "
             "продолжился за чаем с пирогами, которые испекли сотрудницы абонемента."},
    {"id": "chtecy", "date": "2024-03-14", "title": "Итоги конкурса чтецов",
     "text": "Двадцать два школьника района читали наизусть стихи о природе, и жюри отметило "
             "девять участников конкурса.\nПриз зрительских симпатий достался самой младшей "
             "участнице, первокласснице Варе Лукиной из Заречья."},
    {"id": "shahmaty", "date": "2024-03-15", "title": "Шахматный турнир для пенсионеров",
     "text": "В клубе настольных игр прошёл весенний шахматный турнир среди читателей "
             "старшего возраста, собравший шестнадцать участников.\nПобедитель турнира "
             "получил в подарок новый учебник шахматных задач с автографом гроссмейстера."},
]


def _reindex(index_dir: Path, *args: str) -> int:
    return main(["--index-dir", str(index_dir), "reindex", "--no-progress", *FAST, *args])


def _ids(index_dir: Path) -> set[str]:
    ix = IndexLocation(index_dir).open_current()
    try:
        with ix.searcher() as searcher:
            return {f["id"] for f in searcher.all_stored_fields()}
    finally:
        ix.close()


def _teaser(post: dict) -> str:
    path = f"/news/{post['id']}.html"
    return (f'<div class="news-item"><span class="date">{post["date"]}</span>'
            f'<h3><a href="{path}">{post["title"]}</a></h3><p>{post["text"][:200]}…</p>'
            f'<a href="{path}">Читать далее</a></div>')


_MENU = ('<nav><a href="/">Главная</a> <a href="/news/">Новости</a> '
         '<a href="/about.html">О библиотеке</a></nav>')


def _list_html(posts: list[dict], more: str = "") -> bytes:
    return (f'<html><body>{_MENU}<div class="content"><h1>Новости</h1>'
            f'{"".join(map(_teaser, posts))}{more}</div></body></html>').encode()


def news_site(posts: list[dict] = POSTS) -> Site:
    """A start page with a menu, a list of news with teasers over two pages, the posts."""
    site = Site()
    res = site.resources
    also = "".join(f'<li><a href="/news/{p["id"]}.html">{p["title"]}</a></li>'
                   for p in posts[1:4])  # a post with a few links is still a post
    for n, post in enumerate(posts):
        extra = f"<p>Читать также:</p><ul>{also}</ul>" if n == 0 else ""
        res[f"/news/{post['id']}.html"] = Resource(page_html(post, extra))
    res["/"] = Resource(f"<html><body>{_MENU}<p>Добро пожаловать!</p></body></html>".encode())
    res["/about.html"] = Resource(page_html({
        "id": "about", "date": "2020-01-01", "title": "О библиотеке",
        "text": "Библиотека работает с 1956 года и обслуживает жителей трёх микрорайонов, "
                "школы и колледж."}))
    res["/news/"] = Resource(_list_html(
        posts[:3], '<div class="pagination"><a href="/news/page-2.html">2</a></div>'))
    res["/news/page-2.html"] = Resource(_list_html(posts[3:]))
    return serve(site)


@pytest.fixture
def site():
    site = news_site()
    yield site
    site.stop()


def _post_ids(site: Site, posts: list[dict] = POSTS) -> set[str]:
    return {url_id(site.url(f"/news/{p['id']}.html")) for p in posts}


def test_lists_of_news_with_teasers_are_followed_not_indexed(site, tmp_path, capsys):
    index_dir = tmp_path / "index"
    assert _reindex(index_dir, site.root + "/") == 0
    assert _ids(index_dir) == _post_ids(site) | {url_id(site.url("/about.html"))}
    assert "список публикаций" not in capsys.readouterr().out  # followed, not reported


def test_a_full_run_keeps_the_posts_behind_an_archive_page_that_did_not_answer(site, tmp_path,
                                                                               capsys):
    """The weekly full crawl met «Архив, стр. 2» answering 500: the posts only it lists
    were not reached and left the index, `removed: 0`, exit 0. They are kept as the last
    index had them (and remembered for the next run); once the page answers, a full run
    that no longer reaches a post drops it as before."""
    index_dir = tmp_path / "index"
    assert _reindex(index_dir, site.root + "/") == 0
    behind = {url_id(site.url(f"/news/{p['id']}.html")) for p in POSTS[4:]}  # page 2 only
    assert behind <= _ids(index_dir)
    archive = site.resources["/news/page-2.html"]
    site.resources["/news/page-2.html"] = Resource(b"", status=500)
    capsys.readouterr()
    assert _reindex(index_dir, site.root + "/") == 0
    out = capsys.readouterr().out
    assert f"оставлено как в прошлом индексе: {len(behind)} (до них не дошли" in out, out
    assert behind <= _ids(index_dir)
    assert _reindex(index_dir, "--incremental", site.root + "/") == 0  # still known
    assert behind <= _ids(index_dir)
    site.resources["/news/page-2.html"] = archive
    del site.resources[f"/news/{POSTS[4]['id']}.html"]  # removed from the site meanwhile
    site.resources["/news/page-2.html"] = Resource(_list_html(POSTS[3:4]))
    assert _reindex(index_dir, "--allow-smaller", site.root + "/") == 0
    assert not behind & _ids(index_dir)


RETURNING = {"id": "vozvrashchenie", "date": "2024-03-16", "title": "Книги вернулись на полки",
             "text": "После ремонта фонда отдел краеведения снова выдаёт старые подшивки "
                     "районной газеты и редкие книги о нашем крае.\nЗаписаться в читальный "
                     "зал можно по телефону или на абонементе в любой день недели."}


def test_a_page_back_after_a_404_returns_on_incremental_runs(site, tmp_path):
    """A post that answered 404 for one night never came back: the pages linking to it
    answered 304 Not Modified, so their links were not read again."""
    res = site.resources
    also = f'<p>Читать также: <a href="/news/{RETURNING["id"]}.html">книги вернулись</a></p>'
    res[f"/news/{POSTS[0]['id']}.html"] = Resource(page_html(POSTS[0], also))  # a publication
    returning = f"/news/{RETURNING['id']}.html"  # linked from that post only
    res[returning] = Resource(page_html(RETURNING))
    listed = f"/news/{POSTS[4]['id']}.html"  # linked from the second list only
    index_dir = tmp_path / "index"
    assert _reindex(index_dir, site.root + "/") == 0
    back = {url_id(site.url(returning)), url_id(site.url(listed))}
    assert back <= _ids(index_dir)
    pages = {path: res.pop(path) for path in (returning, listed)}
    assert _reindex(index_dir, "--incremental", site.root + "/") == 0
    assert not back & _ids(index_dir)
    res.update(pages)
    site.clear_log()
    assert _reindex(index_dir, "--incremental", site.root + "/") == 0
    assert back <= _ids(index_dir)
    assert (f"/news/{POSTS[0]['id']}.html", 304) in site.requested("/news/")
    assert _reindex(index_dir, "--incremental", site.root + "/") == 0
    assert back <= _ids(index_dir)


def _site_moving_a_page(*more: str) -> tuple[Site, str]:
    """A site serving one post, `/news/away.html` moved for good (308) to another host, and
    a sitemap of both and of `more` paths; (the site, started; the other host's address)."""
    site = Site()
    res = site.resources
    res["/news/a.html"] = Resource(page_html(POSTS[0]))
    serve(site)
    elsewhere = site.root.replace("127.0.0.1", "localhost") + "/news/a.html"
    res["/news/away.html"] = Resource(b"", status=308, location=elsewhere)
    urls = "".join(f"<url><loc>{site.url(p)}</loc></url>"
                   for p in ("/news/a.html", "/news/away.html", *more))
    res["/sitemap.xml"] = Resource(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        .encode(), "application/xml")
    return site, elsewhere


def test_a_repeated_cron_run_reports_a_404_or_a_permanent_redirect_once(tmp_path, capsys,
                                                                        caplog):
    """Every nightly run printed the same dead links and moved pages again."""
    site, elsewhere = _site_moving_a_page("/news/missing.html", "/news/for-now.html")
    try:
        site.resources["/news/for-now.html"] = Resource(b"", status=302, location=elsewhere)
        index_dir = tmp_path / "index"
        for args in ([], ["--incremental"], ["--incremental"]):
            caplog.clear()
            capsys.readouterr()
            assert _reindex(index_dir, "--quiet", *args, site.root + "/") == 0
            warned = {r.getMessage().split()[1].rstrip(":") for r in caplog.records
                      if r.levelname == "WARNING" and r.getMessage().startswith("пропущено: ")}
            temporary = {site.url("/news/for-now.html")}  # may end any day: told each time
            assert warned == (temporary | {site.url("/news/missing.html"),
                                           site.url("/news/away.html")}
                              if not args else temporary), args
            out = capsys.readouterr().out
            assert "пропущено: 3" in out and "пропущено 1: HTTP 404" in out, args  # still counted
    finally:
        site.stop()


def test_max_pages_goes_to_posts_before_menu_pages(site, tmp_path, capsys):
    """With --max-pages, the menu's pages (about, contacts, services) used the budget up
    before the posts listed on the news pages; the pages left out were not told."""
    res = site.resources
    menu = ["/about.html", "/contacts.html", "/services.html", "/history.html", "/rules.html"]
    for path in menu[1:]:
        res[path] = res["/about.html"]
    latest = "".join(map(_teaser, POSTS[:2]))
    res["/"] = Resource(
        f'<html><body><nav>{"".join(f"<a href={p!r}>{p}</a>" for p in menu)}'
        f'<a href="/news/">Новости</a></nav><div class="content">{latest}'
        '<p><a href="/news/">Все новости</a></p></div></body></html>'.encode())
    index_dir = tmp_path / "index"
    # the lists (2), the posts (5) and one menu page
    assert _reindex(index_dir, "--max-pages", "8", "--concurrency", "1", site.root + "/") == 0
    assert _post_ids(site) <= _ids(index_dir)
    assert "  не посещено страниц: 5 (достигнут предел --max-pages 8)" in capsys.readouterr().out


def test_pages_beyond_the_depth_are_told(site, tmp_path, capsys):
    index_dir = tmp_path / "index"
    # the list's first page and its posts are level 2: the second page's posts are not read
    assert _reindex(index_dir, "--depth", "2", site.root + "/") == 0
    assert _ids(index_dir) == _post_ids(site, POSTS[:3]) | {url_id(site.url("/about.html"))}
    out = capsys.readouterr().out
    assert "  не посещено страниц: 2 (достигнут предел --depth 2)" in out  # the second page's posts



def test_the_redirects_a_state_file_of_the_english_version_reported_are_not_told_again(
        tmp_path, caplog):
    """The version before the Russian words saved a permanent redirect's reason in English
    (`web-state.json`, `reported`): the first nightly run after the upgrade told every such
    address again, as new."""
    site, elsewhere = _site_moving_a_page()
    try:
        index_dir = tmp_path / "index"
        assert _reindex(index_dir, "--quiet", site.root + "/") == 0
        state_file, away = index_dir / "web-state.json", site.url("/news/away.html")
        state = json.loads(state_file.read_text(encoding="utf-8"))
        assert state["reported"] == {away: OTHER_SITE.format(elsewhere)}, state
        state["reported"][away] = f"redirects to another site ({elsewhere})"  # as 0.1 said
        state_file.write_text(json.dumps(state), encoding="utf-8")
        caplog.clear()
        assert _reindex(index_dir, "--quiet", "--incremental", site.root + "/") == 0
        warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert warned == [], warned
        state = json.loads(state_file.read_text(encoding="utf-8"))
        assert state["reported"] == {away: OTHER_SITE.format(elsewhere)}, state
    finally:
        site.stop()
