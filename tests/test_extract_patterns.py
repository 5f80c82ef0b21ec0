"""Pattern-level tests of `kg extract`, on sentence shapes of Chinese official reporting."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.coverage import scan_expressions
from kg.extract.documents import find_titles
from kg.extract.figures import read_figure, skip_reason
from kg.extract.lexicon import Lexicon
from kg.extract.officials import find_posts
from kg.extract.text import Compact, parse_article, resolve_date

EMPTY = Lexicon()


def figures_of(text: str) -> list[tuple[list[Decimal], str, list[str], bool]]:
    view = Compact(text)
    out = []
    for expr in scan_expressions(text):
        if expr.kind in ("number", "cn-number", "quoted") and not skip_reason(expr, view):
            figure = read_figure(expr, view)
            if figure:
                out.append((figure.values, figure.unit, figure.qualifiers, figure.target))
    return out


def posts_of(text: str) -> list[tuple[str, str, str]]:
    return [(p.name, p.title, p.org_text) for p in find_posts(Compact(text), EMPTY)]


def test_agency_department_post_name_before_a_verb() -> None:
    assert posts_of("国家医保局医药价格和招标采购司司长丁一磊介绍，") == [
        ("丁一磊", "司长", "国家医保局医药价格和招标采购司")]


def test_two_character_name_before_a_verb() -> None:
    assert posts_of("某省卫生健康委财务处处长刘魁表示，") == [
        ("刘魁", "处长", "某省卫生健康委财务处")]


def test_chain_of_posts_each_with_its_organisation() -> None:
    assert posts_of("国家卫生健康委新闻发言人、宣传司副司长胡强强说。") == [
        ("胡强强", "新闻发言人", "国家卫生健康委"), ("胡强强", "副司长", "宣传司")]


def test_chain_post_without_organisation_inherits_the_previous_one() -> None:
    posts = posts_of("市卫生健康委医政处处长、一级调研员王立平指出，")
    assert ("王立平", "一级调研员", "市卫生健康委医政处") in posts


def test_spaces_and_line_breaks_inside_a_mention_are_ignored_and_kept_in_the_quote() -> None:
    text = "据国家卫生健康委医政司 司长焦\n雅辉介绍，"
    view = Compact(text)
    [post] = find_posts(view, EMPTY)
    assert (post.name, post.org_text) == ("焦雅辉", "国家卫生健康委医政司")
    assert view.original_text(post.start, post.end) == "国家卫生健康委医政司 司长焦\n雅辉"


def test_transcript_speaker_line_with_spaced_name() -> None:
    text = "出席人员\n胡 强 强   国家卫生健康委新闻发言人、宣传司副司长\n"
    assert ("胡强强", "副司长", "宣传司") in posts_of(text)


def test_name_before_professional_title() -> None:
    assert posts_of("这是某市人民医院儿科李晓红主任医师，") == [
        ("李晓红", "主任医师", "某市人民医院儿科")]


def test_post_without_a_name_is_not_an_official() -> None:
    assert posts_of("各省级卫生健康委主任要亲自抓。") == []


@pytest.mark.parametrize(("text", "values", "unit"), [
    ("全省新增托位66万个。", [Decimal(660000)], "place"),
    ("全国已有11个省份开通。", [Decimal(11)], "region-count"),
    ("覆盖13.3亿参保群众。", [Decimal(1330000000)], "person"),
    ("建成示范项目12个。", [Decimal(12)], "count"),
    ("医保基金支出1.8亿元。", [Decimal(180000000)], "yuan"),
    ("报销比例达90%。", [Decimal(90)], "percent"),
    ("超九成居民15分钟内可达。", [Decimal(90)], "percent"),
    ("为民服务八件实事。", [Decimal(8)], "piece"),
    ("人口出生率为6.39‰。", [Decimal("6.39")], "permille"),
    ("每千人口托位数要达到4.5个。", [Decimal("4.5")], "places-per-1000"),
    ("每千人口医疗床位数达到6.9张。", [Decimal("6.9")], "per-1000"),
    ("药品价格平均降幅3-5成。", [Decimal(30), Decimal(50)], "percent"),
    ("服务群众 600 余万人次。", [Decimal(6000000)], "person-time"),
])
def test_figure_values_are_normalised_with_their_unit(text: str, values: list[Decimal],
                                                      unit: str) -> None:
    found, found_unit, _q, _t = figures_of(text)[0]
    assert (found, found_unit) == (values, unit)


@pytest.mark.parametrize(("text", "qualifier"), [
    ("全国超过90%的医院提供服务。", "over"),
    ("每年约8000万人获得资助。", "about"),
    ("近3000家机构接入。", "nearly"),
    ("累计结算1200万人次。", "cumulative"),
    ("县医院90%以上具备能力。", "at-least"),
    ("600余万人次受益。", "over"),
])
def test_qualifiers(text: str, qualifier: str) -> None:
    [(_v, _u, qualifiers, _t)] = figures_of(text)
    assert qualifier in qualifiers


def test_targets_and_results_are_told_apart() -> None:
    [(_v, _u, _q, target)] = figures_of("到2027年，全省县域就诊率要达到90%。")
    [(_v2, _u2, _q2, result)] = figures_of("截至2024年底，全省已建成村卫生室1.6万个。")
    assert target and not result


def test_grades_ordinals_codes_and_years_in_names_are_skipped_with_a_reason() -> None:
    text = "二、三级公立医院开通“12356”热线，第十一批集采，2025全国会议召开。"
    view = Compact(text)
    reasons = [skip_reason(e, view) for e in scan_expressions(text) if e.kind != "date"]
    assert all(reasons), reasons


def test_nested_titles() -> None:
    text = "国务院办公厅印发《关于贯彻〈中华人民共和国药品管理法〉的实施方案》。"
    titles = find_titles(Compact(text), EMPTY)
    assert [(t.title, t.doc_type, t.nested_in is not None) for t in titles] == [
        ("关于贯彻〈中华人民共和国药品管理法〉的实施方案", "plan", False),
        ("中华人民共和国药品管理法", "law", True),
    ]


def test_header_lines_become_metadata_and_anchor_relative_dates() -> None:
    article = parse_article("URL: https://example.org/a\nTITLE: [descriptive] 标题\n"
                            "DATE: 2025年1月3日\n\n正文。")
    assert (article.url, article.title, article.date, article.text) == (
        "https://example.org/a", "[descriptive] 标题", "2025-01-03", "正文。")
    assert resolve_date("昨日", article.date) == ("2025-01-02", True)
    assert resolve_date("近日", article.date) == ("2025-01", True)
    assert resolve_date("12月26日", article.date) == ("2024-12-26", True)
    assert resolve_date("2025年3月", None) == ("2025-03", False)
    assert resolve_date("26日", "2025-12-26") == ("2025-12-26", True)


def test_a_printed_headline_is_quotable_text_but_url_and_date_lines_are_not() -> None:
    from kg.extract.draft import Extractor

    raw = ("URL: http://x.cn/1\nTITLE: 国家卫生健康委主任:2025年中国人均预期寿命达79.25岁\n"
           "DATE: 2026-03-07\n\n新华社消息,2025年中国人均预期寿命达到79.25岁。\n")
    draft = Extractor(None).extract(raw, "005", "x.txt", "0" * 64)
    quotes = [c["evidence"] for c in draft.facts["claims"] if c["kind"] == "measurement"]
    assert quotes == ["2025年中国人均预期寿命达79.25岁", "2025年中国人均预期寿命达到79.25岁"]
    assert not any("http" in q or "DATE" in q for c in draft.facts["claims"]
                   for q in [c["evidence"]])


def test_every_number_and_title_is_a_candidate_or_skipped_with_a_reason() -> None:
    from pathlib import Path

    from kg.extract.draft import Extractor

    raw = (Path(__file__).parent / "fixtures" / "extract" / "press_release.txt").read_text(
        encoding="utf-8")
    article = parse_article(raw)
    draft = Extractor(None).extract(raw, "005", "press_release.txt", "0" * 64)
    listed = [e["offset"] for e in draft.coverage["skipped"]]
    assert draft.coverage["candidates"] + len(listed) == len(scan_expressions(article.text))
    assert all(e["reason"] for e in draft.coverage["skipped"])
    kinds = {c["kind"] for c in draft.facts["claims"]}
    assert {"post", "measurement", "target", "mention"} <= kinds
    assert all(c["review"] == "candidate" for c in draft.facts["claims"])
    assert all(c["evidence"] in article.text for c in draft.facts["claims"])


def test_a_pledged_measure_becomes_a_statement_of_its_speaker() -> None:
    from kg.extract.draft import Extractor

    text = "某省卫生健康委主任张伟明表示，将全面推广家庭医生签约服务。"
    draft = Extractor(None).extract(text, "005", "x.txt", "0" * 64)
    [statement] = [c for c in draft.facts["claims"] if c["kind"] == "statement"]
    assert statement["speaker"] == ["zhang-weiming"]
    assert statement["evidence"] == "将全面推广家庭医生签约服务"


def test_list_of_speakers_post_then_name_one_per_line() -> None:
    text = ("出席嘉宾：\n某省卫生健康委新闻发言人、宣传处副处长  米 锋\n"
            "某省疾控局监测预警处处长  孔灵芝\n")
    assert posts_of(text) == [
        ("米锋", "新闻发言人", "某省卫生健康委"), ("米锋", "副处长", "宣传处"),
        ("孔灵芝", "处长", "某省疾控局监测预警处")]


def test_figures_in_a_numbered_list_under_a_plan_heading_are_targets() -> None:
    plan = figures_of("某省发布今年十项民生实事\n\n1.新增托位2万个\n\n2.建成村卫生室300个\n")
    report = figures_of("上半年工作回顾\n\n1.新增托位2万个\n")
    assert [t for *_rest, t in plan][-2:] == [True, True]
    assert [t for *_rest, t in report] == [False]


def test_as_of_dates_do_not_make_targets() -> None:
    results = figures_of("截至2025年5月底，全省已建成村卫生室1.6万个，签约服务累计覆盖约1200万人。")
    assert [t for *_rest, t in results] == [False, False]
