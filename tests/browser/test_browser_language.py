"""One language per page: every page type, opened in Chinese and in English, shows its
interface text in that language only.

"Data values" are what the graph says, shown as it is, in whatever language it exists:
elements with a `lang` attribute (names, quotes, literals, the other language's name
beside the main one) or `data-value` (untagged literals, query results), code (code,
pre, kbd, samp, textarea) and IRIs (class "iri"). Everything else — headings, labels,
buttons, badges, explanations, placeholders, aria-labels — is interface text: on a
Chinese page it holds no run of three or more Latin letters but the names of
standards and formats (TECHNICAL_NAMES), on an English page no Han character.
language.js does the looking, in the drawn page (after the scripts ran).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

Browser = Any  # the `browser` fixture of conftest.py
CHECK = (Path(__file__).parent / "language.js").read_text(encoding="utf-8")
#: Proper names of standards, formats, protocol words and keys, the same in either language.
TECHNICAL_NAMES = [
    "SPARQL", "API", "OpenAPI", "RDF", "VoID", "DCAT", "JSON", "JSON-LD", "CSV", "TSV", "XML",
    "RDF/XML", "Turtle", "TriG", "N-Triples", "N-Quads", "XLSX", "UTF-8", "BOM", "Excel",
    "Frictionless", "CC0", "GET", "POST", "IRI", "Ctrl-Enter", "Ctrl-Space", "Accept",
    "ASK", "SELECT", "CONSTRUCT", "DESCRIBE", "SERVICE"]
PAGES = {
    "home": "/",
    "agency": "/agency/nhc",
    "person": "/person/wang-haidong",
    "task": "/task/task-2025-childcare",
    "indicator": "/indicator/childcare-places-per-1000",
    "source": "/source/001",
    "claim": "/claim/001/m-childcare-places-increase",
    "scorecard": "/scorecard?year=2025",
    "search": "/search?q=%E7%8E%8B%E6%B5%B7%E4%B8%9C",
    "sparql": "/sparql",
    "downloads": "/downloads",
    "saved-queries": "/api/queries",
    "saved-query-result": "/api/queries/task-scorecard",
    "dataset": "/dataset",
    "ontology": "/ontology",
    "region": "/region/henan",
    "people": "/person",
    "class": "/dataset/class/hkg:Target",
    "named-graph": "/graph/entities",
    "path": "/graph/path?from=https%3A%2F%2Fw3id.org%2Fcn-health-kg%2Fperson%2Fwang-haidong"
            "&to=https%3A%2F%2Fw3id.org%2Fcn-health-kg%2Fregion%2Fhenan",
    "saved-query-form": "/api/queries/post-holders",
    "not-found": "/nothing-here",
}
READY = {"sparql": "#examples option:nth-child(2)", "scorecard": "svg"}


def open_in(browser: Browser, path: str, lang: str, ready: str | None = None) -> None:
    separator = "&" if "?" in path else "?"
    browser.open(f"{path}{separator}lang={lang}", ready)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_interface_text_is_in_the_page_language_only(browser: Browser, name: str,
                                                     lang: str) -> None:
    open_in(browser, PAGES[name], lang, READY.get(name))
    assert browser.driver.execute_script("return document.documentElement.lang").startswith(
        lang)
    foreign = browser.driver.execute_script(CHECK, TECHNICAL_NAMES)
    assert foreign == [], f"{PAGES[name]} in {lang}: interface text in the other language"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_editor_results_and_examples_follow_the_page_language(browser: Browser,
                                                              lang: str) -> None:
    """The editor's own words after a run, the examples' `lang` binding, and no
    'Prefix … is not defined' on a query that uses the predeclared prefixes."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_in(browser, "/sparql", lang, "#examples option:nth-child(2)")
    driver = browser.driver
    driver.execute_script(
        "window.kgYasgui.getTab().getYasqe().setValue("
        "'SELECT ?t ?l WHERE { ?t a hkg:Target ; rdfs:label ?l } LIMIT 3')")
    assert driver.execute_script(
        "const y = window.kgYasgui.getTab().getYasqe();"
        "return y.getTokenAt({line: 0, ch: y.getLine(0).length}).state.OK") is True
    assert not driver.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror .error")
    button = next(b for b in driver.find_elements(By.CSS_SELECTOR, ".yasqe_queryButton")
                  if b.is_displayed())
    button.click()
    browser.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody tr"))
    foreign = driver.execute_script(CHECK, TECHNICAL_NAMES)
    browser.screenshot(f"language-sparql-{lang}")
    assert foreign == [], f"/sparql in {lang} after a run"
    Select(driver.find_element(By.ID, "examples")).select_by_value("task-scorecard")
    text = browser.wait_for(lambda d: d.execute_script(
        "const v = window.kgYasgui.getTab().getYasqe().getValue();"
        "return v.includes('VALUES (') ? v : null"))
    values = next(line for line in text.splitlines() if "VALUES (" in line)
    other = "en" if lang == "zh" else "zh"
    assert "?lang" in values and f'"{lang}"' in values and f'"{other}"' not in values, values


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_saved_query_results_are_labelled_in_the_page_language(browser: Browser,
                                                               lang: str) -> None:
    """The result page runs the query with the page's language (the query's own default
    is English): every entity's label is in it (quotes stay as the source wrote them)."""
    from selenium.webdriver.common.by import By

    open_in(browser, PAGES["saved-query-result"], lang, "table.results")
    tags = [e.get_attribute("lang") for e in browser.driver.find_elements(
        By.CSS_SELECTOR, "table.results a[lang]")]
    assert tags and set(tags) == {lang}, sorted(set(tags))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshot_of_a_page_in_each_language(browser: Browser, lang: str) -> None:
    open_in(browser, PAGES["scorecard"], lang, READY["scorecard"])
    assert browser.screenshot(f"language-scorecard-{lang}").stat().st_size > 0


def test_claim_type_badges_lead_to_anchors_that_exist(browser: Browser) -> None:
    """A claim type links to the ontology page's entry for the term, not to nowhere."""
    from selenium.webdriver.common.by import By

    open_in(browser, PAGES["source"], "zh")
    targets = {a.get_attribute("href") for a in browser.driver.find_elements(
        By.CSS_SELECTOR, ".badge a[href*='/ontology#']")}
    assert targets
    open_in(browser, "/ontology", "zh")
    anchors = {e.get_attribute("id") for e in browser.driver.find_elements(
        By.CSS_SELECTOR, "[id]")}
    missing = sorted(t for t in targets if t.split("#", 1)[1] not in anchors)
    assert missing == []
