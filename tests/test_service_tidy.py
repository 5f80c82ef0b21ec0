"""Tidy downloads: CSV with BOM, one XLSX workbook, a Frictionless data package."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from kg.service.tidy import FORMULA_STARTS, TITLE_ROWS

TABLES = {"targets": "hkg:Target", "measurements": "hkg:Measurement",
          "posts": "hkg:PostHolding", "assessments": "hkg:Assessment"}
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def package(service_client: TestClient) -> dict:
    response = service_client.get("/downloads/tables/datapackage.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def csv_rows(client: TestClient, name: str) -> tuple[bytes, list[list[str]]]:
    """The file, and its rows from the field names on (the two rows of titles left out)."""
    response = client.get(f"/downloads/tables/{name}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return response.content, list(csv.reader(io.StringIO(text)))[TITLE_ROWS:]


def csv_titles(client: TestClient, name: str) -> list[list[str]]:
    text = client.get(f"/downloads/tables/{name}.csv").content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[:TITLE_ROWS]


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("name", TABLES)
def test_csv_is_headed_in_chinese_then_english_then_by_field_names(
        service_client: TestClient, package: dict, name: str) -> None:
    zh, en = csv_titles(service_client, name)
    described = fields(package, name)
    assert [f"{a} / {b}" for a, b in zip(zh, en, strict=True)] == [f["title"] for f in described]
    assert all(is_chinese(title) for title in zh), zh
    assert not any(is_chinese(title) for title in en), en
    assert len(set(zh)) == len(zh) and len(set(en)) == len(en)
    resource = next(r for r in package["resources"] if r["name"] == name)
    assert resource["dialect"]["commentRows"] == [1, 2]
    assert resource["dialect"]["headerRows"] == [3]


def instances(client: TestClient, cls: str) -> set[str]:
    """The instances of a class, asked of the SPARQL endpoint (not of the tables' code)."""
    response = client.get("/sparql", params={
        "query": f"SELECT DISTINCT ?s WHERE {{ ?s a {cls} }}"},
        headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    return {b["s"]["value"] for b in response.json()["results"]["bindings"]}


def fields(package: dict, name: str) -> list[dict]:
    resource = next(r for r in package["resources"] if r["name"] == name)
    return resource["schema"]["fields"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", TABLES)
def test_csv_starts_with_bom_and_has_the_columns_the_package_describes(
        service_client: TestClient, package: dict, name: str) -> None:
    body, rows = csv_rows(service_client, name)
    assert body.startswith(BOM)
    assert rows[0] == [f["name"] for f in fields(package, name)]
    assert all(len(row) == len(rows[0]) for row in rows)


@pytest.mark.parametrize(("name", "cls"), TABLES.items())
def test_csv_has_one_row_per_resource_of_the_graph(service_client: TestClient, name: str,
                                                   cls: str) -> None:
    _, rows = csv_rows(service_client, name)
    ids = [row[0] for row in rows[1:]]
    expected = instances(service_client, cls)
    assert expected, f"the graph holds no {cls}"
    assert len(ids) == len(expected)
    assert set(ids) == expected


@pytest.mark.parametrize("name", ["targets", "measurements"])
def test_every_indicator_is_named_in_both_languages(service_client: TestClient,
                                                    name: str) -> None:
    _, rows = csv_rows(service_client, name)
    header = rows[0]
    zh, en = header.index("indicator_zh"), header.index("indicator_en")
    for row in rows[1:]:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in row[zh]), row[0]
        assert row[en] and row[en] != row[zh], row[0]


def test_people_are_named_in_chinese_and_pinyin(service_client: TestClient) -> None:
    _, rows = csv_rows(service_client, "posts")
    header = rows[0]
    by_person = {row[header.index("person")]: row for row in rows[1:]}
    wang = by_person["https://w3id.org/cn-health-kg/person/wang-haidong"]
    assert wang[header.index("person_zh")] == "王海东"
    assert wang[header.index("person_en")] == "Wang Haidong"


def test_workbook_holds_the_same_rows_as_the_csv_files(service_client: TestClient,
                                                       package: dict) -> None:
    response = service_client.get("/downloads/tables/cn-health-kg-tables.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    for name in TABLES:
        _, rows = csv_rows(service_client, name)
        types = [f["type"] for f in fields(package, name)]
        sheet = [list(r) for r in book[name].iter_rows(values_only=True)]
        assert sheet[:TITLE_ROWS] == csv_titles(service_client, name)
        assert len(sheet) == len(rows) - 1 + TITLE_ROWS
        dates = [i for i, f in enumerate(fields(package, name)) if "constraints" in f]
        for cells, texts in zip(sheet[TITLE_ROWS:], rows[1:], strict=True):
            for index, (value, text, kind) in enumerate(zip(cells, texts, types, strict=True)):
                if not text:
                    assert value is None
                elif index in dates:  # a year, month or day, as the day it starts on
                    assert value.date().isoformat().startswith(text), (value, text)
                    assert value.date().isoformat()[len(text):] in ("", "-01", "-01-01")
                elif kind in ("number", "integer"):
                    assert Decimal(str(value)) == Decimal(text)
                elif kind == "boolean":
                    assert value is (text == "true")
                else:  # text a spreadsheet would run is quoted in CSV (comparator "=")
                    assert ("'" + value if value.startswith(FORMULA_STARTS) else value) == text


def test_data_package_validates_with_frictionless(service_client: TestClient,
                                                  tmp_path: Path) -> None:
    from frictionless import Package, system

    response = service_client.get("/downloads/tables/datapackage.json")
    (tmp_path / "datapackage.json").write_bytes(response.content)
    for resource in response.json()["resources"]:
        csv_file = service_client.get(f"/downloads/tables/{resource['path']}")
        (tmp_path / resource["path"]).write_bytes(csv_file.content)
    with system.use_context(trusted=False):
        report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {t.name for t in report.tasks} == set(TABLES)


def test_data_package_names_a_foreign_key_from_assessments_to_targets(package: dict) -> None:
    resource = next(r for r in package["resources"] if r["name"] == "assessments")
    assert resource["schema"]["foreignKeys"] == [
        {"fields": ["target"], "reference": {"resource": "targets", "fields": ["id"]}}]
    assert json.dumps(package, ensure_ascii=False).count(".csv") >= len(TABLES)


def test_downloads_page_links_every_table(service_client: TestClient) -> None:
    page = service_client.get("/downloads", headers={"Accept": "text/html"}).text
    for name in [*(f"{t}.csv" for t in TABLES), "cn-health-kg-tables.xlsx",
                 "datapackage.json"]:
        assert f"/downloads/tables/{name}\"" in page, name


def test_unknown_table_is_404_naming_the_tables(service_client: TestClient) -> None:
    response = service_client.get("/downloads/tables/people.csv")
    assert response.status_code == 404
    assert "targets.csv" in response.json()["detail"]


HOSTILE_TEXTS = ['=HYPERLINK("https://example.org/x","click")', "+1+cmd|' /C calc'!A0",
                 "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def test_text_a_spreadsheet_would_run_stays_text_and_numbers_stay_numbers() -> None:
    """Issue 16: a label starting with = became a live formula in 55 cells."""
    from zipfile import ZipFile

    from kg.service.tidy import TABLE_BY_NAME, csv_bytes, workbook_bytes

    table = TABLE_BY_NAME["targets"]
    numbers = {"number": "-12.5", "integer": "-3", "boolean": "true"}
    rows = [[numbers.get(f.type, text) for f in table.fields] for text in HOSTILE_TEXTS]
    written = list(csv.reader(io.StringIO(csv_bytes(table, rows).decode("utf-8-sig"))))[3:]
    for text, row in zip(HOSTILE_TEXTS, written, strict=True):
        for field, value in zip(table.fields, row, strict=True):
            assert value == numbers.get(field.type, "'" + text)
    body = workbook_bytes([(table, rows)])
    with ZipFile(io.BytesIO(body)) as package:
        assert not any(b"<f>" in package.read(name) or b"<f " in package.read(name)
                       for name in package.namelist() if name.startswith("xl/worksheets/"))
    sheet = load_workbook(io.BytesIO(body))["targets"]
    for text, cells in zip(HOSTILE_TEXTS, sheet.iter_rows(min_row=TITLE_ROWS + 1), strict=True):
        for field, written_cell in zip(table.fields, cells, strict=True):
            assert written_cell.data_type != "f"
            if field.type == "number":
                assert (written_cell.value, written_cell.data_type) == (Decimal("-12.5"), "n")
            elif field.type == "integer":
                assert (written_cell.value, written_cell.data_type) == (-3, "n")
            elif field.type == "string":  # XML reads a carriage return as a line feed
                assert (written_cell.value, written_cell.data_type) == (
                    text.replace("\r", "\n"), "s")


def test_the_served_workbook_holds_no_formula(service_client: TestClient) -> None:
    response = service_client.get("/downloads/tables/cn-health-kg-tables.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_workbook_cells_are_typed_dated_and_columns_sized(service_client: TestClient,
                                                          package: dict) -> None:
    """Dates are Excel dates shown to the source's precision, numbers are numbers, and
    every column is wider than the default and fits its Chinese title."""
    from openpyxl.utils import get_column_letter

    response = service_client.get("/downloads/tables/cn-health-kg-tables.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    seen = {"date": 0, "number": 0}
    for name in TABLES:
        sheet = book[name]
        described = fields(package, name)
        assert sheet.freeze_panes == f"A{TITLE_ROWS + 1}"
        for index, field in enumerate(described, start=1):
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert width >= 2 * len(field["title_zh"]), (name, field["name"], width)
            for (written,) in sheet.iter_rows(min_row=TITLE_ROWS + 1, min_col=index,
                                              max_col=index):
                if written.value is None:
                    continue
                if "constraints" in field:
                    assert written.is_date, (name, field["name"], written.value)
                    assert written.number_format in ("yyyy", "yyyy-mm", "yyyy-mm-dd")
                    seen["date"] += 1
                elif field["type"] in ("number", "integer"):
                    assert written.data_type == "n", (name, field["name"], written.value)
                    seen["number"] += 1
    assert seen["date"] > 0 and seen["number"] > 0, seen
