"""A question typed in the search box, answered in Chromium: the answer entity, and the
saved query opened in the SPARQL editor with one click."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

Browser = Any  # the `browser` fixture of conftest.py


def ask(browser: Browser, question: str, home: str = "/") -> None:
    browser.open(home)
    box = browser.driver.find_element(By.CSS_SELECTOR, "form input[name=q]")
    box.clear()
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    browser.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#answer, .question-note"))


def test_a_chinese_question_shows_its_answer_entity(browser: Browser) -> None:
    ask(browser, "谁宣布了托位目标？")
    answers = [a.get_attribute("href") for a in browser.driver.find_elements(
        By.CSS_SELECTOR, "#answer .answer-entity")]
    assert any(href.endswith("/person/wang-haidong") for href in answers), answers
    how = browser.driver.find_element(By.CSS_SELECTOR, "#answer details.how")
    assert "official-announced-target" in how.text
    visit = browser.drain()
    browser.screenshot("search-question")
    assert visit.errors == [] and visit.off_host(browser.origin) == []


def test_the_chinese_page_answers_in_chinese(browser: Browser) -> None:
    try:
        ask(browser, "儿科服务的目标完成了吗？", home="/?lang=zh")
        answers = browser.driver.find_elements(By.CSS_SELECTOR, "#answer .answer-entity")
        assert [a.text for a in answers] == ["已达成"]  # hkg:Met's Chinese label (ontology)
        assert "如何得出这个答案" in browser.driver.find_element(By.ID, "answer").text
        visit = browser.drain()
        browser.screenshot("search-question-zh")
        assert visit.errors == [] and visit.off_host(browser.origin) == []
    finally:
        browser.driver.delete_cookie("lang")  # the session's other pages stay in English


def test_the_answer_opens_in_the_editor_and_runs(browser: Browser) -> None:
    ask(browser, "焦雅辉担任过哪些职务？")
    browser.driver.find_element(By.CSS_SELECTOR, "#answer a.open-editor").click()
    browser.wait_for(lambda d: d.execute_script(
        "return !!(window.kgYasgui && window.kgYasgui.getTab().getName() === JSON.parse("
        "document.getElementById('editor').dataset.messages).question)"))
    query = browser.driver.execute_script(
        "return window.kgYasgui.getTab().getYasqe().getValue()")
    assert "<https://w3id.org/cn-health-kg/person/jiao-yahui>" in query
    buttons = browser.driver.find_elements(By.CSS_SELECTOR, ".yasqe_queryButton")
    next(b for b in buttons if b.is_displayed()).click()
    browser.wait_for(lambda d: any(
        (a.get_attribute("href") or "").endswith("/post/nhc-primary-health/director-general")
        for a in d.find_elements(By.CSS_SELECTOR, ".yasr a.iri")))
    visit = browser.drain()
    browser.screenshot("search-question-in-editor")
    assert visit.errors == [] and visit.off_host(browser.origin) == []
