"""Tidy tables for spreadsheet users: targets, measurements, posts, assessments.

One row per claim (or assessment), one column per variable, every entity named in
Chinese (``_zh``) and English (``_en``; pinyin for people). Each table is one
SPARQL SELECT over the store, so the tables follow the graph, never the YAML.
Served under ``/downloads/tables/`` as CSV (UTF-8 with a BOM, which Excel needs
to read Chinese), as one XLSX workbook, and described by a Frictionless
Tabular Data Package (``datapackage.json``).

Both are headed in Chinese and in English: the workbook by two rows of column titles
(zh, en; the field names are on its "fields" sheet), each CSV file by those two rows
and then the field names, which the package declares its header (the two rows of
titles are comment rows to it). The workbook's cells are typed: numbers are numbers,
dates are dates (a year or a month as its first day, shown as precisely as the source
gives it), and each column is as wide as its longest text, within limits.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from kg.service.context import ServiceContext, get_context
from kg.service.problems import NotFound

router = APIRouter(prefix="/downloads/tables", tags=["Downloads"])

PACKAGE_NAME = "cn-health-kg-tables"
WORKBOOK = f"{PACKAGE_NAME}.xlsx"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_NOTE = "ISO 8601 year, year-month or date, as precise as the source"
DATE_PATTERN = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
_DATE = re.compile(f"^{DATE_PATTERN}$")
#: Excel's display format for a date of each precision (ISO 8601 order).
DATE_FORMATS = {4: "yyyy", 7: "yyyy-mm", 10: "yyyy-mm-dd"}
TITLE_ROWS = 2
"""Rows of column titles above the data (zh, en); in CSV the field names follow."""
MIN_WIDTH, MAX_WIDTH = 8, 60

Select = Callable[[str], list[dict[str, str | None]]]


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type (string, number, integer, boolean), or "date" (see below)
    zh: str
    en: str
    description: str = ""

    @property
    def schema_type(self) -> str:
        """The Table Schema type: a date of varying precision is a string of a pattern."""
        return "string" if self.type == "date" else self.type


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    description: str
    fields: tuple[Field, ...]
    where: str
    """The WHERE body; ?id is the row's resource, other variables feed the columns."""
    select: str
    """The projection (aggregates over ?id), one expression per field, in field order."""
    foreign_keys: tuple[dict[str, Any], ...] = ()

    def sparql(self, data_base: str, prefixes: dict[str, str]) -> str:
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        where = self.where.replace("{SOURCE}", f"{data_base}source/")
        return f"{head}SELECT ?id {self.select}\nWHERE {{\n{where}\n}}\nGROUP BY ?id\nORDER BY ?id"


def named(var: str, out: str) -> str:
    """OPTIONAL patterns giving ?{out}Zh0, ?{out}En0 (English, else pinyin) for ?{var}."""
    return (f"  OPTIONAL {{ ?{var} rdfs:label ?{out}Zh0 FILTER(LANG(?{out}Zh0) = \"zh\") }}\n"
            f"  OPTIONAL {{ ?{var} rdfs:label ?{out}L0 "
            f"FILTER(LANGMATCHES(LANG(?{out}L0), \"en\")) }}\n"
            f"  OPTIONAL {{ ?{var} hkg:pinyin ?{out}Py0 }}\n"
            f"  BIND(COALESCE(?{out}L0, ?{out}Py0, ?{out}Zh0) AS ?{out}En0)\n")


def sample(out: str) -> str:
    return f"(SAMPLE(?{out}Zh0) AS ?{out}_zh) (SAMPLE(?{out}En0) AS ?{out}_en)"


def joined(out: str) -> str:
    return (f"(GROUP_CONCAT(DISTINCT ?{out}Zh0; separator=\"; \") AS ?{out}_zh) "
            f"(GROUP_CONCAT(DISTINCT ?{out}En0; separator=\"; \") AS ?{out}_en)")


def pair(name: str, zh: str, en: str, what: str) -> tuple[Field, Field]:
    return (Field(f"{name}_zh", "string", f"{zh}", f"{en} (Chinese)", f"{what}, in Chinese"),
            Field(f"{name}_en", "string", f"{zh}（英文）", f"{en}",
                  f"{what}, in English (people: pinyin)"))


def value_fields(name: str, zh: str, en: str, what: str) -> tuple[Field, Field]:
    """A value split by kind, so each column has one type: a number, or a yes/no."""
    return (Field(name, "number", zh, en, f"{what} (empty when the value is yes/no)"),
            Field(f"{name}_boolean", "boolean", f"{zh}（是/否）", f"{en} (yes/no)",
                  f"{what}, when it is yes/no (e.g. 'abolished'): true or false"))


