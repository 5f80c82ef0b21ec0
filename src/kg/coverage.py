"""Coverage: which numbers, dates, 《titles》 and pledges in a source no claim records.

`scan_expressions` finds the fact-bearing expressions of a text (a pure function).
A date or title is *covered* when it lies inside an occurrence of one of the source's
evidence quotes (or of its headline, ``title_zh``, which the graph records verbatim).
A number (kinds ``number``, ``cn-number``, ``quoted``) is covered only when a claim
whose quote contains it *holds its value* (as ``value`` or ``value_max``) or
references an entity whose name contains it (``15分钟医疗圈``, ``第一版丙类药品目录``):
a number that merely sits inside a quote is not. A *cue* of a target or pledge
(要, 将, 确保, 力争, 底线, 不发生; see `scan_cues`) is covered when it lies inside a
claim's quote. An expression is *ignored* when it lies inside an occurrence of an
entry of the source's ignore list (``data/coverage/NNN.yaml``: page furniture such as
the price, address or phone lines, each with its reason), and *uncovered* otherwise.

Kinds of expression:

* ``number`` -- Arabic numbers (half- or full-width digits), with decimals, thousands
  separators, ranges (3-5, 3～5, 3至5), multipliers (万 亿 千 百 万亿) and %/‰.
* ``date`` -- 2025年, 2025年3月, 12月26日, 4月12日至13日, 2022—2024年, the Chinese
  digit-by-digit year 二〇二五(年), and five-year-plan periods 十四五 / 十五五.
* ``cn-number`` -- Chinese numerals used as numbers; see the rule below.
* ``title`` -- a whole 《...》 span (on one line).
* ``quoted`` -- a quoted string that is only a number: “12356”, "12356", ‘12356’.

An expression inside a longer one (the year inside a 《title》, the digits inside a
date) is not reported separately.

Rule for Chinese numerals. A run of 零〇一二三四五六七八九十百千万亿两 (enumerations
such as 二、三 included) is a number when

1. a classifier or unit follows it (八件, 二、三级, 九成, 五个, 二十届, 三十多年,
   四中全会; one space or line break may sit in between, as the page layout leaves
   them), or
2. it forms a fraction (三分之一, 百分之三十), or
3. it is a digit-by-digit year (二〇二五), or
4. it follows 第 (ordinal: 第一版, 第一次, 第十五个) -- ordinals are facts.

Exceptions, because these are words rather than quantities:

* a lone 一 before a classifier is the indefinite article or an idiom (一个环境,
  一种状态, 一名患者, 一刀切, 一盘棋, 一件事, 一年来, 一级调研员); it counts only
  after a quantity cue such as 至少(有), 仅, 只, 超过, 近, 约 (至少有一家医院);
* runs of 百/千/万/亿 alone are idioms or rate denominators (百姓, 千家万户, 进万家,
  亿万群众, 每千人口), never counted;
* 一 ending a word (统一, 唯一, 同一, 逐一, 专一, 单一, 划一) does not start a run;
  words with 一 before a non-classifier (一些, 一般, 一起, 一体化, 一线, 一致, 一站式,
  一老一小, 一县一策, 进一步) never match rule 1;
* ordinals that are part of an institution's name (第五人民医院, 第二附属医院) and
  the idiom 第一时间 are names, not facts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from kg.errors import DataError, Problem
from kg.yamlreader import YamlFileError, read_yaml_file

CONTEXT_CHARS = 15
NEWLINE_MARK = "⏎"

# ---------------------------------------------------------------- patterns

_D = "0-9０-９"
_NUM = rf"[{_D}]{{1,3}}(?:,[{_D}]{{3}})+(?![{_D}])|[{_D}]+(?:[.．][{_D}]+)?"
_MULT = r"(?:万亿|亿|万|千|百)"
_PCT = r"[%‰％]"
_NUMX = rf"(?:{_NUM})(?:\s?{_MULT})?(?:\s?{_PCT})?"
_DASH = r"[-–—~～至到]"
NUMBER_RE = re.compile(rf"(?<![{_D}.．]){_NUMX}(?:\s?{_DASH}\s?{_NUMX})?")

_Y = rf"[{_D}]{{4}}\s?年"
_M = rf"[{_D}]{{1,2}}\s?月"
_DAY = rf"[{_D}]{{1,2}}\s?[日号]"
_DATE_PART = rf"(?:{_Y}(?:\s?{_M}(?:\s?{_DAY})?)?|{_M}(?:\s?{_DAY})?)"
DATE_RE = re.compile(
    rf"(?<![{_D}.．])(?:[{_D}]{{4}}\s?{_DASH}\s?{_Y}"
    rf"|{_DATE_PART}(?:\s?{_DASH}\s?(?:{_DATE_PART}|{_DAY}))?)"
)

TITLE_RE = re.compile(r"《[^《》\n]{1,100}》")
QUOTED_RE = re.compile(
    rf"“\s?[{_D}]+(?:[-–—][{_D}]+)*\s?”|‘\s?[{_D}]+(?:[-–—][{_D}]+)*\s?’"
    rf"|\"\s?[{_D}]+(?:[-–—][{_D}]+)*\s?\"|「\s?[{_D}]+\s?」"
)

_CN = "零〇一二三四五六七八九十百千万亿两"
_CN_DIGITS = "零〇一二三四五六七八九"
_CN_RUN = rf"[{_CN}]+(?:、[{_CN}]+)*"
#: characters that end a word in which a numeral is not a number (统一, 唯一, ...)
_WORD_ENDS_BEFORE = "统唯同逐专单划"
#: classifiers and units, longest first so that 批次 wins over 批
CLASSIFIERS = (
    "中全会", "方面", "批次", "场次", "人次", "个月", "周年", "小时", "分钟", "公里",
    "平方米", "毫升", "千克", "大类", "件", "个", "项", "场", "批", "期", "家", "所",
    "名", "位", "人", "次", "年", "月", "日", "号", "种", "类", "条", "张", "台", "床",
    "岁", "倍", "成", "级", "层", "轮", "届", "元", "户", "座", "套", "份", "篇", "部",
    "本", "支", "株", "周", "天", "米", "克", "吨", "亩", "省", "市", "县", "区", "国",
    "例", "笔", "款", "组", "栋", "间", "块", "起", "步", "大", "句", "章", "版", "册",
)
_UNIT = "|".join(re.escape(c) for c in CLASSIFIERS) + "|重(?![要点视大新庆])"
CN_NUMBER_RE = re.compile(
    rf"(?<![{_CN}{_D}])(?:(?P<ord>第)|(?<![{_WORD_ENDS_BEFORE}第]))"
    rf"(?P<run>{_CN_RUN}(?:[至到~～—-]{_CN_RUN})?)"
    rf"(?:\s?(?P<unit>[余多来几]?(?:{_UNIT})))?"
)
CN_FRACTION_RE = re.compile(rf"(?<![{_CN}])[{_CN}]+分之[{_CN}]+")
PLAN_PERIOD_RE = re.compile(rf"(?<![{_CN}])十[一二三四五六七八九]五(?![{_CN}])")
#: before a lone 一, these make it a count (至少有一家医院), whitespace ignored
LONE_ONE_CUES = re.compile(
    r"(?:至少|最少|至多|最多|仅|只|超过|超|不足|不到|近|约|逾|共|满|不少于|多于)有?$"
)
INSTITUTION_AFTER_ORDINAL = re.compile(
    r"(?:附属|人民|中心|中医|妇幼|儿童|妇女)*(?:医院|总院|中学|小学|大学|研究所)"
)


@dataclass(frozen=True, order=True)
class Expression:
    """A fact-bearing expression at [start, end) of a source text."""

    start: int
    end: int
    kind: str
    text: str

    def context(self, source: str, width: int = CONTEXT_CHARS) -> str:
        """The expression with `width` characters either side, newlines shown as ⏎."""
        snippet = source[max(0, self.start - width) : self.end + width]
        return snippet.replace("\r", "").replace("\n", NEWLINE_MARK)


def _cn_numbers(text: str) -> Iterator[Expression]:
    for match in CN_NUMBER_RE.finditer(text):
        run, unit, ordinal = match["run"], match["unit"], match["ord"]
        start, end = match.start(), match.end()
        after_run = match.end("run")  # an offset: slicing the rest of the text for each
        if len(run) == 4 and all(c in _CN_DIGITS for c in run):  # numeral made this quadratic
            end = after_run + (1 if text.startswith("年", after_run) else 0)
            yield Expression(start, end, "date", text[start:end])
            continue
        if all(c in "百千万亿" for c in run.replace("、", "")):
            continue
        if ordinal:
            if INSTITUTION_AFTER_ORDINAL.match(text, after_run) or (
                run == "一" and text.startswith("时间", after_run)
            ):
                continue
        elif unit is None:
            continue
        elif run == "一":
            before = re.sub(r"\s", "", text[max(0, start - 8) : start])
            if not LONE_ONE_CUES.search(before):
                continue
        yield Expression(start, end, "cn-number", text[start:end])


def _matches(pattern: re.Pattern[str], kind: str, text: str) -> Iterator[Expression]:
    for match in pattern.finditer(text):
        yield Expression(match.start(), match.end(), kind, match[0])


def scan_expressions(text: str) -> list[Expression]:
    """Every number, date, Chinese numeral, 《title》 and quoted number in text, in order.

    An expression lying inside another (a year inside a title) is left out.
    """
    found = [
        *_matches(TITLE_RE, "title", text),
        *_matches(QUOTED_RE, "quoted", text),
        *_matches(DATE_RE, "date", text),
        *_matches(PLAN_PERIOD_RE, "date", text),
        *_matches(CN_FRACTION_RE, "cn-number", text),
        *_cn_numbers(text),
        *_matches(NUMBER_RE, "number", text),
    ]
    found.sort(key=lambda e: (e.start, -e.end))
    kept: list[Expression] = []
    widest_end = -1
    for expr in found:
        if expr.end <= widest_end:
            continue  # inside (or equal to) an expression already kept
        kept.append(expr)
        widest_end = expr.end
    return kept


#: words that announce a target, a plan or a pledge; 要 and 将 only as verbs
CUE_RE = re.compile(
    r"确保|力争|底线|不发生"
    r"|(?<![重主需必只纪摘首紧想])(?<![重主需必只纪摘首紧想]\s)要(?![素点闻害职])"
    r"|将(?!心比心)"
)
NUMERIC_KINDS = ("number", "cn-number", "quoted")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_CN_UNIT_TAIL = re.compile(rf"[余多来几]?(?:{_UNIT})$")


def scan_cues(text: str) -> list[Expression]:
    """Every cue word of a target, plan or pledge in text (kind ``cue``), in order."""
    return list(_matches(CUE_RE, "cue", text))


_TAIL_MULT = re.compile(r"^\**\s?[余多]?\s?(万亿|亿|万|千|百)")


def expression_values(expr: Expression, after: str = "") -> set[Decimal]:
    """The values an expression states: both ends of a range, each of an enumeration.

    九成 also yields 90 (a percentage); 第一 yields 1; 260 followed by 余万 (`after`,
    the text after the expression) yields 2600000. Empty when nothing parses.
    """
    from kg.quantities import MULTIPLIERS

    if expr.kind == "number" and (tail := _TAIL_MULT.match(after)):
        factor = Decimal(MULTIPLIERS[tail[1]])
        return {v * factor for v in expression_values(expr)}
    from kg.quantities import chinese_integer, parse_quantity

    text = re.sub(r"\s", "", expr.text).translate(_FULL_WIDTH).strip("“”‘’\"「」")
    values: set[Decimal] = set()
    if expr.kind == "cn-number":
        text = text.removeprefix("第")
        if "分之" in text:
            return {parse_quantity(text)}  # type: ignore[arg-type]
        tenths = text.endswith("成")
        text = _CN_UNIT_TAIL.sub("", text)
        for part in re.split(r"[、至到~～—-]", text):
            try:
                number = Decimal(chinese_integer(part))
            except ValueError:
                continue
            values.add(number)
            if tenths:
                values.add(number * 10)
        return values
    for part in re.split(r"(?<=[0-9%‰万亿千百])[-–—~～至到]", text):
        try:
            value = parse_quantity(part.rstrip("%‰"))
        except ValueError:
            continue
        if isinstance(value, Decimal):
            values.add(value)
    return values


def _same(a: Decimal, b: Decimal) -> bool:
    return a == b or (b != 0 and abs(a - b) / abs(b) < Decimal("0.0001"))


# ---------------------------------------------------------------- coverage


def occurrences(text: str, snippet: str) -> list[tuple[int, int]]:
    """Spans [start, end) of every (possibly overlapping) occurrence of snippet in text."""
    spans = []
    start = text.find(snippet)
    while snippet and start >= 0:
        spans.append((start, start + len(snippet)))
        start = text.find(snippet, start + 1)
    return spans


def _inside(expr: Expression, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= expr.start and expr.end <= e for s, e in spans)


@dataclass
class SourceCoverage:
    """The coverage of one source's expressions by its claims and ignore list."""

    id: str
    file: str
    text: str
    expressions: list[Expression]
    covered: list[Expression] = field(default_factory=list)
    ignored: list[Expression] = field(default_factory=list)
    uncovered: list[Expression] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "expressions": len(self.expressions),
            "covered": len(self.covered),
            "ignored": len(self.ignored),
            "uncovered": [
                {"start": e.start, "end": e.end, "kind": e.kind, "text": e.text,
                 "context": e.context(self.text)}
                for e in self.uncovered
            ],
        }


