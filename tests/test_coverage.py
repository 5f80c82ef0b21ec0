"""Tests of `kg coverage`: the expression scanner, the classification and the CLI."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.coverage import (
    Holder,
    classify,
    compute_coverage,
    occurrences,
    scan_cues,
    scan_expressions,
)
from kg.datafiles import DEFAULT_DATA_DIR
from kg.errors import DataError
from kg.settings import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "coverage"


def found(text: str) -> list[tuple[str, str]]:
    return [(e.kind, e.text) for e in scan_expressions(text)]


# ---------------------------------------------------------------- scanner


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("抓好八件实事的落实", ("cn-number", "八件")),
        ("已有超三分之一的地区", ("cn-number", "三分之一")),
        ("二〇二五年，医疗提质", ("date", "二〇二五年")),
        ("二〇二五，医疗提质惠民生", ("date", "二〇二五")),
        ("托位数达4.73个", ("number", "4.73")),
        ("超过90%的医院", ("number", "90%")),
        ("已覆盖1.8亿人", ("number", "1.8亿")),
        ("每次3-5天", ("number", "3-5")),
        ("每次3～5天", ("number", "3～5")),
        ("约3至5天", ("number", "3至5")),
        ("共1,234人", ("number", "1,234")),
        ("达到１２３个", ("number", "１２３")),
        ("比例为5‰", ("number", "5‰")),
        ("汇聚2.73万亿条数据", ("number", "2.73万亿")),
        ("2018年以来", ("date", "2018年")),
        ("12月26日，国家卫生健康委", ("date", "12月26日")),
        ("自2025年3月起", ("date", "2025年3月")),
        ("4月12日至13日在杭州", ("date", "4月12日至13日")),
        ("剖析2022—2024年近60万份", ("date", "2022—2024年")),
        ("“十四五”以来", ("date", "十四五")),
        (
            "2025年，《医学人文关怀提升行动方案（2024—2027）》在全国",
            ("title", "《医学人文关怀提升行动方案（2024—2027）》"),
        ),
        ("已开通“12356”心理援助热线", ("quoted", "“12356”")),
        ('设置 "12356"作为', ("quoted", '"12356"')),
        ("国家层面将开展第11批药品集采", ("number", "11")),
        ("发布第一版丙类药品目录", ("cn-number", "第一版")),
        ("第一次向全社会公开承诺", ("cn-number", "第一次")),
        ("全国二、三级公立综合医院", ("cn-number", "二、三级")),
        ("超九成居民", ("cn-number", "九成")),
        ("党的二十届四中全会", ("cn-number", "二十届")),
        ("党的二十届四中全会", ("cn-number", "四中全会")),
        ("推动‘四\n个延伸’", ("cn-number", "四\n个")),
        ("启动两批次共计", ("cn-number", "两批次")),
        ("至少有 一家公立医院", ("cn-number", "一家")),
        ("三十多年来", ("cn-number", "三十多年")),
    ],
)
def test_scanner_finds(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


def test_scanner_spans_and_context() -> None:
    text = "目前，全国超过90%的二、三级公立综合医院\n能够提供儿科服务。"
    [percent, grades] = scan_expressions(text)
    assert text[percent.start : percent.end] == "90%"
    assert text[grades.start : grades.end] == "二、三级"
    assert percent.context(text) == "目前，全国超过90%的二、三级公立综合医院⏎能够提"


def test_scanner_nests_inner_expressions() -> None:
    """The year inside a title, the digits inside a date, are not reported again."""
    assert found("《方案（2024—2027）》") == [("title", "《方案（2024—2027）》")]
    assert found("2025年3月起") == [("date", "2025年3月")]
    assert found("“12356”") == [("quoted", "“12356”")]


@pytest.mark.parametrize(
    "text",
    [
        "一些地区", "一般的病", "政策规范统一", "一起努力", "推进一体化", "临床一线",
        "保持一致", "唯一一家", "进一步提升", "病区“一站式”结算", "出生一件事联办",
        "“一老一小”更安心", "“一县一策”推动", "“一院一策”", "一企一策", "全国“一盘棋”",
        "为避免“一刀切”", "于“一枝一叶”间", "一年来", "一个个平凡", "一句句朴实",
        "提供了一个健康的环境", "一种需要专业帮助的状态", "一名肝部疾病患者",
        "一级公立医院", "一级调研员", "血费减免一次都不跑", "第一时间", "一系列政策",
        "一定区域内", "事关亿万百姓福祉", "推进健康知识进万家", "千家万户", "每千人口",
        "十分重要", "三重要务", "江苏省淮安市第五人民医院", "南京医科大学第二附属医院",
        "三明医改经验", "三甲医院", "一是托育服务", "二十四节气", "双向转诊",
    ],
)
def test_scanner_skips_words(text: str) -> None:
    assert found(text) == []


def test_occurrences_finds_every_one() -> None:
    assert occurrences("abcabca", "abca") == [(0, 4), (3, 7)]
    assert occurrences("abc", "x") == []


# ---------------------------------------------------------------- coverage on a fixture


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture data folder."""
    return Path(shutil.copytree(FIXTURE / "data", tmp_path / "data"))


