"""Claims a researcher can check, served from a small world (tests/fixtures/claims): who said
each claim and where the text says so, names as printed, unnamed speakers and credits found
by search, numbers in their largest Chinese unit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.build import build
from kg.settings import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "claims"
SEEDS = FIXTURE / "seeds"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from kg.service.app import create_app
    from kg.service.context import ServiceConfig
    from kg.service.dataset import DatasetSource

    location = tmp_path_factory.mktemp("claims") / "store"
    build(data_dir=FIXTURE / "data", seeds=SEEDS, location=location)
    app = create_app(ServiceConfig(source=DatasetSource(Settings(location=location, seeds=SEEDS,
                                                                 workers=1))))
    with TestClient(app) as test_client:
        yield test_client


def page(client: TestClient, url: str, lang: str = "zh") -> str:
    client.cookies.clear()
    response = client.get(url, params={"lang": lang}, headers=HTML)
    assert response.status_code == 200, url
    return response.text


def test_claim_page_shows_the_basis_and_the_words_naming_the_actor_in_their_sentence(
        client: TestClient) -> None:
    zh = page(client, "/claim/002/m-paediatrics-share")
    section = zh.split("谁说的，原文何处说")[1]
    assert "发言人标题" in section  # the basis, by its Chinese label
    marked = re.search(r'class="sentence attribution-evidence">(.*?)<mark>(.*?)</mark>',
                       section, re.S)
    assert marked and unescape(marked.group(2)) == "国家卫生健康 委医政司 司长焦雅辉介绍"
    en = page(client, "/claim/002/m-paediatrics-share", "en")
    assert "Who said it, and where the text says so" in en and "speaker heading" in en


def test_claim_page_shows_its_own_quote_marked_in_its_sentence(client: TestClient) -> None:
    html = page(client, "/claim/002/m-fund-spending")
    quote = re.search(r'<blockquote lang="zh" class="sentence">(.*?)<mark>(.*?)</mark>(.*?)'
                      r'</blockquote>', html, re.S)
    assert quote and unescape(quote.group(2)) == "医保基金累计支出2.73万亿元"
    assert "本报记者 陈静文" in html.split("谁说的")[1]  # the byline names the reporter


def test_official_timeline_says_where_the_text_names_them(client: TestClient) -> None:
    said = page(client, "/person/jiao-yahui").split("宣布与报告")[1].split("</table>")[0]
    assert "发言人标题" in said and "焦雅辉介绍" in said


def test_numbers_take_the_largest_chinese_unit_on_pages(client: TestClient) -> None:
    html = page(client, "/indicator/insurance-fund-spending")
    assert "2.73万亿" in html and "27300亿" not in html
    assert "2,730,000,000,000" in page(client, "/indicator/insurance-fund-spending", "en")


@pytest.mark.parametrize(("query", "kind", "iri"), [
    ("张女士", "speaker", "claim/002/s-easier-visits"),
    ("视觉中国", "source", "source/002/article/photo"),
    ("孙勃", "person", "person/sun-bo"),
])
def test_search_finds_unnamed_speakers_and_credits(client: TestClient, query: str, kind: str,
                                                   iri: str) -> None:
    found = client.get("/search", params={"q": query}, headers={"accept": "application/json"})
    entities = found.json()["entities"]
    assert any(e["kind"] == kind and e["iri"].endswith(iri) for e in entities), entities


# ------------------------------------------------------------------ names as printed


def test_a_name_printed_otherwise_is_shown_with_its_resolution(client: TestClient) -> None:
    claim = page(client, "/claim/002/s-sd-information-systems")
    printed = claim.split("原文所印名称")[1].split("</table>")[0]
    assert "徐民" in printed and "徐建" in printed and "由整理者推断" in printed
    person = page(client, "/person/xu-jian", "en")
    assert "Names as printed" in person and "徐民" in person
    assert "one spelling is a misprint" in person


def test_search_finds_an_official_by_the_name_a_source_printed(client: TestClient) -> None:
    found = client.get("/search", params={"q": "徐民"}, headers={"accept": "application/json"})
    assert [e["iri"].rsplit("/", 1)[1] for e in found.json()["entities"]
            if e["kind"] == "person"] == ["xu-jian"]


# ------------------------------------------------------------------ policies with their content


def test_policy_page_shows_who_stated_it_what_it_does_where_and_from_when(
        client: TestClient) -> None:
    zh = page(client, "/policy/blood-fee-waiver-no-trip")
    content = zh.split("政策内容")[1].split("</table>")[0]
    for text in ("减免", "血费", "血站", "中国", "全国所有血站", "血费跨省异地减免"):
        assert text in content, text
    stated = zh.split("谁陈述了它")[1].split("</table>")[0]
    assert "自2025年3月31日起施行" in stated and "原文未指明" in stated
    en = page(client, "/policy/blood-fee-waiver-no-trip", "en")
    assert "waive" in en and "blood fees" in en and "in effect from 31 March 2025" in en
    part = page(client, "/policy/blood-fee-waiver-cross-province", "en")
    assert "Part of" in part.split("What it does")[1]


@pytest.mark.parametrize(("query", "params", "expected"), [
    ("policy-content", {"policy": "kgd:policy/blood-fee-waiver-no-trip"},
     {"action": "https://w3id.org/cn-health-kg/ontology#Waive", "object": "血费",
      "scopeAsPrinted": "全国所有血站", "effectiveFrom": "2025-03-31"}),
    ("official-profile", {"person": "kgd:person/xu-jian"},
     {"basis": "https://w3id.org/cn-health-kg/ontology#SpeakerHeading", "namedBy": "徐民介绍",
      "printedAs": "徐民"}),
    ("typed-relations", {"relation": "hkg:builtOn"},
     {"relation": "https://w3id.org/cn-health-kg/ontology#builtOn",
      "quote": "依托微信小程序搭建了血费跨省异地减免平台"}),
    ("source-claims", {"source": "kgd:source/002"},
     {"basis": "https://w3id.org/cn-health-kg/ontology#SpeakerHeading",
      "namedBy": "国家卫生健康 委医政司 司长焦雅辉介绍"}),
])
def test_saved_queries_answer_with_the_new_fields(client: TestClient, query: str,
                                                  params: dict[str, str],
                                                  expected: dict[str, str]) -> None:
    answer = client.get(f"/api/queries/{query}", params=params,
                        headers={"accept": "application/sparql-results+json"}).json()
    rows = answer["results"]["bindings"]
    for name, value in expected.items():
        assert any(row.get(name, {}).get("value") == value for row in rows), (name, rows)


def test_a_retyped_entity_s_former_iri_redirects_to_it(client: TestClient) -> None:
    response = client.get("/policy/cross-province-medical-fee-waiver-platform", headers=HTML,
                          follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"].endswith("/facility/blood-fee-waiver-platform")


def test_an_iri_replaced_is_no_current_record(tmp_path: Path) -> None:
    import shutil

    from kg.checks import check_curated
    from kg.datafiles import load_curated
    from kg.errors import DataError

    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    path = data / "registry" / "facilities.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "policy/cross-province-medical-fee-waiver-platform", "product/wechat"), encoding="utf-8")
    with pytest.raises(DataError, match="replaces: 'product/wechat' is the IRI of the current "
                                        "record 'wechat'"):
        check_curated(load_curated(data), SEEDS)


def test_an_iri_is_replaced_by_one_record_only(tmp_path: Path) -> None:
    import shutil

    from kg.checks import check_curated
    from kg.datafiles import load_curated
    from kg.errors import DataError

    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    path = data / "registry" / "products.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  replaces: "
                    "[policy/cross-province-medical-fee-waiver-platform]\n", encoding="utf-8")
    with pytest.raises(DataError, match="replaced by 'blood-fee-waiver-platform' already"):
        check_curated(load_curated(data), SEEDS)