@dataclass(frozen=True)
class Holder:
    """What one claim records at its quote's span: values, and names of what it references."""

    start: int
    end: int
    values: frozenset[Decimal] = frozenset()
    names: tuple[str, ...] = ()

    def holds(self, expr: Expression, text: str = "") -> bool:
        """True when this claim's quote contains expr and the claim records it."""
        if not (self.start <= expr.start and expr.end <= self.end):
            return False
        stated = expression_values(expr, text[expr.end : expr.end + 4])
        if any(_same(v, h) for v in stated for h in self.values):
            return True
        bare = re.sub(r"\s", "", expr.text).strip("“”‘’\"「」")
        return any(bare in name for name in self.names)


def classify(
    source_id: str,
    file: str,
    text: str,
    quote_spans: Iterable[tuple[int, int]],
    ignore_spans: Iterable[tuple[int, int]],
    holders: Iterable[Holder] | None = None,
) -> SourceCoverage:
    """Sort a text's expressions and cues into covered, ignored and uncovered.

    With `holders`, a number is covered only by a claim that holds it; without,
    by any quote containing it (the lenient rule, for texts without claims).
    """
    quote_spans, ignore_spans = list(quote_spans), list(ignore_spans)
    holder_list = None if holders is None else list(holders)
    expressions = sorted([*scan_expressions(text), *scan_cues(text)])
    report = SourceCoverage(source_id, file, text, expressions)
    for expr in report.expressions:
        if holder_list is not None and expr.kind in NUMERIC_KINDS:
            covered = any(h.holds(expr, text) for h in holder_list)
        else:
            covered = _inside(expr, quote_spans)
        if covered:
            report.covered.append(expr)
        elif _inside(expr, ignore_spans):
            report.ignored.append(expr)
        else:
            report.uncovered.append(expr)
    return report