SEEDS = FIXTURE / "seeds"


def test_classification() -> None:
    [report] = compute_coverage((), FIXTURE / "data", SEEDS)
    assert report.id == "001"
    covered = [e.text for e in report.covered]
    # 200 occurs twice: the second is covered by the quote's second occurrence
    assert covered == ["2025年", "66万", "200", "八件", "200"]
    assert [e.text for e in report.ignored] == ["1.00"]
    assert [e.text for e in report.uncovered] == ["4400亿"]


def test_stale_ignore_entry_is_an_error(data_copy: Path) -> None:
    path = data_copy / "coverage" / "001.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "- text: 本报地址：某市某路1号\n  reason: address line\n"
        + "- text: 累计节省医保基金4400亿元\n"
        + "- text: 健康简报\n  reason: no number in it\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        compute_coverage((), data_copy, SEEDS)
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 3
    assert messages[0].startswith("data/coverage/001.yaml, record #2: text not found verbatim")
    assert "本报地址：某市某路1号" in messages[0]
    assert messages[1].startswith("data/coverage/001.yaml, record #3: no 'reason'")
    assert messages[2].startswith("data/coverage/001.yaml, record #4: ignores no number")


def test_ignore_list_for_unknown_source(data_copy: Path) -> None:
    (data_copy / "coverage" / "777.yaml").write_text("[]\n", encoding="utf-8")
    with pytest.raises(DataError, match="no fact file for source '777'"):
        compute_coverage((), data_copy, SEEDS)


def test_unknown_source_id() -> None:
    with pytest.raises(DataError, match="unknown source id '009'"):
        compute_coverage(("009",), FIXTURE / "data", SEEDS)


# ---------------------------------------------------------------- command line


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["coverage", *map(str, args)])
    return result.exit_code, result.output


def test_cli_reports_uncovered_and_exits_1() -> None:
    code, out = run("--data-dir", FIXTURE / "data", "--seeds", SEEDS)
    assert code == 1
    assert "001" in out and "4400亿" in out
    assert "1 uncovered expression(s) in 1 source(s)" in out


def test_cli_exits_0_when_all_covered(data_copy: Path) -> None:
    path = data_copy / "coverage" / "001.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "- text: 累计节省医保基金4400亿元\n  reason: testing a fully covered source\n",
        encoding="utf-8",
    )
    code, out = run("--source", "001", "--data-dir", data_copy, "--seeds", SEEDS)
    assert code == 0, out
    assert "0 uncovered expression(s)" in out


