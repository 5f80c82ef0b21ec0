"""Interface language: ?lang, then the cookie, then Accept-Language; zh by default."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kg.service.i18n import COLUMNS, MESSAGES, PREDICATES, Translator, language_from_header


@pytest.fixture
def client(service_client: TestClient) -> Iterator[TestClient]:
    """The shared client, with no language cookie before or after the test."""
    service_client.cookies.clear()
    yield service_client
    service_client.cookies.clear()


@pytest.mark.parametrize(("header", "expected"), [
    ("en-US,en;q=0.9", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("en;q=0.4, zh-Hans;q=0.8", "zh"),
    ("fr-FR, de;q=0.5", "en"),          # neither: English
    ("fr, *;q=0.1", "zh"),              # anything goes: the default
    ("garbage;;q=x", "en"),
])
def test_accept_language_weights(header: str, expected: str) -> None:
    assert language_from_header(header) == expected


def test_every_message_has_both_languages() -> None:
    for key, texts in {**MESSAGES, **COLUMNS, **PREDICATES}.items():
        assert len(texts) == 2 and all(t.strip() for t in texts), key
    assert Translator("zh")("nav.search") == "搜索"
    assert Translator("en").column("announcedBy") == "Announced by"
    assert Translator("en").column("issuerLabel") == "Issuer"
    assert Translator("en").column("someNewThing") == "Some new thing"


def test_chinese_by_default_with_html_lang(client: TestClient) -> None:
    html = client.get("/", headers={"accept": "text/html"})
    assert '<html lang="zh-Hans">' in html.text
    assert html.headers["content-language"] == "zh"
    assert "实事成绩单" in html.text and "Saved questions" not in html.text
    assert "Accept-Language" in html.headers["vary"]


def test_accept_language_picks_english(client: TestClient) -> None:
    html = client.get("/", headers={"accept": "text/html", "accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in html.text
    assert "Saved questions" in html.text and "常用查询" not in html.text


def test_query_parameter_wins_and_is_remembered_in_a_cookie(client: TestClient) -> None:
    page = client.get("/scorecard", params={"lang": "en"},
                      headers={"accept": "text/html", "accept-language": "zh-CN"})
    assert '<html lang="en">' in page.text
    assert page.cookies.get("lang") == "en"
    # the cookie now beats Accept-Language
    again = client.get("/person/wang-haidong", headers={"accept": "text/html",
                                                        "accept-language": "zh-CN"})
    assert '<html lang="en">' in again.text
    assert '<h1 lang="zh-Latn">Wang Haidong</h1>' in again.text  # a person by pinyin in English...
    assert "王海东" in again.text                 # ...with the characters beside it


def test_every_page_links_to_the_other_language(client: TestClient) -> None:
    for url in ("/", "/scorecard", "/search?q=%E6%B5%B7%E4%B8%9C", "/person/wang-haidong",
                "/api/queries/timeline", "/person"):
        html = client.get(url, headers={"accept": "text/html"}).text
        assert 'class="switch"' in html and "lang=en" in html, url


def test_qualifiers_statuses_and_units_follow_the_language(client: TestClient) -> None:
    zh = client.get("/scorecard", params={"lang": "zh"}, headers={"accept": "text/html"}).text
    en = client.get("/scorecard", params={"lang": "en"}, headers={"accept": "text/html"}).text
    assert "超过1万场" in zh and "over 10,000 sessions" in en   # qualifier, number, unit
    assert "超额达成" in zh and "exceeded" in en
    assert "Nearly" not in zh and "Over" not in zh
    assert ">超过90%</a>" in zh and ">over 90%</a>" in en  # a percentage keeps its sign
    assert "百分比" not in zh and "per cent" not in en
    assert ">Target<" in en and ">目标<" in zh                  # column titles


def test_saved_query_table_columns_in_the_language(client: TestClient) -> None:
    url = "/api/queries/task-scorecard"
    zh = client.get(url, params={"year": "2025"}, headers={"accept": "text/html"}).text
    en = client.get(url, params={"year": "2025", "lang": "en"},
                    headers={"accept": "text/html"}).text
    zh_table, en_table = (html.split('<table class="results">')[1].split("</table>")[0]
                          for html in (zh, en))
    assert ">宣布者<" in zh_table and ">Announced by<" in en_table
    assert "announcedBy<" not in zh_table + en_table  # titles, not variable names
    assert "xsd:" not in zh_table and "^^" not in en_table


def test_every_saved_query_column_and_parameter_has_a_title_in_both_languages() -> None:
    """A name missing from COLUMNS would be shown split at its capitals, in English, on
    a Chinese page (issue 20: the 'Relation' field of typed-relations)."""
    import re

    from kg.catalogue import load_catalogue
    from kg.service.i18n import COLUMNS

    def titled(name: str) -> bool:
        stem = name.rstrip("0123456789")
        return name in COLUMNS or stem in COLUMNS or (
            name.endswith("Label") and name[:-5].rstrip("0123456789") in COLUMNS)

    missing = set()
    for query in load_catalogue(None, "https://w3id.org/cn-health-kg/").values():
        missing.update(p.name for p in query.params if not titled(p.name))
        body = re.sub(r"#[^\n]*", "", query.text)
        projection = re.search(r"\bSELECT\b(.*?)\bWHERE\b", body, re.S | re.I)
        if projection:
            missing.update(v for v in re.findall(r"\?(\w+)", projection.group(1))
                           if not titled(v))
    assert sorted(missing) == []


@pytest.mark.parametrize(("lang", "said", "unsaid"), [
    ("zh", "没有名为", "is named"), ("en", "nothing is named", "没有名为")])
def test_a_query_form_says_a_parameter_error_in_the_page_language(
        service_client: TestClient, lang: str, said: str, unsaid: str) -> None:
    """The page words the error; the JSON problem keeps the API's English detail."""
    params = {"post": "no such post anywhere", "date": "2025-01-01"}
    page = service_client.get("/api/queries/post-holders", params=params,
                              headers={"Accept": "text/html", "Accept-Language": lang})
    assert page.status_code == 422
    error = page.text.split('<p class="error">', 1)[1].split("</p>", 1)[0]
    assert said in error and unsaid not in error, error
    assert '<span data-value>no such post anywhere</span>' in error
    problem = service_client.get("/api/queries/post-holders", params=params,
                                 headers={"Accept": "application/json"})
    assert problem.status_code == 422 and "is named" in problem.json()["detail"]


