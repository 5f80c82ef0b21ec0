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
from kg.extract.units import read_units
from kg.settings import DEFAULT_DATA_DIR

EMPTY = Lexicon()
UNITS = read_units(DEFAULT_DATA_DIR)


def figures_of(text: str) -> list[tuple[list[Decimal], str, list[str], bool]]:
    view = Compact(text)
    out = []
    for expr in scan_expressions(text):
        if expr.kind in ("number", "cn-number", "quoted") and not skip_reason(expr, view, UNITS):
            figure = read_figure(expr, view, UNITS)
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
    ("年内办成民生实事八件。", [Decimal(8)], "piece"),
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
    reasons = [skip_reason(e, view, UNITS) for e in scan_expressions(text) if e.kind != "date"]
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


# ---------------------------------------------------------------- shapes from the corpus


def draft_of(text: str, date: str = "2025-12-26") -> list[dict]:
    from kg.extract.draft import Extractor

    raw = f"URL: http://x.cn/1\nTITLE: [descriptive] x\nDATE: {date}\n\n{text}"
    return Extractor(None).extract(raw, "005", "x.txt", "0" * 64).facts["claims"]


def figure_claims(text: str, date: str = "2025-12-26") -> list[dict]:
    return [c for c in draft_of(text, date) if c["kind"] in ("measurement", "target")]


def test_a_count_after_telephone_is_no_phone_number() -> None:
    [(values, _unit, qualifiers, _t)] = figures_of("截至目前,全国已接通电话70余万通。")
    assert values == [Decimal(700000)] and "over" in qualifiers


def test_a_magnitude_alone_is_a_figure() -> None:
    [claim] = figure_claims("成功实施危机干预近万起。")
    assert (claim["value"], claim["qualifiers"][0]) == (10000, "nearly")


def test_over_written_inside_a_chinese_numeral() -> None:
    [(values, _u, qualifiers, _t)] = figures_of("完成国家级、省市级心理健康知识巡讲一万余场。")
    assert values == [Decimal(10000)] and "over" in qualifiers


def test_permille_written_in_words() -> None:
    [(values, unit, _q, _t)] = figures_of("人口出生率为千分之六。")
    assert (values, unit) == ([Decimal(6)], "permille")


@pytest.mark.parametrize("text", [
    "国家卫生健康委26日举行“为民服务八件实事”新闻发布会。",
    "中国国家卫生健康委员会12日在北京举行新闻发布会。",
    "深入贯彻党的二十届四中全会部署和省委十四届十次全会精神。",
    "雷海潮3月7日在十四届全国人大四次会议民生主题记者会上说。",
    "这项工作被纳入年度为民服务十件实事。",
    "2024年中国医保基金运行可以用“稳”和“进”两个字来概括。",
    "开通12356心理援助热线,举办心理健康知识讲座。",
    "国新办7月24日上午10时举行“高质量完成‘十四五’规划”系列主题新闻发布会。",
])
def test_days_sessions_programme_names_and_figures_of_speech_are_not_figures(text: str) -> None:
    assert figures_of(text) == []


def test_universals_are_yes_no_claims_dated_by_the_text() -> None:
    [hotline] = figure_claims("5月1日前各地均已开通运行。")
    assert (hotline["kind"], hotline["value"], hotline["as_of"]) == (
        "measurement", True, "2025-05-01")
    clinics = figure_claims("全国333个地级市、直辖市的87个区县都已经完成心理门诊和睡眠门诊设置。")
    assert sorted(str(c["value"]) for c in clinics) == ["333", "87", "True"]


def test_every_one_at_least_one_in_a_plan_list_is_a_yes_no_target() -> None:
    claims = figure_claims("会上,国家卫生健康委发布2025年全系统为民服务8件实事。\n\n"
                           "第二,每个地市至少有一家医院提供心理门诊、睡眠门诊服务。", "2025-01-04")
    [target] = [c for c in claims if c["value"] is True]
    assert (target["kind"], target["comparator"], target["deadline"]) == ("target", "=", "2025")
    assert not [c for c in claims if c["value"] is not True and c["value"] == 1]


