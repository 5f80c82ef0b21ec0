"""A real `kg serve` on 127.0.0.1 and a real headless Chromium driving it (Selenium).

The browser is Debian's `chromium` with its `chromium-driver` (installed by .ci/run);
Selenium is given both paths and SE_OFFLINE, so it never downloads anything. Missing
binaries FAIL the tests: a browser test that silently skips proves nothing.

Every visit collects the page's console messages (goog:loggingPrefs) and every URL
it requested (DevTools performance log and the Resource Timing entries), and writes
a full-page screenshot to $KG_SCREENSHOTS (default var/screenshots/).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
LOCAL_SCHEMES = ("data:", "blob:", "about:")
MAX_SCREENSHOT_HEIGHT = 6000


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("KG_SCREENSHOTS") or PROJECT / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def origin(kg_server: str) -> str:
    """`kg serve` on a free port of 127.0.0.1 for the session (the one tests/conftest.py
    starts); its origin (no slash)."""
    return kg_server


def start_chromium(javascript: bool = True) -> Any:
    """Headless Chromium at 1280 px, logging console and network."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"browser tests need {', '.join(missing)}: "
                    "apt-get install chromium chromium-driver fonts-noto-cjk (see .ci/run)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,900", "--lang=en-US",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps",
                     "--disable-features=Translate,OptimizationHints,MediaRouter"):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                            options=options)


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    browser = start_chromium()
    try:
        yield browser
    finally:
        browser.quit()


@dataclass
class Visit:
    """What one page load did: its console errors and the URLs it requested."""

    url: str
    errors: list[str] = field(default_factory=list)
    requests: set[str] = field(default_factory=set)

    def off_host(self, origin: str) -> list[str]:
        return sorted(u for u in self.requests
                      if not (u == origin or u.startswith(origin + "/"))
                      and not u.startswith(LOCAL_SCHEMES))


class Browser:
    """The driver with page-level helpers used by every browser test."""

    def __init__(self, driver: Any, origin: str) -> None:
        self.driver = driver
        self.origin = origin

    def drain(self) -> Visit:
        """Console errors and requests since the last drain."""
        visit = Visit(self.driver.current_url)
        for entry in self.driver.get_log("browser"):
            if entry["level"] == "SEVERE":
                visit.errors.append(entry["message"])
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                visit.requests.add(message["params"]["request"]["url"])
        visit.requests.update(self.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"))
        return visit

    def open(self, path: str, ready: str | None = None, timeout: float = 30) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.drain()
        self.driver.get(self.origin + path)
        wait = WebDriverWait(self.driver, timeout)
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        if ready:
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ready))

    def wait_for(self, condition: Any, timeout: float = 30) -> Any:
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(condition)

    def screenshot(self, name: str) -> Path:
        """A full-page PNG (at most MAX_SCREENSHOT_HEIGHT px tall) in the screenshot folder."""
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"],
                "height": min(size["height"], MAX_SCREENSHOT_HEIGHT), "scale": 1}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "clip": clip})
        path = screenshot_dir() / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@pytest.fixture(scope="session")
def browser(driver: Any, origin: str) -> Browser:
    return Browser(driver, origin)


@pytest.fixture(autouse=True)
def forget_the_visit(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts as a new visitor: a test that opens a page with `?lang=` sets
    the lang cookie (the graph tests read English names after the language-switch test
    had left `zh` behind), and the editor keeps its tabs in local storage (a query
    typed in one test would be the next one's example)."""
    yield
    if "browser" in request.fixturenames:
        driver = request.getfixturevalue("browser").driver
        driver.delete_all_cookies()
        if driver.current_url.startswith("http"):
            driver.execute_script("window.localStorage.clear()")


@pytest.fixture(scope="module")
def browser_without_javascript(origin: str) -> Iterator[Browser]:
    """A second Chromium with JavaScript switched off, for the pages' fallbacks."""
    driver = start_chromium(javascript=False)
    try:
        yield Browser(driver, origin)
    finally:
        driver.quit()
