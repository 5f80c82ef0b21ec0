"""The derived graph: each target assessed against the results reported for it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from kg.datafiles import CuratedData
from kg.iris import IriMinter
from kg.namespaces import HKG, bind_prefixes
from kg.rdf import value_literal
from kg.records import FactFile, MeasurementClaim, TargetClaim, date_span

STATUS_TERMS = {
    "met": HKG.Met,
    "exceeded": HKG.Exceeded,
    "not-met": HKG.NotMet,
    "no-result": HKG.NoResult,
}
STATUS_LABELS = {
    "met": ("已完成", "met"),
    "exceeded": ("超额完成", "exceeded"),
    "not-met": ("未完成", "not met"),
    "no-result": ("尚无结果", "no result yet"),
}
#: worst first: when results on the same date disagree, the most cautious status wins
STATUS_ORDER = ("not-met", "met", "exceeded")


@dataclass(frozen=True)
class Result:
    """A measurement that may answer a target, with the source it comes from."""

    source_id: str
    claim: MeasurementClaim
    date: str


@dataclass(frozen=True)
class Assessment:
    source_id: str
    target: TargetClaim
    status: str
    used: tuple[Result, ...]
    explanation: dict[str, str]
    """How the status was reached, in zh and en."""


def compare(target: TargetClaim, result: MeasurementClaim) -> str:
    """Status of one result against one target: met, exceeded or not-met.

    'over' (超, 余, 以上) makes the reported value a strict lower bound, 'nearly'
    (近) a strict upper bound; 'about' is taken at face value.
    """
    if isinstance(target.value, bool) or isinstance(result.value, bool):
        return "met" if result.value == target.value else "not-met"
    goal, value = Decimal(target.value), Decimal(result.value)
    above = "over" in result.qualifiers
    below = "nearly" in result.qualifiers
    match target.comparator:
        case ">=" | ">":
            if value > goal:
                return "exceeded"
            if value == goal and ((target.comparator == ">=" and not below) or above):
                return "met"
            return "not-met"
        case "<=" | "<":
            if value < goal:
                return "exceeded"
            if value == goal and ((target.comparator == "<=" and not above) or below):
                return "met"
            return "not-met"
    return "met" if value == goal and not (above or below) else "not-met"


def result_date(facts: FactFile, claim: MeasurementClaim, data: CuratedData) -> str:
    """The date a result refers to: as-of, else end of period, else when it was reported."""
    if claim.as_of or claim.period_end:
        return claim.as_of or claim.period_end  # type: ignore[return-value]
    if claim.date:
        return claim.date
    if claim.event:
        return data.entities[claim.event].start  # type: ignore[attr-defined]
    return facts.source.published


def target_date(facts: FactFile, claim: TargetClaim, data: CuratedData) -> str:
    """When a target was set: as stated, else its event's date, else its source's date."""
    if claim.date:
        return claim.date
    if claim.event:
        return data.entities[claim.event].start  # type: ignore[attr-defined]
    return facts.source.published


def assess_targets(data: CuratedData) -> list[Assessment]:
    """Assess every target against results on the same indicator and place reported for a
    date on or after the target was set (an earlier figure is a baseline, not a result:
    a 2026 target of new places is not met by the places added in 2025)."""
    results: dict[tuple[str, str], list[Result]] = {}
    for source_id, facts in data.facts.items():
        for claim in facts.claims:
            if isinstance(claim, MeasurementClaim) and claim.figure is None:
                date = result_date(facts, claim, data)
                results.setdefault((claim.indicator, claim.place), []).append(
                    Result(source_id, claim, date)
                )
    out = []
    for source_id, facts in sorted(data.facts.items()):
        for claim in facts.claims:
            if isinstance(claim, TargetClaim):
                since = date_span(target_date(facts, claim, data))[0]
                found = [r for r in results.get((claim.indicator, claim.place), [])
                         if date_span(r.date)[1] >= since]
                out.append(assess(source_id, claim, found))
    return out


def assess(source_id: str, target: TargetClaim, candidates: list[Result]) -> Assessment:
    if not candidates:
        return Assessment(source_id, target, "no-result", (), {
            "zh": "设定目标以来尚无结果报告。",
            "en": "No result reported yet for a date since the target was set."})
    latest = max(r.date for r in candidates)
    used = tuple(sorted((r for r in candidates if r.date == latest),
                        key=lambda r: (r.source_id, r.claim.id)))
    statuses = {compare(target, r.claim) for r in used}
    status = min(statuses, key=STATUS_ORDER.index)
    figures = "; ".join(f"{_fmt(r.claim.value)} ({r.source_id}/{r.claim.id}, {r.date})"
                        for r in used)
    split = len(statuses) > 1
    goal = f"{target.comparator} {_fmt(target.value)}"
    explanation = {
        "zh": f"目标 {goal}；最新结果：{figures}。"
              + ("结果不一致，取最保守的评估。" if split else ""),
        "en": f"Target {goal}; latest result(s): {figures}."
              + (" Results disagree; the most cautious status is kept." if split else "")}
    return Assessment(source_id, target, status, used, explanation)


def _fmt(value: Decimal | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else format(value, "f")


def derived_graph(data: CuratedData, minter: IriMinter) -> Graph:
    """RDF of all assessments (the 'derived' named graph)."""
    g = Graph()
    bind_prefixes(g.namespace_manager, minter.base)
    for a in assess_targets(data):
        s = minter.assessment(a.source_id, a.target.id)
        target = minter.claim(a.source_id, a.target.id)
        zh, en = STATUS_LABELS[a.status]
        indicator = data.entities[a.target.indicator]
        g.add((s, RDF.type, HKG.Assessment))
        g.add((s, HKG.assesses, target))
        g.add((s, HKG.status, STATUS_TERMS[a.status]))
        g.add((s, HKG.targetValue, value_literal(a.target.value)))
        g.add((s, RDFS.label, Literal(f"评估：{indicator.name_zh}（{zh}）", lang="zh")))
        g.add((s, RDFS.label, Literal(f"Assessment: {indicator.name_en} ({en})", lang="en")))
        for lang, text in a.explanation.items():
            g.add((s, HKG.explanation, Literal(text, lang=lang)))
        for r in a.used:
            g.add((s, HKG.basedOn, minter.claim(r.source_id, r.claim.id)))
        if a.used:
            g.add((s, HKG.resultValue, value_literal(a.used[0].claim.value)))
    return g