def test_a_comparison_year_is_the_start_of_the_period_not_the_date() -> None:
    claims = figure_claims("雷海潮说,2025年中国人均预期寿命达到79.25岁,比2020年提高了1.32岁。",
                           "2026-03-07")
    dates = [(c["value"], c.get("period_start"), c.get("period_end")) for c in claims]
    assert dates == [("79.25", "2025", "2025"), ("1.32", "2020", "2025")]
    [growth, _other] = figure_claims("目前,提供的门诊服务量较2024年同期分别提升17%和39%。")
    assert growth["as_of"] == "2025-12-26"


def test_end_of_year_and_relative_years() -> None:
    [level] = figure_claims("截至2025年年底,全国有4845家二级、三级公立综合医院能够提供儿科服务。",
                            "2026-02-12")
    assert level["as_of"] == "2025-12-31"
    [target] = figure_claims("焦雅辉表示,今年要新增一千家基层医疗卫生机构提供儿童诊疗服务。",
                             "2026-02-12")
    assert (target["kind"], target["deadline"]) == ("target", "2026")
    [half] = figure_claims("国家医保局表示,今年上半年要新增100家定点机构。", "2026-02-12")
    assert (half["due_start"], half["due_end"]) == ("2026-01", "2026-06")


@pytest.mark.parametrize("text", [
    "在2025年新增89万个普惠托位的基础上,“十五五”开局之年,继续增加15万个普惠托位。",
    "公布2026年卫生健康系统为民服务十件实事,“新增1000家乡镇卫生院、社区卫生服务中心提供儿童常见病、"
    "多发病诊疗服务”位列其首。",
])
def test_continuing_and_listed_pledges_are_targets(text: str) -> None:
    targets = [c for c in figure_claims(text, "2026-02-12") if c["kind"] == "target"]
    assert [t["deadline"] for t in targets] == ["2026"]


