"""Finding elements inside the widget's shadow root as well as in the page.

The widget lives in the shadow root of a <kartoteka-search> element (so that a site's CSS
does not reach it), where the driver's own find_element does not look.
"""

from __future__ import annotations

__all__ = ["deep", "focused_element", "WIDGET_HOST"]

WIDGET_HOST = "kartoteka-search"


class _Deep:
    """find_element(s) by CSS selector in the page and in every widget's shadow root."""

    def __init__(self, driver):
        self.driver = driver

    def __getattr__(self, name):  # current_url, execute_script …: the driver's
        return getattr(self.driver, name)

    def find_elements(self, by: str, selector: str) -> list:
        from selenium.webdriver.common.by import By

        found = self.driver.find_elements(by, selector)
        if by != By.CSS_SELECTOR:
            return found
        for host in self.driver.find_elements(By.CSS_SELECTOR, WIDGET_HOST):
            found += host.shadow_root.find_elements(By.CSS_SELECTOR, selector)
        return found

    def find_element(self, by: str, selector: str):
        from selenium.common.exceptions import NoSuchElementException

        found = self.find_elements(by, selector)
        if not found:
            raise NoSuchElementException(f"no element for {selector!r}, in the page or a widget")
        return found[0]


def deep(driver) -> _Deep:
    return driver if isinstance(driver, _Deep) else _Deep(driver)


def focused_element(driver):
    """The element with the focus, inside a widget's shadow root too (where the
    document's activeElement is the widget's host)."""
    return driver.execute_script(
        "var a = document.activeElement;"
        "while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;"
        "return a;")
