"""Dates the text gives: half-year periods of targets, 近年来 without a fake date, 目前 figures."""

from __future__ import annotations

from pathlib import Path

from kg.build import BuildSummary
from kg.namespaces import prefix_map
from kg.store import EmbeddedStore

CLAIM = "https://w3id.org/cn-health-kg/claim/"


def select(location: Path, query: str) -> list[dict[str, str]]:
    store = EmbeddedStore.open(location)
    rows = store.select(query, prefixes=prefix_map(store.manifest["base_iri"]))
    return [{name: term.value for name, term in row.items()} for row in rows]


def test_half_year_targets_have_a_due_period(built_store: tuple[Path, BuildSummary]) -> None:
    rows = select(built_store[0], f"""
        SELECT ?t ?start ?end WHERE {{
          VALUES ?t {{ <{CLAIM}002/t-vbp-drugs-batch-11> <{CLAIM}002/t-vbp-consumables-batch-6> }}
          ?t hkg:duePeriod ?p .
          ?p time:hasBeginning/time:inXSDgYearMonth ?start ;
             time:hasEnd/time:inXSDgYearMonth ?end .
        }}""")
    periods = {r["t"].rsplit("/", 1)[-1]: (r["start"], r["end"]) for r in rows}
    assert periods == {"t-vbp-drugs-batch-11": ("2025-01", "2025-06"),
                       "t-vbp-consumables-batch-6": ("2025-07", "2025-12")}


def test_recent_years_is_not_an_as_of_date(built_store: tuple[Path, BuildSummary]) -> None:
    rows = select(built_store[0], f"""
        SELECT ?m ?asOf ?end WHERE {{
          VALUES ?m {{ <{CLAIM}000/m-huaiyin-townships> <{CLAIM}000/m-huaiyin-village-clinics> }}
          OPTIONAL {{ ?m hkg:asOf ?asOf }}
          OPTIONAL {{ ?m hkg:period/time:hasEnd/time:inXSDgYear ?end }}
        }}""")
    assert len(rows) == 2
    assert all("asOf" not in r and r["end"] == "2025" for r in rows)


def test_figures_stated_as_now_in_004_are_dated(built_store: tuple[Path, BuildSummary]) -> None:
    rows = select(built_store[0], """
        SELECT (COUNT(?m) AS ?undated) WHERE {
          ?m a hkg:Measurement ; prov:wasDerivedFrom <https://w3id.org/cn-health-kg/source/004> .
          FILTER NOT EXISTS { ?m hkg:asOf|hkg:period ?d }
        }""")
    # only the Yingtan procurement figures and the two NMPA 100% figures carry no date
    assert int(rows[0]["undated"]) <= 5
