"""Figures: number + unit + qualifier, with the indicator phrase, place and period.

Numbers are found by the coverage scanner (`kg.coverage.scan_expressions`), so that
`kg extract` and `kg coverage` agree on what a number is. Each one becomes a figure
candidate, or is skipped with a reason (a date, an ordinal, a grade, a code in quotes).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from kg.coverage import Expression, expression_values
from kg.extract.text import SENTENCE_REACH, Compact
from kg.extract.units import (
    BARE_COUNT,
    DRUG,
    PER_1000,
    PLACES_PER_1000,
    RATIO,
    YUAN,
    YUAN_PER_PERSON,
    Units,
)

MAGNITUDES = {"百": Decimal(100), "千": Decimal(1000), "万": Decimal(10000)}
QUALIFIERS_BEFORE = [
    (re.compile(r"(?:不超过|不高于|最多|至多)$"), "at-most"),
    (re.compile(r"(?:超过|超|逾|多于|高于)$"), "over"),
    (re.compile(r"(?:大约|约|约为|约有|大约有)$"), "about"),
    (re.compile(r"(?:接近|将近|近)$"), "nearly"),
    (re.compile(r"(?:至少有?|不少于|不低于|最少)$"), "at-least"),
    (re.compile(r"(?:不足|不到|低于)$"), "under"),
]
QUALIFIERS_AFTER = [
    (re.compile(r"^(?:余|多)"), "over"),
    (re.compile(r"^[^，。；]{0,2}以上"), "at-least"),
    (re.compile(r"^[^，。；]{0,2}(?:以下|以内)"), "at-most"),
    (re.compile(r"^[^，。；]{0,2}左右"), "about"),
]
CUMULATIVE_RE = re.compile(r"累计|共计|总计")
#: a sentence counting everything to date (截至目前，完成巡讲一万余场，其中…)
SINCE_START_RE = re.compile(r"累计|共计|总计|截至目前|截止目前|至今")
CHANGE_RE = re.compile(r"(增长|增幅|提高|提升|上升|增加|下降|降幅|降低|减少|节约|节省)[了到至为]?$")
#: words of a target, plan, pledge or norm. 将 counts only as "will" (将推动), not as the
#: object marker of 将…下调 (将 + noun); a year counts only when not in the past.
TARGET_CUES = re.compile(
    r"(?<![重主需必只纪摘首紧想])要(?![素点闻害职求])|力争|确保|目标|争取|计划|预计|拟|力求|努力"
    r"|提出|原则上|应当|必须|不得|继续(?=增加|新增|扩大|实施|推进|提高|建设)|(?:到|(?<!截)至)(?P<year>20\d\d)年(?:底|末)?(?!的)"
    r"|将(?=会|在|于|进一步|继续|全面|持续|推动|推进|实现|达到|建成|开展|启动|加快|扩大|提高|提升"
    r"|完成|覆盖|力争|确保|重点|着力|逐步|新增|举办|有|通过|支持|加强|建立|组织|按照|对|从)"
)
RESULT_CUES = re.compile(r"已|截至|目前|完成|累计|现有|共有|达到了|实现了|同比|了")
#: words that make a number part of a name or a label, not a figure
GRADE_RE = re.compile(r"^(?:级|甲|乙|类|线|期)")


@dataclass
class Figure:
    """A number in the text with what the sentence says about it."""

    expr: Expression
    start: int  # compact span of the number with its unit
    end: int
    values: list[Decimal]
    unit: str
    unit_text: str
    qualifiers: list[str] = field(default_factory=list)
    change: str | None = None
    target: bool = False
    phrase: str = ""
    expr_start: int = 0  # compact start of the number itself


def _compact_span(view: Compact, expr: Expression) -> tuple[int, int]:
    start = bisect.bisect_left(view.index, expr.start)
    end = bisect.bisect_left(view.index, expr.end)
    return start, end


def skip_reason(expr: Expression, view: Compact, units: Units,
                names: list[tuple[int, int, str]] = ()) -> str | None:
    """Why a number is not a figure, or None when it is one.

    `names` are compact spans of registry names in the text (15分钟医疗圈, 八件实事):
    a number inside one is part of that name. A year or a code followed by a unit word
    of `units` (2025年, 12356人次) is a quantity.
    """
    start, end = _compact_span(view, expr)
    after = view.text[end : end + 3]
    text = view.text
    # the names do not overlap and are in order: only the last one starting at or before
    # the number can hold it
    at = bisect.bisect_right(names, start, key=lambda n: n[0])
    if at and end <= names[at - 1][1]:
        return f"part of the name of {names[at - 1][2]}"
    if text[start - 1 : start] == "第" or re.match(r"届(?!的)|中全会", after):
        return "ordinal: part of a name (batch, edition, session, page)"
    if SESSION_RE.match(text, end) or text[start - 1 : start] == "届" or (
            expr.text.endswith("届") and re.match(r"[\u4e00-\u9fff](?<!的)", text[end:end + 1])
    ) or re.match(
            r"[零〇一二三四五六七八九十百\d]+" + SESSION_RE.pattern, text[start:end + 4]):
        return "a session's ordinal (十四届全国人大四次会议, 省委十四届十次全会), not a quantity"
    if BARE_DAY_RE.match(text, end) and not re.search(r"[月/\-.]$", text[max(0, start - 1):start]
                                                        ) and _day_number(expr.text):
        return "a day of the article's month (26日举行), not a quantity"
    if EVERY_AT_LEAST_RE.search(text[max(0, start - 10):start]) and (
            re.sub(r"\s", "", expr.text) in ("一", "1", "一家", "一个", "一所")):
        return "每个…至少一家: a yes/no claim (every one has one), not a count"
    if re.match(r"[时点](?!间)", text[end:end + 1]) and re.search(r"[上下]午$|晚$|早$",
                                                                 text[max(0, start - 2):start]):
        return "a time of day (上午10时), not a quantity"
    if RHETORICAL_RE.match(text, end):
        return "a count in a figure of speech (三个方面, 两个字), not a quantity"
    if PROGRAMME_NAME_RE.match(text, start):
        return "part of a programme's name (为民服务十件实事), not a quantity"
    if re.match(r"[.．、](?![0-9０-９])", after) and (
            start == 0 or start in view.breaks or text[start - 1] in "。；：\n"
            or view.original[view.index[start] - 1 : view.index[start]] == "\n"):
        return "list numbering"
    if re.match(r"号", after) or re.match(r"[0-9]{7,}$|[0-9]+-[0-9]{7,}", expr.text.strip()):
        return "an address, phone number or code"
    if re.match(r"岁(?:及)?(?:以上|以下)", after):
        return "an age bound that defines a group (3岁以下婴幼儿), not a figure"
    if expr.kind == "cn-number" and (re.search(r"[大重]$", expr.text)
                                     or text[start - 1 : start] in "‘“'\""):
        return "an enumeration in a slogan (三大, 四个延伸), not a figure"
    shares = re.search(r"[%％‰]|分之|成", expr.text)
    if re.match(r"(?:万|亿)?[^\s，。]{0,2}的", after) and not shares and (
            re.search(r"(?:超过|超|不足|以上|以下)$", text[max(0, start - 3) : start])):
        return "a threshold that defines a group (超过10万的县), not a figure"
    if expr.kind == "quoted":
        return "a code or number in quotes (hotline, phone), not a quantity"
    if expr.kind == "cn-number" and expr.text.startswith("第"):
        return "ordinal: part of a name (batch, edition, session)"
    if GRADE_RE.match(after) or re.search(r"级$", expr.text):
        return "a grade or class (二级, 三甲), not a quantity"
    if re.fullmatch(r"(?:19|20)\d\d", re.sub(r"\s", "", expr.text)) and not (
            units.after_number.match(view.text, end)):
        return "a year (in a name or heading), not a quantity"
    if re.fullmatch(r"\d{3,6}", expr.text.strip()) and HOTLINE_AFTER_RE.match(text, end):
        return "a hotline's number (12356心理援助热线), not a quantity"
    if view.text[max(0, start - 2) : start].endswith(("热线", "电话", "编号", "号码")) and (
            re.fullmatch(r"\d{3,}", expr.text.strip()) and not units.after_number.match(text, end)):
        return "a code or phone number"
    return None


#: N次全会 / N次会议 of a congress or plenum; a number after 届 (十四届…四次会议)
SESSION_RE = re.compile(r"次(?:全会|全体会议|会议|常委会|党代会)|中全会")
#: a bare day: 26日举行, 12日在北京 (a day of the article's month; durations such as
#: 30日内 are left alone)
BARE_DAY_RE = re.compile(r"[日号](?!内|以内|以上|以下|之内|后|左右|起|前)")
#: a number naming the line it is dialled on: 12356心理援助热线, 12320卫生热线
HOTLINE_AFTER_RE = re.compile(r"[\u4e00-\u9fff]{0,6}?(?:热线|专线|服务电话|短号码)")
#: 每个地市至少有(一家): every one has at least one, a yes/no claim
EVERY_AT_LEAST_RE = re.compile(r"每(?:个|一个)?[\u4e00-\u9fff]{1,6}至少有?$")
RHETORICAL_RE = re.compile(r"个?(?:方面|字|句话)")
#: N件实事, N项民生实事: the name of a yearly programme
PROGRAMME_NAME_RE = re.compile(r"[\d零〇一二三四五六七八九十百两]+(?:件|项|大)(?:民生)?实事")


def _day_number(text: str) -> bool:
    bare = re.sub(r"\s", "", text)
    return bare.isdigit() and 1 <= int(bare) <= 31


def is_target(prefix: str, clause_before: str, year: int | None) -> bool:
    """A target when a cue precedes the number in its sentence and no result cue in its
    clause; a year as cue (到2027年) only when not before `year` (the article's)."""
    cues = [m for m in TARGET_CUES.finditer(prefix)
            if not (m["year"] and year and int(m["year"]) < year)]
    return bool(cues) and not RESULT_CUES.search(clause_before) and not (
        "截至" in prefix and not any(m.start() > prefix.rfind("截至") for m in cues))


PLEDGE_AFTER_QUOTE = re.compile(r"[”\"’]*(?:被|已)?(?:纳入|列入|写入|作为|确定为|位列|列为|排在)")


def quoted_pledge(text: str, at: int, sentence_start: int) -> bool:
    """A number inside a quoted phrase that is then 纳入/列入 a plan (“…超200项”被纳入…)."""
    opening = max(text.rfind("“", sentence_start, at), text.rfind("\"", sentence_start, at))
    if opening < 0 or "”" in text[opening:at]:
        return False
    closing = text.find("”", at, at + SENTENCE_REACH)
    if closing < 0:
        closing = text.find("\"", at, at + SENTENCE_REACH)
    return closing >= 0 and bool(PLEDGE_AFTER_QUOTE.match(text, closing))


LIST_ITEM = re.compile(r"^\s*(?:(?:\d+|[一二三四五六七八九十]+)[.．、]"
                       r"|第[一二三四五六七八九十]+[,，、：:]|[（(][一二三四五六七八九十]+[)）])")
PLAN_HEADING = re.compile(r"实事|任务|目标|计划|方案|举措|重点工作|要点")


def listed_under_plan(original: str, at: int) -> bool:
    """A figure in a numbered list (1. … 2. …) whose heading names a plan or its tasks
    (发布2025年为民服务八件实事)."""
    starts, items, under_plan = _numbered_lines(original)
    line = bisect.bisect_right(starts, at) - 1
    return items[line] is not None and items[line] <= at and under_plan[line]


@lru_cache(maxsize=4)
def _numbered_lines(original: str) -> tuple[list[int], list[int | None], list[bool]]:
    """For each line of the text: where it starts, where its list number (1. 一、) ends if
    it has one, and whether the nearest line above it that is neither blank nor a list item
    names a plan. One pass, so that each figure's question costs a binary search."""
    starts, items, under_plan = [], [], []
    heading_is_plan = False
    offset = 0
    for line in original.split("\n"):
        number = LIST_ITEM.match(line)
        starts.append(offset)
        items.append(offset + number.end() if number else None)
        under_plan.append(heading_is_plan)
        if line.strip() and not number:
            heading_is_plan = bool(PLAN_HEADING.search(line))
        offset += len(line) + 1
    return starts, items, under_plan


def read_figure(expr: Expression, view: Compact, units: Units, year: int | None = None
                ) -> Figure | None:
    """The figure an expression states, or None when nothing parses.

    `units` are the registry's unit words; `year` is the article's year (its date),
    against which 到2027年 reads as a target.
    """
    start, end = _compact_span(view, expr)
    text = view.text
    bare = re.sub(r"\s", "", expr.text)
    values = [MAGNITUDES[expr.text]] if expr.kind == "magnitude" else sorted(
        expression_values(expr, text[end : end + 4]))
    if not values:
        return None
    unit, unit_text, stop = BARE_COUNT, "", end
    if bare.endswith(("%", "％")) or re.search(r"[%％]", bare):
        unit = units.percent
    elif "‰" in bare:
        unit = units.permille
    elif expr.kind == "cn-number" and bare.endswith("成"):
        unit = units.percent
        values = [v for v in values if v >= 10] or values
    elif text.startswith("成", end):  # 3-5成: tenths
        unit, unit_text, stop = units.percent, "成", end + 1
        values = [v * 10 for v in values]
    elif m := units.after_number.match(text, end):
        unit_text, stop = m.group(1), m.end()
        unit = units.words[unit_text]
    elif expr.kind == "cn-number":
        tail = re.search(r"(人次|[^\u4e00-\u9fff]?[\u4e00-\u9fff])$", bare)
        if tail and tail.group(1) in units.words:
            unit_text = tail.group(1)
            unit = units.words[unit_text]
    if "千分之" in bare:
        unit, values = units.permille, [v * 1000 for v in values]
    elif "分之" in bare:
        unit = RATIO
    if unit == BARE_COUNT:  # what it counts: 31个省份, 托位数达120万
        unit = units.counted_unit(text[stop : stop + 4], text[max(0, start - 6) : start]
                                  ) or unit
    if len(values) > 2:
        values = [values[0], values[-1]]
    sentence_start, _ = view.sentence(start, end)
    clause_start, clause_end = view.clause(start, end)
    before = text[clause_start:start]
    if re.search(r"每千人口?|每千名", before) and unit != units.percent:
        unit = PLACES_PER_1000 if "托位" in text[clause_start:clause_end] else PER_1000
    if unit == YUAN and re.search(r"人均|每人", before):
        unit = YUAN_PER_PERSON
    if unit == DRUG and not re.search(r"药|品种|目录", text[sentence_start:clause_end]):
        unit = BARE_COUNT
    figure = Figure(expr, start, stop, values, unit, unit_text, expr_start=start)
    for pattern, name in QUALIFIERS_BEFORE:
        if pattern.search(before):
            figure.qualifiers.append(name)
            break
    if re.search(r"[余多]", bare) and "over" not in figure.qualifiers:
        figure.qualifiers.append("over")
    for pattern, name in QUALIFIERS_AFTER:
        if pattern.search(text[end:clause_end]) and name not in figure.qualifiers:
            figure.qualifiers.append(name)
            break
    if CUMULATIVE_RE.search(before) or (unit != units.percent and SINCE_START_RE.search(
            text[sentence_start:start])):
        figure.qualifiers.append("cumulative")
    if change := CHANGE_RE.search(re.sub(r"(?:超过|超|约|近|达到|达)$", "", before)):
        figure.change = "decrease" if re.search(r"下降|降|减少|节", change[1]) else "increase"
    prefix = text[sentence_start:start]
    figure.target = (is_target(prefix, text[clause_start:start], year)
                     or quoted_pledge(text, start, sentence_start)
                     or listed_under_plan(view.original, expr.start))
    figure.phrase = text[clause_start:clause_end]
    return figure


def comparator(figure: Figure) -> str:
    """The comparator of a target from its qualifier (超过 -> >, 不超过 -> <=, else >=)."""
    if "over" in figure.qualifiers:
        return ">"
    if "at-most" in figure.qualifiers:
        return "<="
    if "under" in figure.qualifiers:
        return "<"
    return ">="
