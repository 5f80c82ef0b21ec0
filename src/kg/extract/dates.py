"""The date of a figure: as-of day, period or deadline, from the words around it.

Read in this order: a date in the figure's clause, then in its sentence (a year compared
with, 较2024年同期 / 比2020年, is not the figure's date but the start of its period);
words of the present (目前, 截至目前) date it on the article's day; otherwise the last year
named earlier in the paragraph or the one before it; otherwise the article's day.
Relative words resolve against the article date: 今年, 去年, 明年, 上半年, 5月1日前.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from kg.extract.text import Compact

YEAR_RE = re.compile(
    r"(?P<prefix>截至|截止|到|至|较|比|与|同|是|从|自)?(?P<year>(?:19|20)\d\d)年"
    r"(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})[日号])?)?"
    r"(?P<suffix>年底|年末|底|末|同期|以来|前|的)?")
RELATIVE_YEAR_RE = re.compile(r"(?P<word>今年|去年|明年|当年|本年度?)(?P<half>上半年|下半年)?"
                              r"|(?P<alone>上半年|下半年)")
MONTH_DAY_RE = re.compile(r"(?<![年\d])(?P<month>\d{1,2})月(?P<day>\d{1,2})[日号](?P<suffix>前)?")
PLAN_PERIOD_RE = re.compile(r"[“\"]?十四五[”\"]?(?:以来|期间|时期)")
PRESENT_RE = re.compile(r"截至目前|截止目前|目前|当前|至今|现已|现有")
STOCK_RE = re.compile(r"累计|结存|余额|总数|共有|现有")
#: what a year counts as a whole (a flow or a yearly rate), not a level at its end
FLOW_RE = re.compile(r"新增|增长|增加|增幅|下降|降幅|提高|提升|收入|支出|结余|诊疗量|人次|次数"
                     r"|服务量|预期寿命|出生率|死亡率|年均|全年|当年")


def _comparison(match: re.Match[str]) -> bool:
    return match["prefix"] in ("较", "比", "与", "同") or match["suffix"] == "同期" or (
        match["prefix"] == "是" and match["suffix"] == "的")


def _partial(match: re.Match[str]) -> str:
    year, month, day = match["year"], match["month"], match["day"]
    if month and day:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if month:
        return f"{year}-{int(month):02d}"
    if match["suffix"] in ("年底", "年末", "底", "末"):
        return f"{year}-12-31"
    return year


def _relative(match: re.Match[str], year: int) -> tuple[str, str]:
    """(start, end) of a relative year (今年上半年 -> 2025-01, 2025-06)."""
    offset = {"去年": -1, "明年": 1}.get(match["word"] or "", 0)
    y = year + offset
    half = match["half"] or match["alone"]
    if half == "上半年":
        return f"{y}-01", f"{y}-06"
    if half == "下半年":
        return f"{y}-07", f"{y}-12"
    return str(y), str(y)


#: Farthest back (compact characters) a figure looks for the year of its paragraph or the
#: one before (the real articles' paragraphs are under 1,000): linear time on any text.
LOOKBACK = 2_000


def figure_dates(view: Compact, at: int, article_date: str | None, kind: str
                 ) -> dict[str, Any]:
    """The date fields of a measurement (as_of / period_start / period_end) or a target
    (deadline / due_start / due_end) whose number starts at compact offset `at`."""
    text = view.text
    c_start, c_end = view.clause(at, at + 1)
    s_start, s_end = view.paragraph_sentence(at, at + 1)
    year = int(article_date[:4]) if article_date and article_date[:4].isdigit() else None
    in_sentence = [m for m in YEAR_RE.finditer(text, s_start, s_end)]
    since = [m for m in in_sentence if m.start() < at and (m["suffix"] == "以来" or (
        m["prefix"] in ("自", "从") and "以来" in text[m.end():at]))]
    own = [m for m in in_sentence if not _comparison(m) and m not in since]
    before = [m for m in own if m.start() < at]
    in_clause = ([m for m in before if c_start <= m.start()]
                 or [m for m in own if c_start <= m.start() < c_end])
    relative = [m for m in RELATIVE_YEAR_RE.finditer(text, s_start, at)]
    if kind == "target":
        return _deadline(in_clause or before, relative, year)
    compared = [m for m in in_sentence if _comparison(m) and m.start() < at]
    present = PRESENT_RE.search(text, s_start, at) or PRESENT_RE.search(text, c_start, c_end)
    if compared and compared[-1]["suffix"] != "同期":
        end = before[-1]["year"] if before else (str(year) if year else None)
        out = {"period_start": compared[-1]["year"]}
        return out | ({"period_end": end} if end else {})
    if since or PLAN_PERIOD_RE.search(text, s_start, at):
        out = {"period_start": since[-1]["year"] if since else "2021"}
        return out | ({"as_of": article_date} if article_date else {})
    if in_clause or before:
        match = (in_clause or before)[-1]
        return _measured_at(match, text[s_start:c_end], article_date)
    if (day := MONTH_DAY_RE.search(text, c_start, c_end)) and year:
        return {"as_of": f"{year}-{int(day['month']):02d}-{int(day['day']):02d}"}
    if relative:
        start, end = _relative(relative[-1], year) if year else (None, None)
        if start:
            return {"period_start": start, "period_end": end}
    if present:
        return {"as_of": article_date} if article_date else {}
    breaks = view.ordered_breaks()
    at_or_before = bisect.bisect_right(breaks, s_start)
    paragraph = breaks[at_or_before - 1] if at_or_before else 0
    before = bisect.bisect_left(breaks, paragraph)
    previous = breaks[before - 1] if before else 0
    for floor in (paragraph, previous):
        floor = max(floor, s_start - LOOKBACK)  # a paragraph's reach, however the text runs
        earlier = [m for m in YEAR_RE.finditer(text, floor, s_start)
                   if not _comparison(m) and m["suffix"] != "以来"]
        if earlier:
            return _measured_at(earlier[-1], text[s_start:c_end], article_date)
    return {"as_of": article_date} if article_date else {}


def _measured_at(match: re.Match[str], clause: str, anchor: str | None) -> dict[str, Any]:
    """A year as a point (截至2024年底, 2024年累计结存) or as the period of a yearly
    figure (2024年基金收入). The year still running on the article's (or its press
    conference's) day is reported as of that day (2025年新增… on 2025-12-26: from 2025
    to that day)."""
    date = _partial(match)
    if date == match["year"] and anchor and len(anchor) == 10 and anchor[:4] == date:
        if FLOW_RE.search(clause) and not STOCK_RE.search(clause):
            return {"as_of": anchor, "period_start": date}
        return {"as_of": anchor}
    if (date != match["year"] or match["prefix"] in ("截至", "截止") or STOCK_RE.search(clause)
            or not FLOW_RE.search(clause)):
        return {"as_of": date}
    return {"period_start": date, "period_end": date}


def _deadline(years: list[re.Match[str]], relative: list[re.Match[str]], year: int | None
              ) -> dict[str, Any]:
    years = [m for m in years if year is None or int(m["year"]) >= year]  # not a past year
    if years:
        return {"deadline": _partial(years[-1])}
    if relative and year:
        start, end = _relative(relative[-1], year)
        if start != end:
            return {"due_start": start, "due_end": end, "deadline": end}
        return {"deadline": start}
    return {"deadline": str(year)} if year else {}
