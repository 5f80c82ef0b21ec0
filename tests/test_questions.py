"""Questions typed in the search box: recognised by a template, answered by a saved query.

Each phrasing's expected answer entity was read from the data files (the fact file and
claim named beside it), not from running the code.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from fastapi.testclient import TestClient

from kg.build import BuildSummary
from kg.catalogue import load_catalogue
from kg.errors import DataError
from kg.questions import QUESTIONS_FILE, compile_pattern, load_questions, normalise
from kg.settings import PROJECT_ROOT

D = "https://w3id.org/cn-health-kg/"
HKG = "https://w3id.org/cn-health-kg/ontology#"
QUERIES = PROJECT_ROOT / "queries"

#: (question, template, an answer entity it must give; where the data say so)
PHRASINGS: list[tuple[str, str, str]] = [
    # who announced a target: announced_by of the target claims
    ("谁宣布了托位目标？", "who-announced-target",
     D + "person/wang-haidong"),  # 002 t-new-inclusive-childcare-places
    ("新增普惠性托位的目标是谁宣布的？", "who-announced-target", D + "person/wang-haidong"),
    ("谁宣布了时令节气与健康的目标？", "who-announced-target",
     D + "person/hu-qiangqiang"),  # 002 t-seasonal-health-briefings
    ("谁提出了心理门诊、睡眠门诊的目标？", "who-announced-target",
     D + "person/jiao-yahui"),  # 002 t-mental-sleep-clinics
    ("心理援助热线12356的目标是谁宣布的？", "who-announced-target",
     D + "person/li-dachuan"),  # 106 t-hotline-12356-restated
    ("谁宣布了药品集采批次的目标", "who-announced-target",
     D + "person/ding-yilei"),  # 002 t-vbp-drugs-batch-11
    ("丙类药品目录的目标是谁宣布的？", "who-announced-target",
     D + "person/huang-xinyu"),  # 002 t-class-c-drug-list
    ("谁提出了儿童常见病、多发病诊疗服务的目标？", "who-announced-target",
     D + "person/jiao-yahui"),  # 101 t-new-primary-care-paediatrics-lead
    ("Who announced the childcare places per 1,000 target?", "who-announced-target",
     D + "agency/nhc"),  # 002 t-childcare-places-per-1000
    ("Who announced the new affordable childcare places target?", "who-announced-target",
     D + "person/wang-haidong"),
    ("Who set the target for mental-health lectures?", "who-announced-target",
     D + "agency/nhc"),  # 002 t-mental-health-lectures
    # the targets an official or agency announced
    ("王海东宣布了哪些目标？", "targets-of-announcer",
     D + "indicator/new-inclusive-childcare-places"),
    ("焦雅辉提出过哪些目标？", "targets-of-announcer",
     D + "indicator/all-prefectures-mental-sleep-clinics"),
    ("胡强强宣布过什么目标", "targets-of-announcer", D + "indicator/seasonal-health-briefings"),
    ("丁一磊宣布了哪些目标", "targets-of-announcer", D + "indicator/vbp-drug-batch-launched"),
    ("What targets did Huang Xinyu announce?", "targets-of-announcer",
     D + "indicator/class-c-drug-list-published"),
    ("河南省卫生健康委宣布了哪些目标？", "targets-of-announcer",
     D + "indicator/tcm-nursing-clinic-treatment-beds"),  # 001 t-henan-treatment-beds
    ("李大川提出了哪些目标", "targets-of-announcer", D + "indicator/hotline-12356-in-use"),
    ("傅卫宣布了哪些目标？", "targets-of-announcer",
     D + "indicator/new-inclusive-childcare-places"),  # 102 t-new-inclusive-childcare-places-2026
    # was a task met: the derived assessment of its targets against the 2025 results
    ("儿科服务的目标完成了吗？", "task-met", HKG + "Met"),  # 002 target true, 001 result true
    ("血液透析的任务完成了吗？", "task-met", HKG + "Met"),  # 001 m-large-counties-haemodialysis
    ("托位的目标完成了吗？", "task-met", HKG + "Exceeded"),  # 4.73 >= 4.5, 89万 >= 66万
    ("取消门诊预交金完成了吗？", "task-met", HKG + "Met"),
    ("血费减免一次都不跑落实了吗？", "task-met", HKG + "Met"),  # 001 m-blood-fee-waiver-online
    ("检验检查结果互认达标了吗？", "task-met", HKG + "Met"),  # > 200 against 超过200
    ("健康知识进万家完成得怎么样？", "task-met", HKG + "Exceeded"),  # 23 >= 20 briefings
    ("Was the paediatric services task met?", "task-met", HKG + "Met"),
    ("Was the haemodialysis task met?", "task-met", HKG + "Met"),
    ("2026年心理门诊任务完成了吗？", "task-met-in-year", HKG + "NoResult"),  # 103: no result yet
    ("2025年托位的目标完成了吗？", "task-met-in-year", HKG + "Exceeded"),
    # the posts of a person: post claims
    ("焦雅辉担任过哪些职务？", "posts-of-person",
     D + "post/nhc-medical-administration/director-general"),  # 002 p-jiao-yahui
    ("焦雅辉的职务是什么？", "posts-of-person",
     D + "post/nhc-primary-health/director-general"),  # 101 p-jiao-yahui-primary-health
    ("胡强强是什么职务？", "posts-of-person", D + "post/nhc/spokesperson"),
    ("高光明担任什么职务", "posts-of-person",
     D + "post/nhc-medical-emergency/first-class-inspector"),
    ("What posts has Wang Haidong held?", "posts-of-person",
     D + "post/nhc-population-family/director-general"),
    ("posts of Li Dachuan", "posts-of-person",
     D + "post/nhc-medical-administration/deputy-director-general"),
    ("王延明担任过哪些职务？", "posts-of-person",
     D + "post/qinghai-health-commission/party-group-secretary"),  # 003
    ("雷海潮的职务", "posts-of-person", D + "post/nhc/director"),  # 104, 112
    # figures of an indicator in a region: measurement claims with that place
    ("青海省的能提供儿科服务的公立中医医院数是多少？", "indicator-in-region",
     D + "claim/003/m-qh-tcm-hospitals-paediatrics"),
    ("江苏的组建市级儿科专科联盟的设区市数是多少？", "indicator-in-region",
     D + "claim/003/m-js-prefectures-paediatric-alliances"),
    ("北京的睡眠门诊数是多少？", "indicator-in-region", D + "claim/003/m-bj-sleep-clinics"),
    ("广东省的开设心理门诊的医疗机构数有多少？", "indicator-in-region",
     D + "claim/003/m-gd-institutions-mental-clinics"),
    ("全国的托位数是多少？", "indicator-in-region", D + "claim/001/m-childcare-places-total"),
    ("山西的健康知识新闻发布会邀请的权威专家人数是多少", "indicator-in-region",
     D + "claim/003/m-sx-experts"),
    ("How many sleep clinics are there in Beijing?", "indicator-in-region",
     D + "claim/003/m-bj-sleep-clinics"),
    # every figure of an indicator
    ("每千人口3岁以下婴幼儿托位数有哪些数据？", "indicator-figures",
     D + "claim/001/m-childcare-places-per-1000-wang"),
    ("12356心理援助热线接通电话数的数据有哪些", "indicator-figures",
     D + "claim/106/m-hotline-12356-calls"),
    ("What figures are there for life expectancy?", "indicator-figures",
     D + "claim/112/m-life-expectancy-2023"),
    # provinces compared
    ("哪个省的能提供儿科服务的二、三级公立综合医院数最多？", "top-province",
     D + "region/qinghai"),  # 003 m-qh-general-hospitals-paediatrics
    ("各省的睡眠门诊数对比", "top-province", D + "region/beijing"),  # 003 m-bj-sleep-clinics
    # documents and policies of an issuer: registry issuer
    ("国家医保局发布了哪些文件？", "documents-of-issuer", D + "document/class-c-drug-list-2025"),
    ("河南省卫生健康委出台了哪些文件？", "documents-of-issuer",
     D + "document/henan-tcm-nursing-clinic-guideline"),
    ("河北省卫生健康委发布过什么文件", "documents-of-issuer",
     D + "document/hebei-paediatric-capacity-notice"),
    ("中共中央发布了哪些文件", "documents-of-issuer",
     D + "document/cpc-15th-five-year-plan-recommendations"),
    ("国家卫生健康委发布了哪些政策？", "documents-of-issuer", D + "policy/hotline-12356"),
    ("国家药监局出台了哪些政策", "documents-of-issuer", D + "policy/nmpa-key-product-mechanism"),
    ("What documents has the National Healthcare Security Administration issued?",
     "documents-of-issuer", D + "document/basic-insurance-drug-list"),
    # conflicting figures: 000 prints 近666万 where 001 prints 666万
    ("托位数的数据有矛盾吗？", "conflicting-figures-of-indicator",
     D + "claim/000/m-childcare-places-total-2025"),
    ("Are there conflicting figures for childcare places (total)?",
     "conflicting-figures-of-indicator", D + "claim/000/m-childcare-places-total-2025"),
    ("哪些数据相互矛盾？", "conflicting-figures", D + "claim/000/m-childcare-places-total-2025"),
    # facilities in a region: registry region of the facility
    ("青海有哪些医疗机构？", "facilities-in-region",
     D + "facility/qinghai-women-children-hospital"),
    ("南京有哪些医院？", "facilities-in-region", D + "facility/nanjing-childrens-hospital"),
    ("Which facilities are in Shandong?", "facilities-in-region", D + "facility/qilu-hospital"),
    # departments of an agency: registry parent
    ("国家医保局有哪些内设部门？", "departments-of-agency", D + "agency/nhsa-benefits"),
    ("国家卫生健康委有哪些司局？", "departments-of-agency",
     D + "agency/nhc-medical-administration"),
    ("What departments does the National Medical Products Administration have?",
     "departments-of-agency", D + "agency/nmpa-drug-regulation"),
]


def ask(client: TestClient, question: str) -> dict:
    """The search JSON for a question, in the question's language (by header: the shared
    client must not keep a lang cookie)."""
    lang = "en" if question.isascii() else "zh"
    response = client.get("/search", params={"q": question},
                          headers={"Accept": "application/json", "Accept-Language": lang})
    assert response.status_code == 200, response.text
    return response.json()


def test_at_least_forty_phrasings_and_every_template_asked() -> None:
    book = load_questions(QUERIES / QUESTIONS_FILE, load_catalogue(QUERIES))
    assert len(PHRASINGS) >= 40
    assert {t.id for t in book.templates} == {template for _, template, _ in PHRASINGS}
    assert sum(not q.isascii() for q, _, _ in PHRASINGS) > len(PHRASINGS) / 2


@pytest.mark.parametrize(("question", "template", "expected"), PHRASINGS,
                         ids=[q for q, _, _ in PHRASINGS])
def test_question_gives_its_answer_entity(service_client: TestClient, question: str,
                                          template: str, expected: str) -> None:
    answer = ask(service_client, question)["answer"]
    assert answer["understood"], answer
    assert answer["template"] == template
    assert expected in [e["value"] for e in answer["entities"]], answer["entities"]


def test_answer_page_shows_entities_quotes_and_how_it_was_answered(
        service_client: TestClient) -> None:
    response = service_client.get("/search", params={"q": "谁宣布了托位目标？"},
                                  headers={"Accept-Language": "zh"})
    html = response.text
    assert response.status_code == 200
    assert 'class="answer-entity" href="http://testserver/person/wang-haidong"' in html
    assert ">王海东<" in html
    assert "实现2025年全 国新增普惠性托位66万个" in html  # 002's quote, as printed
    assert "如何得出这个答案" in html and "official-announced-target" in html
    assert "谁宣布了{indicator}目标" in html


def test_how_it_was_answered_runs_the_same_query_on_its_page_and_in_the_editor(
        service_client: TestClient) -> None:
    answer = ask(service_client, "焦雅辉担任过哪些职务？")["answer"]
    assert answer["params"]["person"] == D + "person/jiao-yahui"
    url = urlsplit(answer["query_url"])
    assert url.path == "/api/queries/official-profile"
    page = service_client.get(f"{url.path}?{url.query}", headers={"Accept-Language": "zh"})
    assert page.status_code == 200
    assert "/post/nhc-primary-health/director-general" in page.text
    rows = service_client.post("/sparql", data={"query": answer["sparql"]},
                               headers={"Accept": "application/sparql-results+json"})
    assert rows.status_code == 200
    items = {b["item"]["value"] for b in rows.json()["results"]["bindings"] if "item" in b}
    assert D + "post/nhc-medical-administration/director-general" in items
    html = service_client.get("/search", params={"q": "焦雅辉担任过哪些职务？"},
                              headers={"Accept-Language": "zh"}).text
    editor = html.split('class="open-editor" href="', 1)[1].split('"', 1)[0]
    assert editor.startswith("http://testserver/sparql#query=")
    assert unquote(editor.split("#query=", 1)[1].replace("&amp;", "&")) == answer["sparql"]


def test_a_question_with_an_unknown_name_falls_back_to_search(
        service_client: TestClient) -> None:
    body = ask(service_client, "谁宣布了张三丰的目标？")
    assert body["answer"] == {"understood": False, "text": "张三丰",
                              "pattern": "谁宣布了{indicator}的目标", "kinds": ["指标"]}
    html = service_client.get("/search", params={"q": "谁宣布了张三丰的目标？"},
                              headers={"Accept-Language": "zh"}).text
    assert "没有理解问题中的“张三丰”" in html
    assert 'class="answer"' not in html


def test_an_unrecognised_question_says_so_and_a_name_is_a_plain_search(
        service_client: TestClient) -> None:
    body = ask(service_client, "王海东的托育工作怎么样？")
    assert body["answer"] == {"understood": False}
    plain = ask(service_client, "王海东")
    assert "answer" not in plain
    assert plain["entities"][0]["iri"] == D + "person/wang-haidong"


def test_questions_are_matched_whatever_the_width_spacing_and_case() -> None:
    assert normalise("  Who  announced the 托位 target？ ") == "who announced the托位target"
    assert normalise("谁宣布了 托位 目标?") == "谁宣布了托位目标"
    pattern = compile_pattern("who announced the {indicator} target", "en",
                              {"indicator": "iri"})
    m = pattern.regex.fullmatch(normalise("WHO ANNOUNCED THE New Affordable Places TARGET?"))
    assert m and m["indicator"] == "new affordable places"


def write_templates(folder: Path, text: str) -> Path:
    for rq in QUERIES.glob("*.rq"):
        shutil.copy(rq, folder / rq.name)
    (folder / QUESTIONS_FILE).write_text(text, encoding="utf-8")
    return folder / QUESTIONS_FILE


@pytest.mark.parametrize(("text", "message"), [
    ("- id: who-x\n  query: no-such-query\n  params: {}\n  answer: [x]\n"
     "  patterns: {zh: [谁]}\n", "record who-x: no saved query named 'no-such-query'"),
    ("- id: who-x\n  query: official-profile\n  params: {person: '{person}'}\n"
     "  answer: [item]\n  patterns: {zh: ['{someone}的职务']}\n",
     "record who-x: pattern '{someone}的职务': slot {someone} is not a parameter's slot"),
    ("- id: who-x\n  query: indicator-figures\n"
     "  params: {indicator: '{indicator}', place: '{region}'}\n  answer: [claim]\n"
     "  patterns: {zh: ['{region}{indicator}是多少']}\n",
     "two slots side by side"),
    ("- id: who-x\n  query: official-profile\n  params: {person: '{person}'}\n"
     "  answer: [nothing]\n  patterns: {zh: ['{person}的职务']}\n",
     "record who-x: answer: the query official-profile has no column ?nothing"),
    ("- id: who-x\n  query: official-profile\n  params: {persona: '{person}'}\n"
     "  answer: [item]\n  patterns: {zh: ['{person}的职务']}\n",
     "record who-x: params: official-profile has no parameter 'persona'"),
    ("- id: who-x\n  query: [unclosed\n", "not valid YAML"),
])
def test_a_malformed_template_file_is_an_error_naming_file_and_template(
        tmp_path: Path, text: str, message: str) -> None:
    path = write_templates(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_questions(path, load_catalogue(tmp_path))
    assert str(path) in str(caught.value) or "questions.yaml" in str(caught.value)
    assert message in str(caught.value)


def test_the_service_does_not_start_with_a_malformed_template_file(
        tmp_path: Path, built_store: tuple[Path, BuildSummary]) -> None:
    from kg.service.context import ServiceConfig, ServiceContext
    from kg.service.dataset import DatasetSource

    write_templates(tmp_path, "- id: Bad Id\n  query: official-profile\n"
                              "  params: {person: '{person}'}\n  answer: [item]\n"
                              "  patterns: {zh: ['{person}的职务']}\n")
    with pytest.raises(DataError, match=r"questions.yaml, record Bad Id: id 'Bad Id' is not"):
        ServiceContext(ServiceConfig(source=DatasetSource(location=built_store[0]),
                                     queries_dir=tmp_path))


def test_a_malformed_template_file_fails_the_build(tmp_path: Path) -> None:
    from kg.build import build

    queries = tmp_path / "queries"
    queries.mkdir()
    write_templates(queries, "- id: who-x\n  query: official-profile\n"
                             "  params: {person: '{person}'}\n  answer: [item]\n"
                             "  patterns: {zh: ['{person}的职务', '{person}{person}']}\n")
    with pytest.raises(DataError, match=r"record who-x: pattern '\{person\}\{person\}'"):
        build(location=tmp_path / "store", queries_dir=queries)
    assert not (tmp_path / "store" / "current").exists()