@pytest.mark.parametrize(("text", "expected"), [
    ("国家卫生健康委妇幼司司长傅卫介绍,", [("傅卫", "司长", "国家卫生健康委妇幼司")]),
    ("首都医科大学医学人文学院卫生法学系主任李筱永说。",
     [("李筱永", "主任", "首都医科大学医学人文学院卫生法学系")]),
    ("南京市卫生健康委员会党委书记、主任唐伯才表示,",
     [("唐伯才", "党委书记", "南京市卫生健康委员会"), ("唐伯才", "主任", "南京市卫生健康委员会")]),
    ("湖北省卫生健康委员会党组成员、副厅长刘伟说,",
     [("刘伟", "党组成员", "湖北省卫生健康委员会"), ("刘伟", "副厅长", "湖北省卫生健康委员会")]),
    ("出席的嘉宾有:\n中国医学科学院肿瘤医院主任医师薛奇先生;\n",
     [("薛奇", "主任医师", "中国医学科学院肿瘤医院")]),
    ("嘉 宾:薛 奇 中国医学科学院肿瘤医院主任医师\n李 杰 中国中医科学院广安门医院主任医师\n",
     [("薛奇", "主任医师", "中国医学科学院肿瘤医院"),
      ("李杰", "主任医师", "中国中医科学院广安门医院")]),
    ("主持人:胡强强 国家卫生健康委新闻发言人、宣传司副司长\n",
     [("胡强强", "新闻发言人", "国家卫生健康委"), ("胡强强", "副司长", "宣传司")]),
    ("国家卫生健康委主任雷海潮3月7日在十四届全国人大四次会议民生主题记者会上说,",
     [("雷海潮", "主任", "国家卫生健康委")]),
    ("甘德县柯曲镇卫生院院长尼玛拉毛副主任医师表示,",
     [("尼玛拉毛", "院长", "甘德县柯曲镇卫生院"),
      ("尼玛拉毛", "副主任医师", "甘德县柯曲镇卫生院")]),
    ("国家卫生健康委医疗应急司副司长、 级巡视员高光明介绍,",
     [("高光明", "副司长", "国家卫生健康委医疗应急司"),
      ("高光明", "级巡视员", "国家卫生健康委医疗应急司")]),
])
def test_officials_of_the_corpus(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert posts_of(text) == expected


def test_numbered_paragraphs_after_a_speaker_are_his_by_speaker_heading() -> None:
    claims = figure_claims(
        "中新网北京12月26日电(张静)国家卫生健康委26日举行新闻发布会。国家卫生健康委医政司副司长李大川"
        "介绍,这三项工作已经全部完成。\n二是设置热线。截至目前,全国已接通电话70余万通。")
    calls = next(c for c in claims if c["value"] == 700000)
    assert calls["reported_by"] == ["li-dachuan"]
    assert calls["attribution"] == {"basis": "speaker-heading",
                                    "evidence": "国家卫生健康委医政司副司长李大川介绍"}


def test_figures_no_speaker_gives_are_the_lead_bodys_or_the_bylines() -> None:
    [lead] = figure_claims(
        "国家医保局1月17日在北京举行新闻发布会。\n\n全国医保基金总支出2.97万亿元。", "2025-01-17")
    assert lead["attribution"]["basis"] == "lead"
    assert lead["attribution"]["evidence"] == "国家医保局1月17日在北京举行"
    [own] = figure_claims("本报记者 赵丽\n\n全国已有11个省份开通。", "2026-01-28")
    assert (own["reported_by"], own["attribution"]) == (
        ["zhao-li"], {"basis": "byline", "evidence": "本报记者 赵丽"})


def test_a_bare_name_heading_right_before_the_figure_is_quoted_with_it() -> None:
    [total, _growth] = figure_claims(
        "国家医保局规财法规司司长蒋成嘉介绍。\n其二是基金支出“稳”。蒋成嘉表示,全国医保基金总支出2.97万亿元,同比增长5.5%。",
        "2025-01-17")
    assert total["evidence"] == "蒋成嘉表示,全国医保基金总支出2.97万亿元"
    assert "attribution" not in total and total["reported_by"] == ["jiang-chengjia"]


def test_a_value_reached_in_a_named_year_is_no_target_and_each_value_has_its_year() -> None:
    text = "基本公共卫生服务均等化的项目从2009年最初的人均15元提升到2024年的人均达到94元。"
    [start, end] = figure_claims(text, "2024-09-12")
    assert [c["kind"] for c in (start, end)] == ["measurement", "measurement"]
    assert (start["period_start"], end["period_start"]) == ("2009", "2024")
    assert figures_of(text)[0][1] == "yuan-per-person"


def test_a_post_in_a_universitys_department_is_the_universitys() -> None:
    from kg.extract.draft import Extractor

    draft = Extractor(None).extract("首都医科大学医学人文学院卫生法学系主任李筱永说。", "005",
                                    "x.txt", "0" * 64)
    [post] = [c for c in draft.facts["claims"] if c["kind"] == "post"]
    [facility] = draft.proposals["facilities.yaml"]
    assert (post["organization"], facility["name_zh"]) == (facility["id"], "首都医科大学")


def test_each_press_conference_on_a_page_leads_the_figures_after_it() -> None:
    filler = "各地积极推进相关工作。" * 60
    first = "昨日,国家卫生健康委举行新闻发布会。\n\n全国新增托位66万个。\n\n"
    second = "\n\n近日,国家医保局举行新闻发布会。\n\n全国已有11个省份开通。"
    claims = figure_claims(first + filler + second, "2025-01-17")
    assert [c["attribution"]["evidence"] for c in claims] == [
        "国家卫生健康委举行", "国家医保局举行"]


def test_an_item_of_a_plan_without_a_number_is_a_yes_no_target() -> None:
    claims = figure_claims("会上,国家卫生健康委发布2025年全系统为民服务8件实事。\n\n"
                           "第五,取消门诊预交金。\n\n第七,推进“血费减免一次都不跑”。", "2025-01-04")
    assert [(c["kind"], c["value"], c["evidence"]) for c in claims] == [
        ("target", True, "取消门诊预交金"), ("target", True, "推进“血费减免一次都不跑”")]
    assert figure_claims("上半年工作回顾\n\n第五,取消门诊预交金。", "2025-07-04") == []


def test_rounds_held_to_date_are_a_cumulative_count_not_an_ordinal() -> None:
    [(values, _u, qualifiers, _t)] = figures_of("至今已经完成了11届的表彰。")
    assert values == [Decimal(11)] and "cumulative" in qualifiers