def value_where(predicate: str, name: str) -> str:
    return (f"  OPTIONAL {{ ?id {predicate} ?{name}N0 FILTER(isNumeric(?{name}N0)) }}\n"
            f"  OPTIONAL {{ ?id {predicate} ?{name}B0 "
            f"FILTER(DATATYPE(?{name}B0) = xsd:boolean) }}\n")


def value_select(name: str) -> str:
    return f"(SAMPLE(?{name}N0) AS ?{name}) (SAMPLE(?{name}B0) AS ?{name}_boolean)"


ID = Field("id", "string", "标识", "ID", "IRI of the claim; dereferences to its page")
SOURCE = (Field("source", "string", "来源编号", "Source", "Number of the source article"),
          Field("source_title", "string", "来源标题", "Source title", "Title of the article"),
          Field("quote", "string", "原文引语", "Quote", "Verbatim evidence from the article"))
SOURCE_WHERE = ("  ?id prov:wasDerivedFrom ?src .\n"
                "  BIND(STRAFTER(STR(?src), \"{SOURCE}\") AS ?src0)\n"
                "  OPTIONAL { ?src dcterms:title ?srcTitle0 }\n"
                "  OPTIONAL { ?id hkg:evidence/oa:exact ?quote0 }\n")
SOURCE_SELECT = ("(SAMPLE(?src0) AS ?source) (SAMPLE(?srcTitle0) AS ?source_title) "
                 "(SAMPLE(?quote0) AS ?quote)")
TASK = (Field("task_number", "integer", "任务序号", "Task number",
              "Number of the service task in its programme"),
        *pair("task", "任务", "Task", "The service task"))
TASK_WHERE = ("  OPTIONAL { ?id hkg:forTask ?task . OPTIONAL { ?task hkg:taskNumber ?taskNo0 }\n"
              + named("task", "task") + "  }\n")
TASK_SELECT = f"(SAMPLE(?taskNo0) AS ?task_number) {sample('task')}"
QUANTITY = (Field("indicator", "string", "指标标识", "Indicator ID", "IRI of the indicator"),
            *pair("indicator", "指标", "Indicator", "What is counted"),
            *value_fields("value", "数值", "Value", "The figure, in the unit"),
            *pair("unit", "单位", "Unit", "Unit of the value"),
            *pair("place", "地区", "Place", "Region the figure is about"))
QUANTITY_WHERE = ("  ?id hkg:indicator ?ind .\n" + value_where("hkg:value", "value")
                  + named("ind", "indicator")
                  + "  OPTIONAL { ?id hkg:unit ?unit .\n" + named("unit", "unit") + "  }\n"
                  + "  OPTIONAL { ?id hkg:place ?place .\n" + named("place", "place") + "  }\n")
QUANTITY_SELECT = (f"(SAMPLE(?ind) AS ?indicator) {sample('indicator')} "
                   f"{value_select('value')} {sample('unit')} {sample('place')}")

