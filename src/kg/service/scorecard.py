"""`/scorecard?year=`: each task of a year's programme once, its targets, results and
assessment, with who said what where, and a chart of target against result.

A target stated in several articles is one target here (grouped by indicator and
place) listing every statement; differing values are flagged as a conflict, as
are differing results.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from kg.namespaces import HKG
from kg.service.charts import BarPair, number, target_result_chart
from kg.service.negotiation import HTML_OFFER, Offer, negotiate_request
from kg.service.reader import Row, Term
from kg.service.rendering import Page

router = APIRouter()

#: The saved query the page is drawn from (one row per target, or per reported figure).
SCORECARD_QUERY = "task-scorecard"
YEARS = """
SELECT DISTINCT ?year WHERE {
  ?programme a hkg:ServiceTaskProgramme ; hkg:year ?year . ?task dcterms:isPartOf ?programme .
} ORDER BY ?year"""
SCORECARD_OFFERS = (HTML_OFFER, Offer("application/json", "json"))
STATUS_ORDER = ("exceeded", "met", "not-met", "no-result")


@dataclass
class Statement:
    """One article's statement of a target."""

    claim: str
    value: Term
    deadline: Term | None
    event: str | None
    source: str | None
    quote: str | None
    announcers: list[str] = field(default_factory=list)


@dataclass
class Figure:
    claim: str
    value: Term
    unit: str | None
    qualifiers: list[str]
    when: Term | None
    place: str | None
    reporters: list[str]
    source: str | None
    quote: str | None
    indicator: str | None = None
    task: str | None = None


@dataclass
class TargetGroup:
    """A target (indicator and place) with every statement of it and its results."""

    indicator: str | None
    place: str | None
    unit: str | None
    comparator: str | None
    statements: list[Statement] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    results: list[Figure] = field(default_factory=list)

    @property
    def values(self) -> list[Term]:
        return list({s.value.value: s.value for s in self.statements}.values())

    @property
    def conflict(self) -> bool:
        return len({number(s.value.value) for s in self.statements}) > 1

    @property
    def result_conflict(self) -> bool:
        return len({number(r.value.value) for r in self.results}) > 1

    @property
    def status(self) -> str:
        present = [s for s in STATUS_ORDER if s in self.statuses]
        return present[-1] if present else "no-result"


@dataclass
class TaskRow:
    task: str
    number: str
    #: the earlier year's task this one carries on, and the later years' tasks carrying it on
    continues: str | None = None
    continued_by: list[str] = field(default_factory=list)
    groups: list[TargetGroup] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    chart: Any = None

    @property
    def status(self) -> str:
        statuses = {g.status for g in self.groups}
        if not statuses:
            return "none"
        if statuses <= {"met", "exceeded"}:
            return "exceeded" if statuses == {"exceeded"} else "met"
        if "not-met" in statuses:
            return "not-met"
        return "no-result" if statuses == {"no-result"} else "partly"

    @property
    def conflict(self) -> bool:
        return any(g.conflict or g.result_conflict for g in self.groups)


def scorecard(page: Page, year: int) -> list[TaskRow]:
    """The tasks of one programme year, each with its deduplicated targets and results
    (computed once per year and language: the dataset does not change while served)."""
    rows = page.context.memo.remember(("scorecard", year, page.lang),
                                      lambda: build_scorecard(page, year))
    page.labels.load(_iris_of(rows))
    return rows


def programme_years(page: Page) -> list[int]:
    """The years that have a programme with tasks, oldest first."""
    return page.context.memo.remember(("programme-years",), lambda: [
        int(r["year"].value[:4]) for r in page.context.reader.select(YEARS, {})
        if r["year"].value[:4].isdigit()])


def latest_year(page: Page, default: int = 2025) -> int:
    """The most recent programme year (the home page shows its tasks)."""
    years = programme_years(page)
    return years[-1] if years else default


def scorecard_rows(page: Page, year: int) -> list[Row]:
    """The rows of the saved query task-scorecard for a year, in the page's language."""
    context = page.context
    saved = context.catalogue[SCORECARD_QUERY]
    bound = saved.bind({"year": str(year), "lang": page.lang}, context.prefixes)
    return context.reader.select(saved.bound_text(bound))


