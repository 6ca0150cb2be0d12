"""The search page in headless Debian chromium against a real gunicorn."""

from __future__ import annotations

import pytest
from conftest import require_tool
from server_helpers import copy_index, run_gunicorn

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCREENSHOT = "/tmp/kartoteka-search.png"
WAIT = 15


@pytest.fixture(scope="module")
def site(sample_index_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-server")
    with run_gunicorn(copy_index(sample_index_dir, tmp / "index"), tmp) as srv:
        yield srv


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    chromium = require_tool("chromium")
    chromedriver = require_tool("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1280,1000", "--lang=ru-RU",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"intl.accept_languages": "ru-RU,ru"})
    drv = webdriver.Chrome(options=options, service=Service(chromedriver))
    drv.set_page_load_timeout(30)
    try:
        yield drv
    finally:
        drv.quit()


def wait(driver):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,))


def hit_ids(driver) -> list[str]:
    """Read in one script call, so a re-render cannot leave stale element handles."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#hits > li.hit'))"
        ".map(function (e) { return e.getAttribute('data-id'); });")


def search(driver, site, text: str):
    from selenium.webdriver.common.by import By

    driver.get(site.base_url + "/")
    box = wait(driver).until(lambda d: d.find_element(By.ID, "q"))
    box.clear()
    box.send_keys(text)
    driver.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "status").text.startswith("Найдено"))


def hits(driver):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, "#hits > li.hit")


def status_text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, "status").text


def browser_log(driver) -> list[dict]:
    """The console, without the favicon 404 the browser asks for on its own."""
    try:
        entries = driver.get_log("browser")
    except Exception:  # noqa: BLE001 - not every driver exposes the log
        return []
    return [e for e in entries if "favicon.ico" not in e.get("message", "")]


def test_search_facets_typo_xss_and_console(driver, site):
    from selenium.webdriver.common.by import By

    search(driver, site, "выставки")
    found = hits(driver)
    assert found
    marks = driver.find_elements(By.CSS_SELECTOR, "#hits > li.hit p.hit-snippet mark")
    assert any(m.text.lower().startswith("выстав") for m in marks), [m.text for m in marks]
    assert "q=" in driver.current_url
    assert driver.find_element(By.ID, "export").is_displayed()
    xlsx = driver.find_element(By.ID, "export-xlsx")
    assert xlsx.is_displayed() and "format=xlsx" in xlsx.get_attribute("href")
    driver.save_screenshot(SCREENSHOT)
    print(f"\nscreenshot: {SCREENSHOT}")

    # a facet click narrows the results and updates the counts
    before_status = status_text(driver)
    before_ids = hit_ids(driver)
    selector = "#facets li.facet-value[data-facet=author][data-value] button.facet-button"
    buttons = driver.find_elements(By.CSS_SELECTOR, selector)
    assert len(buttons) >= 2
    item = buttons[-1].find_element(By.XPATH, "..")
    author = item.get_attribute("data-value")
    expected = int(buttons[-1].find_element(By.CSS_SELECTOR, ".facet-count").text)
    buttons[-1].click()
    wait(driver).until(lambda d: status_text(d) != before_status)
    assert f"Найдено: {expected} " in status_text(driver) + " "
    after_ids = hit_ids(driver)
    assert after_ids != before_ids and len(after_ids) == min(expected, 10)
    assert all(author in h.text for h in hits(driver))
    chosen = driver.find_element(
        By.CSS_SELECTOR, f'#facets li.facet-value[data-facet=author][data-value="{author}"]')
    assert "selected" in chosen.get_attribute("class")
    assert "author=" in driver.current_url

    # a typo: corrected results, or a did-you-mean link to follow
    search(driver, site, "библеотека")
    corrected = driver.find_elements(By.CSS_SELECTOR, "#notices p.corrected")
    links = driver.find_elements(By.CSS_SELECTOR, "#notices a.did-you-mean")
    assert corrected or links
    if links:
        links[0].click()
        wait(driver).until(lambda d: d.find_element(By.ID, "q").get_attribute("value")
                           == "библиотека")
    else:
        assert "библиотека" in corrected[0].text
    assert hits(driver)

    # the record quoting <script>alert(1)</script> shows it as text, runs nothing
    driver.execute_script("window.__xss = undefined;")
    search(driver, site, "скрипт alert")
    snippet = driver.find_element(By.CSS_SELECTOR, '#hits > li.hit[data-id="zlat-2023-003"] '
                                                   "p.hit-snippet")
    assert "<script>alert(1)</script>" in snippet.text
    assert not snippet.find_elements(By.TAG_NAME, "script")
    assert not driver.find_elements(By.CSS_SELECTOR, "#hits script, #hits img, #hits b")
    assert driver.execute_script("return window.__xss === undefined;")
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018

    # no CSP violations or script errors in the console
    problems = [e for e in browser_log(driver) if e.get("level") == "SEVERE"
                or "Content Security Policy" in e.get("message", "")]
    assert not problems, problems


def test_pager_and_browse(driver, site):
    from selenium.webdriver.common.by import By

    driver.get(site.base_url + "/?q=библиотека")
    wait(driver).until(lambda d: d.find_element(By.ID, "status").text.startswith("Найдено"))
    assert len(hits(driver)) == 10
    pager = driver.find_element(By.ID, "pager")
    assert pager.is_displayed()
    first = hit_ids(driver)
    link = pager.find_element(By.XPATH, ".//a[normalize-space()='2' or contains(@href, 'page=2')]")
    link.click()
    wait(driver).until(lambda d: hit_ids(d) and hit_ids(d) != first)
    assert "page=2" in driver.current_url
    assert not set(first) & set(hit_ids(driver))
    assert not [e for e in browser_log(driver) if e.get("level") == "SEVERE"]
