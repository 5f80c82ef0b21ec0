"""Every page type in headless Chromium: no console error, nothing fetched from another
host, a screenshot; the editor, the API docs and a saved-query form actually work."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

Browser = Any  # the `browser` fixture of conftest.py


class Page(NamedTuple):
    name: str  # also the screenshot's file name
    path: str
    ready: str | None = None  # a CSS selector present once the page has drawn itself


# One line per page type; add new page types here.
PAGES = [
    Page("home", "/"),
    Page("sparql-editor", "/sparql", "#examples option:nth-child(2)"),
    Page("api-docs", "/docs", ".swagger-ui .opblock"),
    Page("saved-questions", "/api/queries"),
    Page("saved-query", "/api/queries/task-scorecard"),
    Page("downloads", "/downloads"),
    Page("person", "/person/wang-haidong"),
    Page("agency", "/agency/nhc"),
    Page("region", "/region/henan"),
    Page("indicator", "/indicator/childcare-places-per-1000"),
    Page("task", "/task/task-2025-childcare"),
    Page("claim", "/claim/001/m-childcare-places-increase"),
    Page("source", "/source/001"),
    Page("search", "/search?q=%E7%8E%8B%E6%B5%B7%E4%B8%9C"),
    Page("scorecard", "/scorecard?year=2025", "svg"),
    Page("people", "/person"),
    Page("dataset", "/dataset"),
    Page("home-english", "/?lang=en"),
    Page("person-english", "/person/wang-haidong?lang=en"),
]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_loads_cleanly_from_this_host_only(browser: Browser, page: Page) -> None:
    browser.open(page.path, page.ready)
    visit = browser.drain()
    browser.screenshot(page.name)
    assert visit.errors == [], f"{page.path}: console errors"
    assert visit.off_host(browser.origin) == [], f"{page.path}: requests to other hosts"
    assert browser.origin + page.path.split("?")[0] in visit.url


def rows_of_results(browser: Browser) -> list:
    rows = browser.driver.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody tr")
    return [r for r in rows if r.is_displayed()]


def run_button(browser: Browser) -> Any:
    """The run button of the active tab (each tab has its own)."""
    buttons = browser.driver.find_elements(By.CSS_SELECTOR, ".yasqe_queryButton")
    return next(b for b in buttons if b.is_displayed())


def test_editor_runs_a_query_and_labels_its_iris(browser: Browser) -> None:
    browser.open("/sparql", ".yasqe .CodeMirror")
    run_button(browser).click()
    browser.wait_for(lambda d: len(rows_of_results(browser)) > 0)
    assert len(rows_of_results(browser)) == 20  # the example asks for LIMIT 20
    links = browser.driver.find_elements(By.CSS_SELECTOR, ".yasr a.iri")
    data_links = [a for a in links if a.get_attribute("href").startswith(browser.origin + "/")]
    assert data_links, "result IRIs should link to this site's pages"
    for link in data_links:
        assert not link.text.startswith(("http", "kgd:", "<")), link.text  # a label
        assert link.get_attribute("title").startswith("https://w3id.org/cn-health-kg/")
    visit = browser.drain()
    browser.screenshot("sparql-editor-results")
    assert visit.errors == []
    assert visit.off_host(browser.origin) == []


def test_editor_shows_a_bad_query_error_with_its_position(browser: Browser) -> None:
    browser.open("/sparql", ".yasqe .CodeMirror")
    browser.driver.execute_script(
        "window.kgYasgui.getTab().getYasqe().setValue('SELECT * WHERE { ?s ?p }')")
    run_button(browser).click()
    position = browser.wait_for(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".kg-error-position"))[0]
    assert position.text == "line 1, column 25"
    assert "malformed query" in browser.driver.find_element(
        By.CSS_SELECTOR, ".kg-error-title").text
    assert browser.driver.find_elements(By.CSS_SELECTOR, ".kg-error-line"), "line not marked"
    visit = browser.drain()
    browser.screenshot("sparql-editor-error")
    # the 400 answer itself is the only message the browser logs
    assert [e for e in visit.errors if "status of 400" not in e] == []


def test_editor_offers_the_saved_questions_and_runs_one(browser: Browser) -> None:
    browser.open("/sparql", "#examples option:nth-child(2)")
    options = browser.driver.find_elements(By.CSS_SELECTOR, "#examples option")
    titles = [o.text for o in options[1:]]
    assert "Scorecard of the 2025 service tasks" in titles
    from selenium.webdriver.support.ui import Select

    Select(browser.driver.find_element(By.ID, "examples")).select_by_visible_text(
        "Scorecard of the 2025 service tasks")
    query = browser.driver.execute_script(
        "return window.kgYasgui.getTab().getYasqe().getValue()")
    assert "VALUES (?year ?lang) { (2025 \"en\") }" in query
    run_button(browser).click()
    browser.wait_for(lambda d: len(rows_of_results(browser)) > 0)
    assert browser.drain().errors == []


def test_editor_draws_a_numeric_column_as_bars(browser: Browser) -> None:
    browser.open("/sparql", ".yasqe .CodeMirror")
    browser.driver.execute_script(
        "window.kgYasgui.getTab().getYasqe().setValue("
        "'SELECT ?name ?n ?m WHERE { VALUES (?name ?n ?m) "
        "{ (\"a\" 3 1.5) (\"b\" 7 2) (\"c\" -2 0.5) } }')")
    run_button(browser).click()
    # counted in the page: the table is redrawn while it loads labels (stale elements)
    browser.wait_for(lambda d: d.execute_script(
        "return [...document.querySelectorAll('.yasr table.dataTable tbody tr')]"
        ".filter(r => r.offsetParent !== null).length") == 3)
    browser.wait_for(lambda d: d.execute_script(
        "const b = [...document.querySelectorAll('.yasr_btn.select_chart')]"
        ".find(b => b.offsetParent !== null && !b.disabled); if (b) b.click(); return !!b"))
    bars = browser.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".kg-chart rect.bar"))
    widths = {b.find_element(By.TAG_NAME, "title").get_attribute("textContent"):
              float(b.get_attribute("width")) for b in bars}
    assert set(widths) == {"a: 3", "b: 7", "c: -2"}
    assert widths["b: 7"] > widths["a: 3"] > widths["c: -2"] > 0
    from selenium.webdriver.support.ui import Select

    picker = Select(browser.driver.find_element(By.CSS_SELECTOR, ".kg-chart select"))
    assert [o.text for o in picker.options] == ["n", "m"]  # ?name is not numeric
    picker.select_by_visible_text("m")
    bars = browser.driver.find_elements(By.CSS_SELECTOR, ".kg-chart rect.bar")
    assert {b.find_element(By.TAG_NAME, "title").get_attribute("textContent")
            for b in bars} == {"a: 1.5", "b: 2", "c: 0.5"}
    browser.screenshot("sparql-editor-chart")
    assert browser.drain().errors == []


def test_api_docs_render_offline(browser: Browser) -> None:
    browser.open("/docs", ".swagger-ui .opblock")
    operations = browser.driver.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock-summary")
    paths = {o.find_element(By.CSS_SELECTOR, ".opblock-summary-path").text for o in operations}
    assert "/sparql" in paths
    assert any(p.startswith("/api/queries/") for p in paths)
    visit = browser.drain()
    assert visit.errors == [] and visit.off_host(browser.origin) == []


def test_saved_query_form_shows_rows(browser: Browser) -> None:
    browser.open("/api/queries/task-scorecard")
    form = browser.driver.find_element(By.CSS_SELECTOR, "form.params")
    year = form.find_element(By.NAME, "year")
    year.clear()
    year.send_keys("2025")
    year.send_keys(Keys.ENTER)
    browser.wait_for(lambda d: "year=2025" in d.current_url)
    rows = browser.driver.find_elements(By.CSS_SELECTOR, "main table tr td")
    assert rows, "the form's answer shows no rows"
    visit = browser.drain()
    browser.screenshot("saved-query-form-answer")
    assert visit.errors == [] and visit.off_host(browser.origin) == []


CJK_GLYPHS_DIFFER = """
const draw = (text) => {
  const canvas = document.createElement('canvas');
  canvas.width = 40; canvas.height = 40;
  const g = canvas.getContext('2d');
  g.font = '32px ' + getComputedStyle(document.body).fontFamily;
  g.fillText(text, 2, 32);
  return Array.from(g.getImageData(0, 0, 40, 40).data).join(',');
};
const a = draw('王'), b = draw('海'), box = draw('\\u{10FFFD}');
return {distinct: a !== b, notBox: a !== box && b !== box, inked: /[1-9]/.test(a)};
"""


def test_chinese_renders_with_a_cjk_font(browser: Browser) -> None:
    """Two different hanzi draw different glyphs, neither the missing-glyph box: without a
    CJK font (fonts-noto-cjk) both would be the same box."""
    browser.open("/person/wang-haidong")
    assert "王海东" in browser.driver.find_element(By.TAG_NAME, "body").text
    result = browser.driver.execute_script(CJK_GLYPHS_DIFFER)
    assert result == {"distinct": True, "notBox": True, "inked": True}


@pytest.mark.parametrize("page", [p for p in PAGES if p.name not in ("api-docs",)],
                         ids=[p.name for p in PAGES if p.name not in ("api-docs",)])
def test_page_reads_without_javascript(browser_without_javascript: Browser,
                                       page: Page) -> None:
    """Only the API docs need JavaScript; the editor falls back to a plain form."""
    browser_without_javascript.open(page.path)
    driver = browser_without_javascript.driver
    heading = driver.find_element(By.TAG_NAME, "h1")
    assert heading.is_displayed() and heading.text.strip()
    assert browser_without_javascript.drain().errors == []


def test_editor_without_javascript_is_a_plain_form_that_runs(
        browser_without_javascript: Browser) -> None:
    browser = browser_without_javascript
    browser.open("/sparql")
    assert not browser.driver.find_element(By.ID, "editor").is_displayed()
    query = browser.driver.find_element(By.CSS_SELECTOR, "#plain-form textarea")
    assert query.is_displayed()
    query.clear()
    query.send_keys("SELECT ?name WHERE { <https://w3id.org/cn-health-kg/person/wang-haidong> "
                    "<http://www.w3.org/2000/01/rdf-schema#label> ?name }")
    browser.driver.find_element(By.CSS_SELECTOR, "#plain-form button").click()
    browser.wait_for(lambda d: "query=" in d.current_url)
    assert "王海东" in browser.driver.find_element(By.TAG_NAME, "body").text


RESULT_STATE = """
const yasr = window.kgYasgui.getTab().getYasr();
if (!yasr || !yasr.results) return null;
const error = yasr.results.getError();
return error ? 'error: ' + error.text : 'rows: ' + (yasr.results.getBindings() || []).length;
"""


def test_every_saved_question_runs_as_an_example(browser: Browser) -> None:
    """Each example, with its defaults bound by the editor, is a query the server runs."""
    from selenium.webdriver.support.ui import Select

    browser.open("/sparql", "#examples option:nth-child(2)")
    menu = Select(browser.driver.find_element(By.ID, "examples"))
    names = [o.get_attribute("value") for o in menu.options[1:]]
    assert len(names) >= 10
    outcomes = {}
    for name in names:
        menu.select_by_value(name)
        browser.wait_for(lambda d, n=name: d.execute_script(
            "return window.kgYasgui.getTab().getName()") == n)
        run_button(browser).click()
        outcomes[name] = browser.wait_for(lambda d: d.execute_script(RESULT_STATE))
    assert [n for n, o in outcomes.items() if not o.startswith("rows: ")] == [], outcomes
    assert browser.drain().errors == []


def complete(browser: Browser, text: str) -> list[str]:
    """Type `text` at the end of an empty editor, press Ctrl-Space, read the hints."""
    browser.driver.execute_script("const y = window.kgYasgui.getTab().getYasqe();"
                                  "y.setValue(''); y.focus();")
    field = browser.driver.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    field.send_keys(text)
    field.send_keys(Keys.CONTROL, " ")
    hints = browser.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hint"))
    return [h.text for h in hints]


def test_editor_completes_prefixes_and_classes_from_this_endpoint(browser: Browser) -> None:
    browser.open("/sparql", ".yasqe .CodeMirror")
    prefixes = complete(browser, "PREFIX hk")
    assert any(h.startswith("hkg: <https://w3id.org/cn-health-kg/ontology#>") for h in prefixes)
    classes = complete(browser, "PREFIX hkg: <https://w3id.org/cn-health-kg/ontology#>\n"
                                "SELECT * WHERE { ?s a hkg:Ta")
    assert "hkg:Target" in classes
    visit = browser.drain()
    browser.screenshot("sparql-editor-completion")
    assert visit.errors == [] and visit.off_host(browser.origin) == []


@pytest.mark.parametrize("typed", ["王海东", "海东", "wang haidong", "wanghaidong", "Wáng Hǎidōng"])
def test_search_finds_an_official_by_chinese_pinyin_or_part_of_the_name(
        browser: Browser, typed: str) -> None:
    browser.open("/")
    box = browser.driver.find_element(By.CSS_SELECTOR, "form input[name=q]")
    box.clear()
    box.send_keys(typed)
    box.send_keys(Keys.ENTER)
    browser.wait_for(lambda d: "/search" in d.current_url)
    links = [a.get_attribute("href") for a in browser.driver.find_elements(
        By.CSS_SELECTOR, "main table a")]
    assert any(link.endswith("/person/wang-haidong") for link in links if link), links[:10]
    visit = browser.drain()
    assert visit.errors == [] and visit.off_host(browser.origin) == []


def test_scorecard_shows_the_eight_tasks_with_a_chart(browser: Browser) -> None:
    browser.open("/scorecard?year=2025", "svg")
    summary = browser.driver.find_elements(By.CSS_SELECTOR, "table.summary tr td.num")
    assert [cell.text for cell in summary] == [str(n) for n in range(1, 9)]
    charts = browser.driver.find_elements(By.CSS_SELECTOR, "main svg")
    assert charts and all(c.size["width"] > 0 for c in charts[:3])
    visit = browser.drain()
    assert visit.errors == [] and visit.off_host(browser.origin) == []


def test_saved_query_form_is_filled_by_autocomplete(browser: Browser) -> None:
    """Typing part of a name offers the official; picking it runs the question."""
    browser.open("/api/queries/official-profile")
    field = browser.driver.find_element(By.CSS_SELECTOR, "input.pick[name=person]")
    field.clear()
    field.send_keys("王海")
    list_id = field.get_attribute("list")
    options = browser.wait_for(lambda d: [o.get_attribute("value") for o in d.find_elements(
        By.CSS_SELECTOR, f"datalist#{list_id} option")] or None)
    offered = [o for o in options if o in ("王海东", "Wang Haidong", "Wáng Hǎidōng")]
    assert offered, options  # named in the interface's language
    field.clear()
    field.send_keys(offered[0])  # what choosing the suggestion puts in the field
    field.send_keys(Keys.ENTER)
    browser.wait_for(lambda d: "person=" in d.current_url)
    cells = browser.driver.find_elements(By.CSS_SELECTOR, "main table tr td")
    assert cells, "the form's answer shows no rows"
    assert browser.drain().errors == []
    browser.screenshot("saved-query-autocomplete-answer")


def test_language_switch_changes_the_interface(browser: Browser) -> None:
    browser.open("/?lang=zh")
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    chinese_nav = browser.driver.find_element(By.TAG_NAME, "header").text
    browser.driver.find_element(By.CSS_SELECTOR, "a.switch").click()
    browser.wait_for(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    english_nav = browser.driver.find_element(By.TAG_NAME, "header").text
    assert english_nav != chinese_nav
    browser.open("/person/wang-haidong")  # the choice is remembered (cookie)
    body = browser.driver.find_element(By.TAG_NAME, "body").text
    assert "Wáng Hǎidōng" in body or "Wang Haidong" in body
    browser.open("/?lang=zh")