def test_cli_json_shape() -> None:
    code, out = run("--json", "--data-dir", FIXTURE / "data", "--seeds", SEEDS)
    assert code == 1
    report = json.loads(out)
    assert report["uncovered_total"] == 1
    [source] = report["sources"]
    assert source == {
        "id": "001",
        "file": "001_fixture.txt",
        "expressions": 7,
        "covered": 5,
        "ignored": 1,
        "uncovered": [
            {
                "start": 86,
                "end": 91,
                "kind": "number",
                "text": "4400亿",
                "context": "过200项。⏎累计节省医保基金4400亿元。⏎⏎每份零售价：1.00元",
            }
        ],
    }


def test_cli_unknown_source_fails() -> None:
    code, out = run("--source", "009", "--data-dir", FIXTURE / "data", "--seeds", SEEDS)
    assert code == 1
    assert "unknown source id '009'" in out


# ---------------------------------------------------------------- acceptance


def test_all_sources_fully_covered() -> None:
    """Every number, date and title of every real source is quoted by a claim or ignored."""
    settings = Settings()
    if not settings.seeds.is_dir():
        pytest.skip(f"no seeds folder at {settings.seeds}")
    reports = compute_coverage((), DEFAULT_DATA_DIR, settings.seeds, settings.corpus)
    missing = [
        f"{r.id} @{e.start} {e.kind} {e.text!r}: {e.context(r.text)}"
        for r in reports
        for e in r.uncovered
    ]
    assert not missing, f"{len(missing)} uncovered expression(s):\n" + "\n".join(missing)


# ---------------------------------------------------------------- typed values and cues


def _strict(text: str, holders: list[Holder]) -> dict[str, list[str]]:
    report = classify("900", "900.txt", text, [(h.start, h.end) for h in holders], [], holders)
    return {
        "covered": [e.text for e in report.covered],
        "uncovered": [e.text for e in report.uncovered],
    }


def _quote(text: str, quote: str, values: tuple[str, ...] = (), names: tuple[str, ...] = ()
           ) -> Holder:
    start = text.index(quote)
    return Holder(start, start + len(quote), frozenset(Decimal(v) for v in values), names)


def test_a_number_inside_a_quote_is_uncovered_unless_a_claim_holds_it() -> None:
    text = "假设某病种过去3年平均住院费用是9000元。"
    quote = "过去3年平均住院费用是9000元"
    assert _strict(text, [_quote(text, quote)])["uncovered"] == ["3", "9000"]
    held = _strict(text, [_quote(text, quote, ("9000",)), _quote(text, quote, ("3",))])
    assert held == {"covered": ["3", "9000"], "uncovered": []}


def test_values_are_compared_after_normalising_multipliers_and_tenths() -> None:
    text = "超九成居民；累计260余万人；覆盖1.8亿人。"
    holders = [
        _quote(text, "超九成居民", ("90",)),
        _quote(text, "累计260余万人", ("2600000",)),
        _quote(text, "覆盖1.8亿人", ("180000000",)),
    ]
    assert _strict(text, holders) == {"covered": ["九成", "260", "1.8亿"], "uncovered": []}


def test_a_number_in_the_name_of_a_referenced_entity_is_covered() -> None:
    text = "国家层面将开展第11批药品集采。"
    holder = _quote(text, "国家层面将开展第11批药品集采", names=("第11批药品集采",))
    assert _strict(text, [holder]) == {"covered": ["将", "11"], "uncovered": []}


def test_cue_words_of_pledges_must_sit_in_a_quote() -> None:
    text = "坚决守牢不发生规模性因病返贫致贫底线。各地要及时处理。这很重要，主要在基层。"
    assert [e.text for e in scan_cues(text)] == ["不发生", "底线", "要"]
    report = _strict(text, [_quote(text, "不发生规模性因病返贫致贫底线")])
    assert report == {"covered": ["不发生", "底线"], "uncovered": ["要"]}


def test_spaced_layout_does_not_make_zhongyao_a_cue() -> None:
    assert scan_cues("深 化 医 改 的 重 要 内容") == []