TABLES: tuple[Table, ...] = (
    Table(
        "targets", "目标", "Targets",
        "Each target a source states: indicator, comparator, value, deadline, who announced it.",
        (ID, *TASK, *QUANTITY,
         Field("comparator", "string", "比较", "Comparator",
               "How the value bounds the result: >=, >, =, <=, <"),
         Field("deadline", "date", "期限", "Deadline", DATE_NOTE),
         *pair("announced_by", "宣布者", "Announced by", "Who announced the target"),
         *SOURCE),
        "  ?id a hkg:Target .\n" + TASK_WHERE + QUANTITY_WHERE
        + "  OPTIONAL { ?id hkg:comparator/skos:notation ?comparator0 }\n"
        + "  OPTIONAL { ?id hkg:deadline ?deadline0 }\n"
        + "  OPTIONAL { ?id hkg:announcedBy ?announcer .\n" + named("announcer", "announcer")
        + "  }\n" + SOURCE_WHERE,
        f"{TASK_SELECT} {QUANTITY_SELECT} (SAMPLE(?comparator0) AS ?comparator) "
        f"(SAMPLE(STR(?deadline0)) AS ?deadline) "
        f"{joined('announcer').replace('?announcer_', '?announced_by_')} {SOURCE_SELECT}",
    ),
    Table(
        "measurements", "数据", "Measurements",
        "Each figure a source reports: indicator, value, qualifiers, place, date, reporter.",
        (ID, *TASK, *QUANTITY,
         Field("qualifiers", "string", "限定", "Qualifiers",
               "How the figure is stated (about, over, cumulative…), '; '-separated"),
         Field("as_of", "date", "截至", "As of", DATE_NOTE),
         Field("period_start", "date", "期间开始", "Period start", DATE_NOTE),
         Field("period_end", "date", "期间结束", "Period end", DATE_NOTE),
         *pair("reported_by", "报告者", "Reported by", "Who reported the figure"),
         *SOURCE),
        "  ?id a hkg:Measurement .\n" + TASK_WHERE + QUANTITY_WHERE
        + "  OPTIONAL { ?id hkg:qualifier/skos:notation ?qualifier0 }\n"
        + "  OPTIONAL { ?id hkg:asOf ?asOf0 }\n"
        + "  OPTIONAL { ?id hkg:period/time:hasBeginning ?start .\n"
        + "    ?start time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?start0 }\n"
        + "  OPTIONAL { ?id hkg:period/time:hasEnd ?end .\n"
        + "    ?end time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?end0 }\n"
        + "  OPTIONAL { ?id hkg:reportedBy ?reporter .\n" + named("reporter", "reporter")
        + "  }\n" + SOURCE_WHERE,
        f"{TASK_SELECT} {QUANTITY_SELECT} "
        "(GROUP_CONCAT(DISTINCT ?qualifier0; separator=\"; \") AS ?qualifiers) "
        "(SAMPLE(STR(?asOf0)) AS ?as_of) (SAMPLE(STR(?start0)) AS ?period_start) "
        "(SAMPLE(STR(?end0)) AS ?period_end) "
        f"{joined('reporter').replace('?reporter_', '?reported_by_')} {SOURCE_SELECT}",
    ),
    Table(
        "posts", "职务", "Posts",
        "Each post holding a source states: who held which role in which organisation.",
        (ID,
         Field("person", "string", "人物标识", "Person ID", "IRI of the person"),
         *pair("person", "人物", "Person", "The official"),
         *pair("role", "职务", "Role", "The role held"),
         *pair("organization", "机构", "Organisation", "Where the role is held"),
         Field("title_as_stated", "string", "原文职务", "Title as stated",
               "The title as the source prints it"),
         Field("date", "date", "日期", "Date", DATE_NOTE + " (when the source says it held)"),
         *SOURCE),
        "  ?id a hkg:PostHolding ; org:member ?who .\n" + named("who", "person")
        + "  OPTIONAL { ?id org:role ?role .\n" + named("role", "role") + "  }\n"
        + "  OPTIONAL { ?id org:organization ?organization .\n"
        + named("organization", "organization") + "  }\n"
        + "  OPTIONAL { ?id hkg:titleAsStated ?title0 }\n"
        + "  OPTIONAL { ?id dcterms:date ?date0 }\n" + SOURCE_WHERE,
        f"(SAMPLE(?who) AS ?person) {sample('person')} {sample('role')} "
        f"{sample('organization')} (SAMPLE(?title0) AS ?title_as_stated) "
        f"(SAMPLE(STR(?date0)) AS ?date) {SOURCE_SELECT}",
    ),
    Table(
        "assessments", "评估", "Assessments",
        "Each target assessed against the latest results on its indicator and place.",
        (Field("id", "string", "标识", "ID", "IRI of the assessment"),
         Field("target", "string", "目标标识", "Target ID", "IRI of the target (targets.id)"),
         *TASK,
         *pair("indicator", "指标", "Indicator", "What is counted"),
         *pair("place", "地区", "Place", "Region of the target"),
         Field("status", "string", "状态代码", "Status code",
               "met, exceeded, not-met or no-result"),
         *pair("status", "状态", "Status", "The assessment"),
         *value_fields("target_value", "目标值", "Target value", "The promised value"),
         *value_fields("result_value", "结果值", "Result value",
                       "The latest reported value (both empty: no result yet)"),
         Field("based_on", "string", "依据", "Based on",
               "IRIs of the measurements used, space-separated"),
         Field("explanation", "string", "说明", "Explanation", "How the status was reached")),
        "  ?id a hkg:Assessment ; hkg:assesses ?tgt .\n"
        + "  OPTIONAL { ?tgt hkg:forTask ?task . OPTIONAL { ?task hkg:taskNumber ?taskNo0 }\n"
        + named("task", "task") + "  }\n"
        + "  OPTIONAL { ?tgt hkg:indicator ?indicator .\n" + named("indicator", "indicator")
        + "  }\n"
        + "  OPTIONAL { ?tgt hkg:place ?place .\n" + named("place", "place") + "  }\n"
        + "  OPTIONAL { ?id hkg:status ?statusTerm .\n"
        + "    OPTIONAL { ?statusTerm skos:notation ?code0 }\n"
        + named("statusTerm", "status") + "  }\n"
        + value_where("hkg:targetValue", "target_value")
        + value_where("hkg:resultValue", "result_value")
        + "  OPTIONAL { ?id hkg:basedOn ?basis }\n"
        + "  OPTIONAL { ?id hkg:explanation ?explanation0 }\n",
        f"(SAMPLE(?tgt) AS ?target) {TASK_SELECT} {sample('indicator')} {sample('place')} "
        f"(SAMPLE(?code0) AS ?status) {sample('status')} "
        f"{value_select('target_value')} {value_select('result_value')} "
        "(GROUP_CONCAT(DISTINCT STR(?basis); separator=\" \") AS ?based_on) "
        "(SAMPLE(?explanation0) AS ?explanation)",
        ({"fields": "target", "reference": {"resource": "targets", "fields": "id"}},),
    ),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}


