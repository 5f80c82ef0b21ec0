"""Questions across the five sources, asked through the saved-query catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.catalogue import Catalogue, load_catalogue
from kg.store import EmbeddedStore

KGD = "https://w3id.org/cn-health-kg/"


@pytest.fixture(scope="module")
def ask(built_store: tuple[Path, object]):
    """Run a saved query by name with text parameters; rows as {variable: value}."""
    store = EmbeddedStore.open(built_store[0])
    catalogue: Catalogue = load_catalogue(base=store.manifest["base_iri"])

    def run(name: str, **params: str) -> list[dict[str, str]]:
        saved = catalogue[name]
        text = saved.bound_text(saved.bind(params, catalogue.prefixes))
        return [{n: t.value for n, t in row.items()}
                for row in store.select(text, prefixes=catalogue.prefixes)]

    return run


def test_provinces_compare_on_one_indicator(ask) -> None:
    rows = ask("province-comparison",
               indicator=f"{KGD}indicator/all-public-general-hospitals-paediatrics")
    provinces = {r["province"].rsplit("/", 1)[-1]: r["value"] for r in rows}
    assert provinces == {"jiangsu": "true", "qinghai": "true"}
    counts = ask("province-comparison",
                 indicator=f"{KGD}indicator/public-general-hospitals-with-paediatrics")
    assert {(r["province"].rsplit("/", 1)[-1], r["value"]) for r in counts} == {("qinghai", "59")}


def test_corroborated_figures_come_from_two_or_more_sources(ask) -> None:
    rows = ask("corroborated-figures")
    found = {(r["indicator"].rsplit("/", 1)[-1], r["value"]): int(r["sources"]) for r in rows}
    assert found[("childcare-places-per-1000", "4.73")] >= 2
    assert found[("public-general-hospitals-with-paediatrics", "4845")] >= 2
    assert all(n >= 2 for n in found.values())


def test_conflicting_figures_sit_side_by_side(ask) -> None:
    rows = ask("conflicting-figures")
    for row in rows:
        assert row["quote1"] and row["quote2"]
        if row["differs"] == "value":
            assert row["value1"] != row["value2"]
        else:
            assert row["differs"] == "qualifier"
            assert row.get("qualifiers1") != row.get("qualifiers2")
    pairs = {(r["claim1"].split("/claim/")[1], r["claim2"].split("/claim/")[1]): r["differs"]
             for r in rows}
    # 23 briefings held and a column's "9 episodes so far" are two quantities (two
    # indicators), and Shanxi's own 23 press conferences are another: no false conflict
    claims = {c for pair in pairs for c in pair}
    assert not claims & {"003/m-seasonal-briefings-episodes", "003/m-sx-press-conferences"}
    assert not any(d == "value" for d in pairs.values())
    # "近666万" (nearly) against "666万" childcare places
    assert pairs[("000/m-childcare-places-total-2025", "001/m-childcare-places-total")] == (
        "qualifier")


def test_one_post_printed_under_two_names(ask) -> None:
    rows = ask("conflicting-names",
               post=f"{KGD}post/nhsa-pharmaceutical-services/director-general")
    assert [(r["name1"], r["name2"], r["samePerson"]) for r in rows] == [
        ("苗心字", "黄心宇", "true")]
    holders = ask("conflicting-names", post=f"{KGD}post/nhc/spokesperson")
    assert {(frozenset((r["name1"], r["name2"])), r["samePerson"]) for r in holders} >= {
        (frozenset(("胡强强", "谢杨")), "false")}


def test_every_task_has_target_result_and_assessment(ask) -> None:
    rows = [r for r in ask("task-scorecard", year="2025") if "target" in r]  # not figures
    by_task: dict[str, set[str]] = {}
    for row in rows:
        by_task.setdefault(row["number"], set()).add(row["status"].rsplit("#", 1)[-1])
    assert sorted(by_task, key=int) == [str(n) for n in range(1, 9)]
    for number, statuses in by_task.items():
        assert statuses & {"Met", "Exceeded"}, f"task {number}: {statuses}"
    childcare = [r for r in rows if r["number"] == "4"]
    assert {(r["targetValue"], r.get("resultValue")) for r in childcare} >= {
        ("4.5", "4.73"), ("660000", "890000")}
