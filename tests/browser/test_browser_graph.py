"""The graph view in headless Chromium: an entity page draws its neighbourhood with
cytoscape.js, a click on a node adds that node's neighbours, the path finder draws a
path; no console error, nothing fetched from another host, screenshots."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

Browser = Any  # the `browser` fixture of conftest.py
BASE = "https://w3id.org/cn-health-kg/"
SOURCE = f"{BASE}source/001"
COUNT = "var v = document.getElementById('graph-view'); return v && v.kgGraph ? " \
        "v.kgGraph.nodes().length : 0"


def node_count(browser: Browser) -> int:
    return int(browser.driver.execute_script(COUNT))


def click_node(browser: Browser, node_id: str) -> None:
    """A real mouse click where cytoscape drew the node."""
    x, y = browser.driver.execute_script(
        "var p = document.getElementById('graph-view').kgGraph.getElementById(arguments[0])"
        ".renderedPosition(); return [p.x, p.y];", node_id)
    view = browser.driver.find_element(By.ID, "graph-view")
    size = view.size
    ActionChains(browser.driver).move_to_element_with_offset(
        view, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()


def test_entity_graph_draws_and_expands_a_node(browser: Browser) -> None:
    browser.open("/person/wang-haidong", "#graph-view canvas")
    browser.wait_for(lambda d: node_count(browser) > 1)
    before = node_count(browser)
    assert browser.driver.find_elements(By.CSS_SELECTOR, "#graph-view canvas")
    assert browser.driver.execute_script(
        "return document.getElementById('graph-view').kgGraph.getElementById(arguments[0])"
        ".nonempty()", SOURCE), "the source that mentions him is a neighbour"
    click_node(browser, SOURCE)
    browser.wait_for(lambda d: node_count(browser) > before)
    panel = browser.driver.find_element(By.ID, "graph-panel")
    assert panel.is_displayed() and panel.find_element(By.TAG_NAME, "a").get_attribute(
        "href") == browser.origin + "/source/001"
    visit = browser.drain()
    browser.driver.execute_script(
        "document.getElementById('graph-view').scrollIntoView()")
    browser.screenshot("graph-entity-expanded")
    assert visit.errors == []
    assert visit.off_host(browser.origin) == []


def test_path_view_draws_a_path_between_two_entities(browser: Browser) -> None:
    path = (f"/graph/path?from={quote(BASE + 'person/wang-haidong', safe='')}"
            f"&to={quote(BASE + 'region/henan', safe='')}")
    browser.open(path, "#graph-view canvas")
    browser.wait_for(lambda d: node_count(browser) >= 3)
    steps = browser.driver.find_elements(By.CSS_SELECTOR, ".paths li")
    assert steps and "Wang Haidong" in steps[0].text and "Henan" in steps[0].text
    assert browser.driver.find_element(By.CSS_SELECTOR, ".graph-legend .swatch")
    visit = browser.drain()
    browser.screenshot("graph-path")
    assert visit.errors == []
    assert visit.off_host(browser.origin) == []


def test_entity_graph_lists_neighbours_without_javascript(
        browser_without_javascript: Browser) -> None:
    browser_without_javascript.open("/person/wang-haidong")
    driver = browser_without_javascript.driver
    assert not driver.find_element(By.ID, "graph-view").is_displayed()
    assert len(driver.find_elements(By.CSS_SELECTOR, ".neighbours li a")) > 1
    browser_without_javascript.screenshot("graph-entity-no-javascript")


def test_path_form_suggests_names_as_one_types(browser: Browser) -> None:
    browser.open("/graph/path")
    field = browser.driver.find_element(By.CSS_SELECTOR, "input[name=from]")
    field.send_keys("wang")
    browser.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#path-from-names option"))
    names = [o.get_attribute("value") for o in
             browser.driver.find_elements(By.CSS_SELECTOR, "#path-from-names option")]
    assert "Wang Haidong" in names
    visit = browser.drain()
    assert visit.errors == []
    assert visit.off_host(browser.origin) == []
