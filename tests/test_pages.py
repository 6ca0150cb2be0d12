"""The HTML pages for browsers: a publication at /p/{id}, the 404 page, the favicon, /docs."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
from falcon import testing

from api.app import create_app
from api.middleware import CSP
from api.openapi import openapi_spec
from api.static_files import STATIC_DIR

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def write_client(fresh_index):
    return testing.TestClient(create_app(fresh_index))


def assert_html_404(resp, path: str):
    assert resp.status_code == 404, resp.text
    assert resp.headers["content-type"].startswith("text/html")
    assert '<html lang="ru">' in resp.text and "Страница не найдена" in resp.text
    assert 'href="/"' in resp.text and "Перейти к поиску" in resp.text
    assert f"<code>{path}</code>" in resp.text
    assert resp.headers["content-security-policy"] == CSP


@pytest.mark.parametrize("path", ["/nothing/here", "/static/missing.js", "/p/no-such-id",
                                  "/p/..%2F..%2Fetc"])
def test_browsers_get_an_html_404(client, path):
    resp = client.simulate_get(path, headers=BROWSER)
    shown = path.replace("%2F", "/")
    assert_html_404(resp, shown)


@pytest.mark.parametrize("path, headers", [
    ("/nothing/here", {}),  # curl and other programs: */*
    ("/nothing/here", {"Accept": "application/json"}),
    ("/api/nothing", BROWSER),  # the API never answers HTML
    ("/api/publications/no-such-id", BROWSER),
    ("/api", BROWSER),
])
def test_programs_and_the_api_keep_json_errors(client, path, headers):
    resp = client.simulate_get(path, headers=headers)
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/json")
    assert set(resp.json) == {"title", "description"}


@pytest.mark.parametrize("path", ["/search?q=книга", "/p/zlat-2021-001"])
def test_a_browser_gets_a_russian_page_when_there_is_no_index_to_show(tmp_path, path):
    """With the cluster down (or no index yet) a reader following a link to a result or
    a publication got the API's raw JSON; programs still get it."""
    from search.settings import Settings

    settings = Settings.from_env({}, index_dir=tmp_path / "no-index")
    client = testing.TestClient(create_app(settings))
    page = client.simulate_get(path, headers=BROWSER)
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="ru">' in page.text and "Индекс недоступен" in page.text
    assert "Перейти к поиску" in page.text and page.headers["content-security-policy"] == CSP
    # a reader is told to come back, not to run the admin's command
    assert "попробуйте зайти" in page.text and "kartoteka reindex" not in page.text
    program = client.simulate_get(path)
    assert program.status_code == 503 and set(program.json) == {"title", "description"}


def test_html_404_escapes_the_path(client):
    resp = client.simulate_get("/%3Cscript%3Ealert(1)%3C/script%3E", headers=BROWSER)
    assert resp.status_code == 404
    assert "<script>" not in resp.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in resp.text


def test_favicon(client):
    resp = client.simulate_get("/favicon.ico")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "image/vnd.microsoft.icon"
    assert resp.content.startswith(b"\x00\x00\x01\x00")  # an ICO header
    svg = client.simulate_get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")


def test_publication_page(client):
    resp = client.simulate_get("/p/zlat-2021-001", headers=BROWSER)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert resp.headers["content-security-policy"] == CSP
    page = resp.text
    record = client.simulate_get("/api/publications/zlat-2021-001").json
    assert f"<title>{record['title']} — Картотека</title>" in page
    assert "15 января 2021" in page
    for line in record["text"].splitlines():
        assert f"<p>{line.strip()}</p>" in page
    assert f'href="{record["url"]}"' in page and "Открыть на сайте библиотеки" in page
    assert 'href="/?topic=' in page
    similar = client.simulate_get("/api/publications/zlat-2021-001/similar").json["similar"]
    assert similar and all(h["title"] in page for h in similar)
    assert "<script" not in page  # the page works without scripts
    assert '<a class="skip-link" href="#main">' in page and 'id="main"' in page
    assert '<a href="/">← К поиску</a>' in page  # opened from nowhere: the empty search