def claim_holders(data: Any, facts: Any, text: str, offsets: dict[Any, tuple[int, int]]
                  ) -> list[Holder]:
    """One holder per occurrence of each claim's quote, with the claim's values and names."""
    holders = []
    for claim in facts.claims:
        values = {getattr(claim, f, None) for f in ("value", "value_max")}
        numbers = frozenset(v for v in values if isinstance(v, Decimal))
        names: list[str] = []
        for field_name, ref, _kinds in claim.references():
            entity = data.entities.get(ref)
            if entity is not None:
                names += [re.sub(r"\s", "", n) for n in (entity.name_zh, *entity.aliases_zh)]
                number = getattr(entity, "number", None)
                if field_name == "about" and isinstance(number, int):
                    numbers |= {Decimal(number)}  # a task's number, where a claim names the task
        spans = occurrences(text, claim.evidence) or [offsets[(facts.source.id, claim.id)]]
        holders += [Holder(s, e, numbers, tuple(names)) for s, e in spans]
    return holders


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir.parent))
    except ValueError:
        return str(path)


def load_ignores(
    path: Path, name: str, text: str, source_file: str, problems: list[Problem]
) -> list[tuple[int, int]]:
    """Spans of every occurrence of every entry of one ignore list in the source text.

    Problems (added to `problems`, in entry order): a file that is not a list of
    {text, reason}, an entry without a reason, an entry whose text is not in the
    source, an entry that contains no expression (nothing to ignore).
    """
    if not path.is_file() or not path.read_bytes().strip():
        return []
    try:
        document = read_yaml_file(path)
    except YamlFileError as exc:
        problems.append(Problem(name, None, str(exc)))
        return []
    raw = document.data
    for where, reason in document.findings:
        label = f"#{where[0] + 1}" if where and isinstance(where[0], int) else None
        field = ".".join(str(p) for p in where[1:])
        problems.append(Problem(name, label, f"{field}: {reason}" if field else reason))
    if document.findings:
        return []
    if not isinstance(raw, list):
        problems.append(Problem(name, None, "expected a list of {text, reason} entries"))
        return []
    expressions = [*scan_expressions(text), *scan_cues(text)]
    spans: list[tuple[int, int]] = []
    for index, item in enumerate(raw):
        label = f"#{index + 1}"
        if not isinstance(item, dict):
            problems.append(Problem(name, label, "expected a mapping with 'text' and 'reason'"))
            continue
        if extra := sorted(map(str, set(item) - {"text", "reason"})):
            problems.append(Problem(name, label, f"unknown field(s): {', '.join(extra)}"))
        snippet, reason = item.get("text"), item.get("reason")
        if not isinstance(snippet, str) or not snippet:
            problems.append(Problem(name, label, "'text' must be a non-empty string"))
            continue
        if not isinstance(reason, str) or not reason.strip():
            problems.append(Problem(name, label, f"no 'reason' given for {snippet!r}"))
        found = occurrences(text, snippet)
        if not found:
            problems.append(
                Problem(name, label, f"text not found verbatim in {source_file}: {snippet!r}")
            )
        elif not any(_inside(e, found) for e in expressions):
            problems.append(
                Problem(name, label, f"ignores no number, date, title or cue (nothing to ignore): "
                        f"{snippet!r}")
            )
        spans.extend(found)
    return spans