def build_scorecard(page: Page, year: int) -> list[TaskRow]:
    """Tasks, targets grouped by indicator and place, assessments and figures, from the rows
    of task-scorecard (a row's target columns or its figure columns are bound)."""
    rows = scorecard_rows(page, year)
    by_task: dict[str, TaskRow] = {}
    for r in sorted(rows, key=lambda r: (_number(r["number"].value), r["task"].value)):
        row = by_task.setdefault(r["task"].value, TaskRow(r["task"].value, r["number"].value,
                                                          _v(r, "continues")))
        for later in _list(r, "continuedBy"):
            if later not in row.continued_by:
                row.continued_by.append(later)
    tasks = list(by_task.values())
    statements: dict[str, Statement] = {}
    groups: dict[tuple[str, str | None, str | None], TargetGroup] = {}
    result_claims: dict[str, list[TargetGroup]] = defaultdict(list)
    for row in sorted((r for r in rows if "target" in r), key=lambda r: r["target"].value):
        claim = row["target"].value
        if claim not in statements:
            key = (row["task"].value, _v(row, "indicator") or claim, _v(row, "place"))
            group = groups.get(key)
            if group is None:
                group = groups[key] = TargetGroup(_v(row, "indicator"), _v(row, "place"),
                                                  _v(row, "unit"), _v(row, "comparatorConcept"))
                by_task[key[0]].groups.append(group)
            statements[claim] = Statement(claim, row["targetValue"], row.get("deadline"),
                                          _v(row, "event"), _v(row, "targetSource"),
                                          _v(row, "quote"), sorted(_list(row, "announcers")))
            group.statements.append(statements[claim])
        group = groups[(row["task"].value, _v(row, "indicator") or claim, _v(row, "place"))]
        if "status" in row:
            status = row["status"].value.removeprefix(str(HKG))
            group.statuses.append({"Met": "met", "Exceeded": "exceeded",
                                   "NotMet": "not-met"}.get(status, "no-result"))
        for result in _list(row, "results"):
            if group not in result_claims[result]:
                result_claims[result].append(group)
    figures = collect_figures([r for r in rows if "figure" in r])
    for claim, figure in sorted(figures.items()):
        for group in result_claims.get(claim, []):
            if figure not in group.results:
                group.results.append(figure)
        if claim not in result_claims and figure.task in by_task:
            by_task[figure.task].figures.append(figure)
    page.labels.load(_iris_of(tasks))
    for row in tasks:
        row.chart = task_chart(page, row)
    return tasks


def _number(text: str) -> tuple[int, str]:
    """A task number for sorting: 2 before 10."""
    return (int(text), "") if text.isdigit() else (10**9, text)


def _list(row: Row, name: str) -> list[str]:
    """A column that lists IRIs, space-separated (task-scorecard's concatenations)."""
    term = row.get(name)
    return term.value.split() if term is not None else []