@pytest.mark.parametrize(("back", "href"), [
    ("q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0&topic=X&page=2",
     "/?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0&amp;topic=X&amp;page=2"),
    ("q=a&evil=1", "/?q=a"),  # only the search's own parameters
    ("javascript:alert(1)", "/"),  # no search at all
])
def test_the_way_back_is_the_search_the_page_was_opened_from(client, back, href):
    resp = client.simulate_get("/p/zlat-2021-001", params={"back": back}, headers=BROWSER)
    assert f'<a href="{href}">← К поиску</a>' in resp.text


@pytest.mark.parametrize(("given", "shown"), [
    ("https://library.example.ru/news/?page=2", True),  # a page of a listed site
    ("https://LIBRARY.example.ru/", True),  # the host in any case
    ("https://evil.example/phish", False),  # a site not listed: never a link there
    ("javascript:alert(1)", False),
    ("https://library.example.ru\\@evil.example/", False),
    ("https://librarу.example.ru/", False),  # a Cyrillic «у»: a browser's host is ASCII
])
def test_a_widget_visitor_is_led_back_to_the_library_s_page(fresh_index, given, shown):
    """A publication chosen in the widget: «← К поиску» had led to this service's empty
    search, not back to the library's site (a web editor's trial). The way back goes to
    the page it came from, when the site is one KARTOTEKA_CORS_ORIGINS lists."""
    import dataclasses

    settings = dataclasses.replace(fresh_index, cors_origins=("https://library.example.ru",))
    page = testing.TestClient(create_app(settings)).simulate_get(  # 2 similar ones without url
        "/p/zlat-2025-008", params={"return": given}, headers=BROWSER).text
    if shown:
        assert f'<a href="{html.escape(given)}">← Вернуться на сайт</a>' in page
        assert "← К поиску" not in page
        # and the similar publications carry it on (one click further it was lost)
        onward = re.findall(r'<section class="related similar">.*?</section>', page, re.S)
        assert onward and "/p/" in onward[0], page
        assert all(html.escape(urlencode({"return": given})) in href
                   for href in re.findall(r'href="(/p/[^"]+)"', onward[0])), onward
    else:
        assert '<a href="/">← К поиску</a>' in page and "Вернуться на сайт" not in page


def test_publication_page_escapes_and_lists_attachments(fresh_index):
    from search.engine import open_engine
    from search.models import Publication

    c = testing.TestClient(create_app(fresh_index))
    parent = {"title": "Вечер <b>ксилографии</b> & «гравюры»",
              "text": "Первая строка <script>alert(1)</script>\n\nВторая строка",
              "url": "javascript:alert(2)", "author": '"Автор" <i>'}
    child = {"title": "Программа <вечера>", "text": "Программа.", "parent_id": "pg-1",
             "url": "https://library.example.ru/files/p.pdf"}
    # PUT refuses such a link; an imported export may still hold one
    assert c.simulate_put("/api/publications/pg-1", json=parent, headers=AUTH).status_code == 400
    open_engine(fresh_index).upsert([Publication.from_dict({**parent, "id": "pg-1"})])
    assert c.simulate_put("/api/publications/pg-2", json=child, headers=AUTH).status_code == 201

    page = c.simulate_get("/p/pg-1", headers=BROWSER).text
    assert "Вечер &lt;b&gt;ксилографии&lt;/b&gt; &amp; «гравюры»" in page
    assert "<p>Первая строка &lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>Вторая строка</p>" \
        in page
    assert "&quot;Автор&quot; &lt;i&gt;" in page
    assert "javascript:" not in page  # not a web address: not linked
    attachments = re.search(r'<section class="related attachments">(.*?)</section>', page).group(1)
    assert '<a href="https://library.example.ru/files/p.pdf">Программа &lt;вечера&gt;</a>' \
        in attachments
    similar = re.search(r'<section class="related similar">(.*?)</section>', page)
    assert similar is None or "pg-2" not in similar.group(1) and "p.pdf" not in similar.group(1)

    child_page = c.simulate_get("/p/pg-2", headers=BROWSER).text
    assert '<a href="/p/pg-1">«Вечер &lt;b&gt;ксилографии&lt;/b&gt; &amp; «гравюры»»</a>' \
        in child_page


def test_hits_without_url_link_to_the_publication_page():
    """Both the page and the widget send a hit without a web address to /p/{id}."""
    for name in ("app.js", "widget.js"):
        source = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert "'/p/' + encodeURIComponent" in source
        assert "/api/publications/" not in source


