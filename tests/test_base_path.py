"""The service published under a path of a library's site (`KARTOTEKA_BASE_PATH`), as a
proxy passing `/biblio/poisk/…` on to it serves it: real gunicorn, real Chromium."""

from __future__ import annotations

import pytest
from page_view import deep
from server_helpers import copy_index, run_gunicorn
from test_browser import browser_log, hit_ids, status_text, wait

from search.errors import ConfigError
from search.settings import Settings

BASE = "/biblio/poisk"


@pytest.fixture(scope="module")
def mounted_site(sample_index_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("base-path-server")
    with run_gunicorn(copy_index(sample_index_dir, tmp / "index"), tmp,
                      env={"KARTOTEKA_BASE_PATH": BASE + "/"}) as srv:
        yield srv


@pytest.mark.server
def test_answers_under_the_path_and_at_the_root_and_links_under_the_path(mounted_site):
    """A proxy may pass the path on or strip it, a health check asks 127.0.0.1 directly:
    all are served; the pages' own addresses carry the path, else their styles, scripts
    and links would go to the library's own site."""
    for path in (f"{BASE}/api/search", "/api/search"):
        found = mounted_site.get(path, {"q": "выставка"})
        assert found.status == 200 and found.json["total"] > 0, (path, found.status)
    assert mounted_site.get("/api/health").status == 200
    page = mounted_site.get(f"{BASE}/").body.decode("utf-8")
    assert f'href="{BASE}/static/style.css"' in page and f'src="{BASE}/static/app.js"' in page
    assert 'href="/' not in page.replace(f'href="{BASE}/', "")
    publication = mounted_site.get(f"{BASE}/p/zlat-2023-003").body.decode("utf-8")
    assert f'action="{BASE}/"' in publication and 'href="/' not in publication.replace(
        f'href="{BASE}/', "")
    assert mounted_site.get(f"{BASE}/openapi.json").json["servers"] == [{"url": BASE}]
    # the 404 page names the address the visitor's browser shows, as the proxy passed it
    # on or stripped it (it had said «/no-such-page»: a web editor's trial)
    for path in (f"{BASE}/no-such-page", "/no-such-page"):
        missing = mounted_site.get(path, headers={"Accept": "text/html"})
        body = missing.body.decode("utf-8")
        assert missing.status == 404 and f'href="{BASE}/"' in body
        assert f"<code>{BASE}/no-such-page</code>" in body, body


@pytest.mark.server
def test_export_links_to_publication_pages_under_the_path_whatever_the_proxy(mounted_site):
    """A post with no address of its own is linked to its page here in an export's
    «Адрес»: a proxy that strips the path made it `https://library.example/p/…`, a 404
    on the library's own site."""
    import csv
    import io

    headers = {"Host": "library.example", "X-Forwarded-Proto": "https"}
    for path in (f"{BASE}/api/export", "/api/export"):  # the path passed on, or stripped
        got = mounted_site.get(path, {"q": "библиотека"}, headers=headers)
        assert got.status == 200, got.status
        rows = list(csv.reader(io.StringIO(got.body.decode("utf-8-sig")), delimiter=";"))
        address = rows[0].index("Адрес")
        pages = [r[address] for r in rows[1:] if "/p/" in r[address]]
        assert pages and all(a.startswith(f"https://library.example{BASE}/p/") for a in pages)


@pytest.mark.server
@pytest.mark.parametrize("headers", [
    {"Host": "library.example", "X-Forwarded-Proto": "javascript"},
    {"Host": "library.example", "X-Forwarded-Host": 'evil.example";=1+1'},
    {"Host": "library.example", "Forwarded": 'proto=data;host="a b"'},
])
def test_export_links_take_no_scheme_or_host_a_link_may_not_have(mounted_site, headers):
    """Any client sends these headers: an export had read `javascript://evil.example/p/…`
    and `"http://evil.example"";=1+1/p/…` from them (a security tester's trial). Such
    links are paths on the site."""
    import csv
    import io

    got = mounted_site.get("/api/export", {"q": "библиотека"}, headers=headers)
    assert got.status == 200, got.status
    rows = list(csv.reader(io.StringIO(got.body.decode("utf-8-sig")), delimiter=";"))
    address = rows[0].index("Адрес")
    pages = [r[address] for r in rows[1:] if "/p/" in r[address]]
    assert pages and all(a.startswith(f"{BASE}/p/") for a in pages), pages[:3]


@pytest.mark.browser
@pytest.mark.server
def test_the_page_and_the_widget_work_under_the_path(mounted_site, tmp_path_factory):
    from selenium.webdriver.common.by import By
    from test_browser import start_chromium

    driver = start_chromium(tmp_path_factory.mktemp("chromium-base-path"))
    try:
        root = mounted_site.base_url + BASE
        driver.get(root + "/")
        box = wait(driver).until(lambda d: d.find_element(By.ID, "q"))
        assert driver.find_element(By.CSS_SELECTOR, ".site-header").value_of_css_property(
            "display") != "inline", "the style sheet did not load"
        box.send_keys("выставки")
        driver.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
        wait(driver).until(lambda d: status_text(d).startswith("Найдено"))
        assert driver.current_url.startswith(root + "/?q=")
        assert hit_ids(driver)
        links = [a.get_attribute("href") for a in
                 driver.find_elements(By.CSS_SELECTOR, "#hits > li.hit a.hit-link")]
        assert all(h.startswith((root + "/p/", "https://library.example.ru/")) for h in links)
        export = driver.find_element(By.ID, "export").get_attribute("href")
        assert export.startswith(root + "/api/export?")
        driver.get(root + "/p/zlat-2023-003")  # a publication's page, and back to search
        wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "h1.publication-title"))
        driver.find_element(By.CSS_SELECTOR, ".site-title a").click()
        wait(driver).until(lambda d: d.find_elements(By.ID, "search-form"))
        assert driver.current_url == root + "/"
        driver.get(root + "/static/widget-demo.html")
        box = wait(driver).until(lambda d: deep(d).find_element(By.CSS_SELECTOR, ".kartoteka-input"))
        box.send_keys("выставка")
        deep(driver).find_element(By.CSS_SELECTOR, ".kartoteka-button").click()
        wait(driver).until(lambda d: deep(d).find_elements(By.CSS_SELECTOR, ".kartoteka-title"))
        more = deep(driver).find_elements(By.CSS_SELECTOR, ".kartoteka-widget a[href*='?q=']")
        assert more and all(a.get_attribute("href").startswith(root + "/?") for a in more)
        problems = [e for e in browser_log(driver) if e.get("level") == "SEVERE"]
        assert not problems, problems
    finally:
        driver.quit()


@pytest.mark.parametrize("given, meant", [("/search/", "/search"), ("search", "/search"),
                                          ("/", ""), ("", ""), ("/a/b-c_1", "/a/b-c_1")])
def test_the_base_path_is_read_as_a_path(given, meant):
    assert Settings.from_env({"KARTOTEKA_BASE_PATH": given}).base_path == meant


@pytest.mark.parametrize("given", ["/search?x=1", "/по иск", "/a/../b", "https://x.ru/s"])
def test_a_base_path_that_is_no_path_is_refused(given):
    with pytest.raises(ConfigError, match="KARTOTEKA_BASE_PATH"):
        Settings.from_env({"KARTOTEKA_BASE_PATH": given})