# ---------------------------------------------------------------- reading and writing

def store_select(context: ServiceContext) -> Select:
    """SELECT through the service's store interface, each term as its lexical form."""
    def select(sparql: str) -> list[dict[str, str | None]]:
        return [{name: term.value for name, term in row.items()}
                for row in context.store.select(sparql)]
    return select


def table_rows(table: Table, select: Select, data_base: str,
               prefixes: dict[str, str]) -> list[list[str]]:
    """The rows of a table, as text in field order (empty string for no value)."""
    rows = select(table.sparql(data_base, prefixes))
    return [[row.get(f.name) or "" for f in table.fields] for row in rows]


#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection"): a label
#: such as `=HYPERLINK(...)` in the graph must stay text in the user's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def title_rows(table: Table) -> list[list[str]]:
    """The column titles, a row in Chinese and a row in English."""
    return [[f.zh for f in table.fields], [f.en for f in table.fields]]


def csv_bytes(table: Table, rows: Sequence[Sequence[str]]) -> bytes:
    """The titles (zh, en), the field names, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(title_rows(table))
    writer.writerow([f.name for f in table.fields])
    writer.writerows([csv_text(f, v) for f, v in zip(table.fields, row, strict=True)]
                     for row in rows)
    return out.getvalue().encode("utf-8-sig")


def csv_text(field: Field, text: str) -> str:
    """A CSV cell: text a spreadsheet would read as a formula gets a leading single quote
    (OWASP's rule); numbers, negative ones included, stay as they are."""
    if text.startswith(FORMULA_STARTS) and isinstance(cell(field, text), str):
        return "'" + text
    return text


def cell(field: Field, text: str) -> Any:
    """A spreadsheet cell: numbers as numbers, dates as dates (a year or a month as its
    first day), the rest as text."""
    if text and field.type == "boolean":
        return text == "true"
    if text and field.type == "date" and _DATE.match(text):
        year, month, day = [*text.split("-"), "1", "1"][:3]
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            return text
    if text and field.type in ("number", "integer"):
        try:
            return int(text) if field.type == "integer" else Decimal(text)
        except (ValueError, InvalidOperation):
            return text
    return text or None


def text_width(text: str) -> int:
    """Columns a text takes in a spreadsheet (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def workbook_bytes(tables: Sequence[tuple[Table, Sequence[Sequence[str]]]]) -> bytes:
    """One sheet per table (two rows of titles, zh and en), then a sheet describing the
    fields (their names, types, titles and descriptions)."""
    from openpyxl import Workbook  # imported on first use: it costs ~0.3 s at start-up
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for table, rows in tables:
        sheet = book.create_sheet(table.name)
        titles = title_rows(table)
        for titles_row in titles:
            sheet.append(titles_row)
            for c in sheet[sheet.max_row]:
                c.font = bold
        for row in rows:
            sheet.append([cell(f, v) for f, v in zip(table.fields, row, strict=True)])
            for written in sheet[sheet.max_row]:
                if isinstance(written.value, str):
                    written.data_type = "s"  # openpyxl makes any text starting "=" a formula
                elif isinstance(written.value, date):
                    text = row[written.column - 1]
                    written.number_format = DATE_FORMATS[len(text)]
        for index in range(len(table.fields)):
            longest = max([text_width(t[index]) for t in titles]
                          + [text_width(r[index]) for r in rows])
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(
                MAX_WIDTH, max(MIN_WIDTH, longest + 2))
        sheet.freeze_panes = f"A{TITLE_ROWS + 1}"
    _fields_sheet(book, [t for t, _ in tables], bold)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fields_sheet(book: Any, tables: Sequence[Table], bold: Any) -> None:
    about = book.create_sheet("fields")
    about.append(["表", "字段", "类型", "中文标题", "英文标题", "说明"])
    about.append(["table", "field", "type", "title_zh", "title_en", "description"])
    for table in tables:
        for f in table.fields:
            about.append([table.name, f.name, f.type, f.zh, f.en, f.description])
    for row in (1, 2):
        for c in about[row]:
            c.font = bold
    about.freeze_panes = "A3"


def datapackage(version: str) -> dict[str, Any]:
    """The Frictionless Tabular Data Package describing the CSV files."""
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "China health-policy knowledge graph — tidy tables",
        "description": "Targets, measurements, posts and assessments of the knowledge graph, "
                       "one row per claim, entities named in Chinese and English. Each CSV "
                       "file starts with two rows of column titles, in Chinese and in "
                       "English (comment rows here), then the field names (the header). The "
                       f"same tables are in one workbook: {WORKBOOK}, headed by the two rows "
                       "of titles, with dates as dates.",
        "description_zh": "知识图谱的目标、数据、职务与评估，每条断言一行，实体均有中英文名称。"
                          "每个 CSV 文件先是中文与英文两行列标题（此处为注释行），然后是字段名"
                          f"（表头）。同样的表也在一个工作簿中：{WORKBOOK}。",
        "version": version,
        "licenses": [{"name": "CC0-1.0", "title": "CC0 1.0",
                      "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
        "resources": [{
            "profile": "tabular-data-resource",
            "name": t.name,
            "path": f"{t.name}.csv",
            "title": f"{t.zh} / {t.en}",
            "description": t.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": ",", "doubleQuote": True, "header": True,
                        "headerRows": [TITLE_ROWS + 1],
                        "commentRows": list(range(1, TITLE_ROWS + 1))},
            "schema": {
                "fields": [field_descriptor(f) for f in t.fields],
                "primaryKey": ["id"],
                "foreignKeys": [{"fields": [fk["fields"]], "reference": {
                    "resource": fk["reference"]["resource"],
                    "fields": [fk["reference"]["fields"]]}} for fk in t.foreign_keys],
            },
        } for t in TABLES],
    }


def field_descriptor(f: Field) -> dict[str, Any]:
    """A Table Schema field: its name, type, both titles (zh / en) and description."""
    descriptor: dict[str, Any] = {
        "name": f.name, "type": f.schema_type, "title": f"{f.zh} / {f.en}",
        "title_zh": f.zh, "title_en": f.en, "description": f.description}
    if f.type == "date":
        descriptor["constraints"] = {"pattern": DATE_PATTERN}
    return descriptor


# ---------------------------------------------------------------- routes

def _rows(context: ServiceContext, table: Table) -> list[list[str]]:
    return context.memo.remember(("tidy-rows", table.name), lambda: table_rows(
        table, store_select(context), context.data_base, context.prefixes))


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/datapackage.json", summary="Frictionless description of the tidy tables")
async def package_descriptor(request: Request) -> Response:
    context = get_context(request)
    body = json.dumps(datapackage(context.version), ensure_ascii=False, indent=1)
    return Response(body.encode(), media_type="application/json")


@router.get(f"/{WORKBOOK}", summary="All tidy tables in one XLSX workbook",
            response_class=Response, responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}})
async def workbook(request: Request) -> Response:
    context = get_context(request)
    body = await context.off_loop(lambda: context.memo.remember(("tidy-xlsx",), lambda: (
        workbook_bytes([(t, _rows(context, t)) for t in TABLES]))))
    return Response(body, media_type=XLSX_MEDIA_TYPE, headers=_attachment(WORKBOOK))


@router.get("/{filename}", summary="One tidy table as CSV (UTF-8 with BOM)",
            response_class=Response, responses={
                200: {"content": {"text/csv": {}}},
                404: {"description": "No such table (the message lists the tables)"}})
async def table_csv(filename: str, request: Request) -> Response:
    context = get_context(request)
    stem, _, extension = filename.rpartition(".")
    table = TABLE_BY_NAME.get(stem)
    if table is None or extension != "csv":
        names = ", ".join([*(f"{t.name}.csv" for t in TABLES), WORKBOOK, "datapackage.json"])
        raise NotFound(f"no table {filename!r}; the tables are: {names}")
    body = await context.off_loop(lambda: context.memo.remember(
        ("tidy-csv", table.name), lambda: csv_bytes(table, _rows(context, table))))
    return Response(body, media_type=CSV_MEDIA_TYPE, headers=_attachment(filename))