def test_docs_page_covers_the_api_in_russian(client):
    resp = client.simulate_get("/docs")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    page = resp.text
    assert '<html lang="ru">' in page and 'href="/static/style.css"' in page
    assert 'href="/"' in page and "К поиску" in page
    spec = openapi_spec()
    for path, item in spec["paths"].items():
        assert f"<code>{path}</code>" in page, path
        for op in item.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                assert f"<code>{param['name']}</code>" in page, (path, param["name"])
    assert "<td></td>" not in page


def test_results_without_javascript(client):
    """The search page's form sends to /search, which the script intercepts; without
    JavaScript it is a plain page of results: the count, the hits, their snippets, pages."""
    index = client.simulate_get("/", headers=BROWSER).text
    assert 'action="/search"' in index and "<noscript>" in index
    api = client.simulate_get("/api/search", params={"q": "книга"}).json
    resp = client.simulate_get("/search", params={"q": "книга"}, headers=BROWSER)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    assert resp.headers["content-security-policy"] == CSP and "<script" not in resp.text
    page = resp.text
    assert f"Найдено: {api['total']} " in page and "страница 1 из" in page
    # one search box, its own (the header's went to the page with script), and a skip link
    # that says where it goes (it had said «Перейти к публикации»)
    assert page.count('role="search"') == 1 and 'action="/search"' in page
    assert ">Перейти к результатам</a>" in page
    for hit in api["hits"]:
        assert html.escape(hit["title"]) in page and hit["snippet"] in page
    # no heading level skipped (h1, then the results' h3 titles: an accessibility trial)
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", page)]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert 'rel="next" href="/search?q=%D0%BA%D0%BD%D0%B8%D0%B3%D0%B0&amp;page=2"' in page
    second = client.simulate_get("/search", params={"q": "книга", "page": "2"},
                                 headers=BROWSER).text
    assert 'rel="prev"' in second and "страница 2 из" in second
    typo = client.simulate_get("/search", params={"q": "выстовка"}, headers=BROWSER).text
    assert "показаны результаты по запросу «выставка»" in typo
    # every notice of the API: a page past the last, a layout, a year read, a bracket
    for params in ({"q": "выставка", "page": "99"}, {"q": ",b,kbjntrf"},
                   {"q": "итоги прошлого года"}, {"q": "((("}):
        said = client.simulate_get("/api/search", params=params).json["warnings"]
        page = client.simulate_get("/search", params=params, headers=BROWSER).text
        assert said and all(html.escape(w[1:]) in page for w in said), (params, said)
        assert "страница 99 из" not in page  # past the last: said once, by the notice
    nothing = client.simulate_get("/search", params={"q": "йцукенгшщзхъ"}, headers=BROWSER).text
    assert "По запросу «йцукенгшщзхъ» ничего не найдено." in nothing
    filtered = client.simulate_get("/search", params={"topic": "Нет такой темы"},
                                   headers=BROWSER).text
    assert "С выбранными фильтрами ничего не найдено." in filtered
    bad = client.simulate_get("/search", params={"q": "книга", "page": "-1"}, headers=BROWSER)
    # the page says why, and the status too (it had been a 200: a hostile tester's trial)
    assert bad.status_code == 400 and 'role="alert">Не удалось выполнить поиск: «page»' in bad.text
    hostile = client.simulate_get("/search", params={"q": '<script>alert(1)</script>'},
                                  headers=BROWSER).text
    assert "<script>alert" not in hostile


def test_the_widget_demo_page_tells_every_setting_an_embedding_site_needs():
    """Each `data-` attribute widget.js reads is explained where the embed code is, and so
    is KARTOTEKA_CORS_ORIGINS: without it a site following only that page got «Не удалось
    связаться с сервером поиска» and the reason in the browser's console alone."""
    script = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    demo = (STATIC_DIR / "widget-demo.html").read_text(encoding="utf-8")
    read = set(re.findall(r"getAttribute\('(data-[a-z-]+)'\)", script))
    assert {"data-target", "data-per-page", "data-theme", "data-api-base"} <= read
    assert all(f"<dt><code>{name}</code></dt>" in demo for name in read), read
    assert "<code>KARTOTEKA_CORS_ORIGINS</code>" in demo