def _v(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def collect_figures(rows: list[Row]) -> dict[str, Figure]:
    """The figure columns of task-scorecard's rows, one Figure per claim."""
    figures: dict[str, Figure] = {}
    for row in rows:
        claim = row["figure"].value
        if claim not in figures:
            figures[claim] = Figure(
                claim, row["figureValue"], _v(row, "figureUnit"),
                sorted(_list(row, "figureQualifiers")), row.get("figureWhen"),
                _v(row, "figurePlace"), sorted(_list(row, "figureReporters")),
                _v(row, "figureSource"), _v(row, "figureQuote"), _v(row, "figureIndicator"),
                row["task"].value)
    return figures


def fold_figures(rows: list[Row]) -> dict[str, Figure]:
    """Figure rows of an entity page (one per qualifier and reporter: columns result,
    value, unit, when, place, source, quote, indicator) folded into one Figure each."""
    figures: dict[str, Figure] = {}
    for row in rows:
        claim = row["result"].value
        figure = figures.get(claim)
        if figure is None:
            figure = figures[claim] = Figure(
                claim, row["value"], _v(row, "unit"), [], row.get("when"), _v(row, "place"), [],
                _v(row, "source"), _v(row, "quote"), _v(row, "indicator"), _v(row, "task"))
        for name, values in (("qualifier", figure.qualifiers), ("reporter", figure.reporters)):
            value = _v(row, name)
            if value and value not in values:
                values.append(value)
    for figure in figures.values():  # rows come in no defined order: every store alike
        figure.qualifiers.sort()
        figure.reporters.sort()
    return figures


def _iris_of(tasks: list[TaskRow]) -> list[str]:
    """Every resource the scorecard names, for one batch of label lookups."""
    out: list[str] = []
    for task in tasks:
        out += [task.task, *task.continued_by, *([task.continues] if task.continues else [])]
        for group in task.groups:
            out += [x for x in (group.indicator, group.place, group.unit, group.comparator) if x]
            for s in group.statements:
                out += [x for x in (s.event, s.source, *s.announcers) if x]
            for f in group.results:
                out += _figure_iris(f)
        for f in task.figures:
            out += _figure_iris(f)
    return out + [str(HKG[s]) for s in ("Met", "Exceeded", "NotMet", "NoResult")]


def _figure_iris(figure: Figure) -> list[str]:
    return [x for x in (figure.unit, figure.place, figure.source, figure.indicator,
                        *figure.qualifiers, *figure.reporters) if x]


def task_chart(page: Page, row: TaskRow) -> Any:
    """Target against result for each target of the task (inline SVG)."""
    pairs = []
    for group in row.groups:
        target = group.statements[0].value
        result = group.results[0].value if group.results else None
        label = page.labels.name(group.indicator) if group.indicator else ""
        if group.place and not group.place.endswith("/region/cn"):
            label = f"{label} · {page.labels.name(group.place)}"
        pairs.append(BarPair(
            label or "", number(target.value), page.quantity(target, group.unit),
            number(result.value) if result else None,
            page.quantity(result, group.results[0].unit, group.results[0].qualifiers)
            if result else page.t("status.no-result"),
            None if group.status == "no-result" else group.status in ("met", "exceeded")))
    return target_result_chart(pairs, page.t("scorecard.chart"), page.t("col.target"),
                               page.t("col.result"))


@router.get("/scorecard", summary="Targets, results and assessment of a year's service tasks",
            tags=["Pages"], response_class=Response, responses={
                200: {"content": {"text/html": {}, "application/json": {}}},
                404: {"description": "No service tasks for that year"},
                406: {"description": "No acceptable format (Accept)"},
                422: {"description": "`year` is not a year"}})
async def scorecard_page(
        request: Request,
        year: Annotated[str, Query(pattern=r"^[0-9]{4}$", description="Programme year")] = "2025",
) -> Response:
    page = Page(request)
    as_json = negotiate_request(request, SCORECARD_OFFERS).format == "json"
    return await page.context.off_loop(lambda: scorecard_response(page, year, as_json))


def scorecard_response(page: Page, year: str, as_json: bool) -> Response:
    """The scorecard page or its JSON (in a page thread: it reads the graph)."""
    rows = scorecard(page, int(year))
    if as_json:
        return scorecard_json(page, rows, int(year))
    return page.render("scorecard.html", {
        "title": page.t("scorecard.title", year=year), "year": year, "rows": rows,
        "years": programme_years(page)},
        status_code=200 if rows else 404, headers={"Vary": "Accept"})


def scorecard_json(page: Page, rows: list[TaskRow], year: int) -> Response:
    body = {"year": year, "tasks": [{
        "task": row.task, "number": row.number, "label": page.labels.name(row.task),
        "status": row.status, "conflict": row.conflict, "continues": row.continues,
        "continuedBy": row.continued_by,
        "targets": [{
            "indicator": g.indicator, "place": g.place, "status": g.status,
            "values": [v.value for v in g.values], "conflict": g.conflict,
            "statements": [{"claim": s.claim, "source": s.source, "announcedBy": s.announcers,
                            "quote": s.quote} for s in g.statements],
            "results": [{"claim": f.claim, "value": f.value.value, "reportedBy": f.reporters,
                         "source": f.source, "quote": f.quote} for f in g.results],
        } for g in row.groups],
    } for row in rows]}
    return Response(json.dumps(body, ensure_ascii=False).encode(), media_type="application/json",
                    headers={"Vary": "Accept"}, status_code=200 if rows else 404)