def compute_coverage(
    sources: Iterable[str] = (), data_dir: Path | None = None, seeds: Path | None = None,
    corpus: Path | None = None,
) -> list[SourceCoverage]:
    """Coverage of the given sources (default: every fact file); DataError on bad input."""
    from kg.checks import check_curated
    from kg.datafiles import load_curated
    from kg.sources import find_source, metadata_spans, read_source_text, source_folders

    data = load_curated(data_dir)
    data_dir = data.data_dir
    wanted = list(dict.fromkeys(sources)) or sorted(data.facts)
    unknown = [s for s in wanted if s not in data.facts]
    if unknown:
        known = ", ".join(sorted(data.facts)) or "none"
        raise DataError([Problem("--source", None, f"unknown source id {s!r} (known: {known})")
                         for s in unknown])
    offsets = check_curated(data, seeds, corpus)
    folders = source_folders(seeds, corpus)
    ignore_dir = data_dir / "coverage"

    problems: list[Problem] = []
    for path in sorted(ignore_dir.glob("*.yaml")):
        if path.stem not in data.facts:
            problems.append(Problem(_relative(path, data_dir), None,
                                    f"no fact file for source {path.stem!r}"))
    reports = []
    for source_id in wanted:
        facts = data.facts[source_id]
        path = find_source(facts.source.file, folders)
        assert path is not None  # check_curated has found it
        text = read_source_text(path)
        quote_spans = [offsets[(source_id, c.id)] for c in facts.claims]
        for quote in {c.evidence for c in facts.claims} | {facts.source.title_zh}:
            quote_spans.extend(occurrences(text, quote))
        path = ignore_dir / f"{source_id}.yaml"
        name = _relative(path, data_dir)
        ignore_spans = load_ignores(path, name, text, facts.source.file, problems)
        ignore_spans += metadata_spans(text)  # URL:, DATE: lines and [PARTIAL] markers
        holders = claim_holders(data, facts, text, offsets)
        reports.append(
            classify(source_id, facts.source.file, text, quote_spans, ignore_spans, holders)
        )
    if problems:
        raise DataError(problems)
    return reports


