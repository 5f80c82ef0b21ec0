"""Accessibility and layout in headless Chromium: axe-core on each page type in both
languages, the skip link, the 375-pixel layout, and the province map without JavaScript.

axe-core is vendored under tests/browser/vendor/ (test-only; see its README) and injected
through WebDriver, so the pages' Content-Security-Policy is not involved.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

Browser = Any  # the `browser` fixture of conftest.py

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
COMPARISON = ("/api/queries/province-comparison?format=html&indicator="
              "https%3A%2F%2Fw3id.org%2Fcn-health-kg%2Findicator%2F"
              "all-public-general-hospitals-paediatrics")
MAP_INDICATOR = "/indicator/all-public-general-hospitals-paediatrics"
# one page of each type
PAGE_TYPES = {
    "home": "/", "sparql-editor": "/sparql", "api-docs": "/docs",
    "saved-questions": "/api/queries", "province-comparison": COMPARISON,
    "downloads": "/downloads", "person": "/person/wang-haidong", "agency": "/agency/nhc",
    "region": "/region/henan", "indicator": MAP_INDICATOR, "task": "/task/task-2025-childcare",
    "claim": "/claim/001/m-childcare-places-increase", "source": "/source/001",
    "search": "/search?q=%E7%8E%8B%E6%B5%B7%E4%B8%9C", "scorecard": "/scorecard?year=2025",
    "people": "/person", "dataset": "/dataset", "path": "/graph/path",
}
SEVERE = ("serious", "critical")
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.slice(0, 4).map(n => n.target.join(" "))}))),
  e => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));
"""


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_axe_finds_no_serious_violation(browser: Browser, name: str, lang: str) -> None:
    browser.open(with_lang(PAGE_TYPES[name], lang))
    browser.driver.execute_script(AXE.read_text(encoding="utf-8"))
    browser.driver.set_script_timeout(60)
    violations = browser.driver.execute_async_script(RUN_AXE)
    severe = [v for v in violations if v["impact"] in SEVERE]
    assert severe == [], json.dumps(severe, ensure_ascii=False, indent=1)


def test_skip_link_is_the_first_stop_and_leads_to_the_content(browser: Browser) -> None:
    browser.open("/?lang=en")
    body = browser.driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.driver.switch_to.active_element
    assert active.get_attribute("class") == "skip"
    assert active.is_displayed() and active.rect["y"] >= 0
    outline = browser.driver.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")  # a visible focus ring
    browser.screenshot("skip-link-focused")
    active.send_keys(Keys.ENTER)
    assert browser.driver.switch_to.active_element.get_attribute("id") == "main"


def test_phone_layout_has_a_small_header_and_card_tables(browser: Browser) -> None:
    driver = browser.driver
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True})
    try:
        browser.open(with_lang(COMPARISON, "en"), "table.results")
        header, viewport = driver.execute_script(
            "return [document.querySelector('header').getBoundingClientRect().height,"
            " window.innerHeight]")
        assert header < 0.12 * viewport, (header, viewport)
        assert not driver.find_element(By.CSS_SELECTOR, "header nav a").is_displayed()
        cells = driver.execute_script("""
            const row = document.querySelectorAll('table.results tr')[1];
            const cell = row.querySelector('td');
            return [getComputedStyle(row).display, getComputedStyle(cell).display,
                    getComputedStyle(cell, '::before').content, row.getBoundingClientRect().width,
                    document.documentElement.scrollWidth];""")
        row_display, cell_display, label, row_width, page_width = cells
        assert (row_display, cell_display) == ("block", "block")
        assert label.strip('"') == "Indicator"  # each cell names its column
        assert row_width > 300 and page_width <= 375  # cards, no sideways scrolling
        browser.screenshot("phone-province-comparison")
        driver.find_element(By.CSS_SELECTOR, "header details.menu summary").click()
        assert driver.find_element(By.CSS_SELECTOR, "header nav a").is_displayed()
        browser.screenshot("phone-menu-open")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("path", [MAP_INDICATOR, COMPARISON])
def test_province_map_is_drawn_without_javascript(browser_without_javascript: Browser,
                                                  path: str) -> None:
    browser = browser_without_javascript
    browser.open(with_lang(path, "en"), "svg.map")
    provinces = browser.driver.find_elements(By.CSS_SELECTOR, "svg.map path[data-adcode]")
    assert len(provinces) >= 30
    coloured = [p for p in provinces if p.get_attribute("data-value") is not None]
    assert {p.get_attribute("data-adcode") for p in coloured} == {"320000", "630000"}
    caption = browser.driver.find_element(By.CSS_SELECTOR, "figure.province-map figcaption").text
    assert "2 of 34 provinces report this indicator" in caption
    assert "Beijing" in caption and "Jiangsu" not in caption  # named: those with no figure
    assert browser.driver.find_elements(By.CSS_SELECTOR, "svg.bars rect")
    browser.screenshot("map-without-javascript-" + path.split("/")[2].split("?")[0])