def test_a_missing_required_value_is_asked_for_in_chinese(service_client: TestClient) -> None:
    page = service_client.get("/api/queries/post-holders", params={"date": "2025-01-01"},
                              headers={"Accept": "text/html", "Accept-Language": "zh"})
    assert page.status_code == 422
    assert "请填写“职务”。" in page.text


@pytest.mark.parametrize(("lang", "said", "unsaid"), [
    ("zh", ("最新结果：", "设定目标以来"), ("latest result(s):", "No result reported yet")),
    ("en", ("latest result(s):", "No result reported yet"), ("最新结果：", "设定目标以来"))])
def test_an_assessment_explains_itself_in_the_page_language_only(
        service_client: TestClient, lang: str, said: tuple[str, ...],
        unsaid: tuple[str, ...]) -> None:
    """The explanation is derived in both languages; the page shows the one it is in
    (the other language's name beside the title stays: it is the entity's other name)."""
    rows = service_client.get("/sparql", params={
        "query": "SELECT ?a WHERE { ?a a hkg:Assessment } ORDER BY ?a LIMIT 5"},
        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert rows
    for row in rows:
        path = row["a"]["value"].removeprefix("https://w3id.org/cn-health-kg/")
        text = service_client.get(f"/{path}", headers={
            "Accept": "text/html", "Accept-Language": lang}).text
        assert any(s in text for s in said), path
        assert not any(s in text for s in unsaid), path


def test_a_304_for_a_language_choice_still_remembers_it(client: TestClient) -> None:
    """A browser holding the Chinese home page revalidates `/?lang=zh`: the 304 must set
    the cookie the page would have set, or the next page comes in the other language."""
    first = client.get("/?lang=zh", headers={"Accept": "text/html"})
    client.cookies.clear()
    again = client.get("/?lang=zh", headers={
        "Accept": "text/html", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["set-cookie"].startswith("lang=zh;")
    assert client.get("/search", headers={"Accept": "text/html", "Accept-Language": "en"}
                      ).headers["content-language"] == "zh"  # the cookie wins