# ---------------------------------------------------------------- output


def render_json(reports: list[SourceCoverage]) -> str:
    return json.dumps(
        {
            "sources": [r.as_dict() for r in reports],
            "uncovered_total": sum(len(r.uncovered) for r in reports),
        },
        ensure_ascii=False,
        indent=2,
    )


def render_text(reports: list[SourceCoverage]) -> str:
    lines = [f"{'source':<8}{'expressions':>12}{'covered':>9}{'ignored':>9}{'uncovered':>11}  file"]
    for r in reports:
        lines.append(f"{r.id:<8}{len(r.expressions):>12}{len(r.covered):>9}"
                     f"{len(r.ignored):>9}{len(r.uncovered):>11}  {r.file}")
    for r in reports:
        if not r.uncovered:
            continue
        lines += ["", f"{r.id}: {len(r.uncovered)} uncovered",
                  f"  {'offset':>6}  {'kind':<10} expression | context"]
        for e in r.uncovered:
            shown = e.text.replace("\n", NEWLINE_MARK)
            lines.append(f"  {e.start:>6}  {e.kind:<10} {shown} | {e.context(r.text)}")
    total = sum(len(r.uncovered) for r in reports)
    lines += ["", f"{total} uncovered expression(s) in {len(reports)} source(s)"]
    return "\n".join(lines)


def coverage_main(
    sources: tuple[str, ...], as_json: bool, data_dir: Path | None, seeds: Path | None,
    corpus: Path | None = None,
) -> int:
    """Print the coverage report; 1 when any expression is uncovered, else 0."""
    reports = compute_coverage(sources, data_dir, seeds, corpus)
    click.echo(render_json(reports) if as_json else render_text(reports))
    return 1 if any(r.uncovered for r in reports) else 0
