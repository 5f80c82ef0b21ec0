"""Questions researchers ask, answered by SPARQL against the built store."""

from __future__ import annotations

from pathlib import Path

from kg.namespaces import prefix_map
from kg.store import EmbeddedStore


def select(location: Path, query: str) -> list[dict[str, str]]:
    store = EmbeddedStore.open(location)
    rows = store.select(query, prefixes=prefix_map(store.manifest["base_iri"]))
    return [{name: term.value for name, term in row.items()} for row in rows]


def test_who_announced_the_childcare_places_target(built_store: tuple[Path, object]) -> None:
    rows = select(built_store[0], """
        SELECT ?who ?name ?value ?deadline ?unitLabel ?event ?quote WHERE {
          ?t a hkg:Target ; hkg:indicator ?i ; hkg:announcedBy ?who ; hkg:value ?value ;
             hkg:deadline ?deadline ; hkg:unit ?unit ; hkg:atEvent ?event ;
             hkg:evidence/oa:exact ?quote .
          ?i rdfs:label "新增普惠性托位数"@zh .
          ?who rdfs:label ?name FILTER(lang(?name) = "zh")
          ?unit rdfs:label ?unitLabel FILTER(lang(?unitLabel) = "en")
        }""")
    assert {(r["name"], r["value"], r["deadline"]) for r in rows} >= {("王海东", "660000", "2025")}
    row = next(r for r in rows if r["name"] == "王海东")
    assert row["event"].endswith("/event/nhc-press-conference-2025-01")
    assert "66万" in row["quote"]


def test_childcare_density_target_and_its_post_holder(built_store: tuple[Path, object]) -> None:
    rows = select(built_store[0], """
        SELECT ?value ?comparator ?person ?title WHERE {
          ?t a hkg:Target ; hkg:indicator ?i ; hkg:value ?value ; hkg:comparator ?comparator .
          ?i rdfs:label "Childcare places for children under three per 1,000 population"@en .
          ?h a hkg:PostHolding ; org:member ?p ; org:organization ?dept ; hkg:titleAsStated ?title .
          ?dept rdfs:label "国家卫生健康委人口家庭司"@zh .
          ?p rdfs:label ?person FILTER(lang(?person) = "zh")
        }""")
    assert ("4.5", "https://w3id.org/cn-health-kg/ontology#GreaterOrEqual", "王海东", "司长") in {
        (r["value"], r["comparator"], r["person"], r["title"]) for r in rows
    }


def test_every_claim_has_a_source_and_a_quote(built_store: tuple[Path, object]) -> None:
    rows = select(built_store[0], """
        SELECT (COUNT(?c) AS ?claims) (SUM(?bad) AS ?unsourced) WHERE {
          VALUES ?k { hkg:Target hkg:Measurement hkg:PostHolding hkg:Statement hkg:Mention }
          ?c a ?k .
          BIND(IF(EXISTS { ?c prov:wasDerivedFrom/hkg:sha256 ?sha ;
                              hkg:evidence/oa:exact ?q }, 0, 1) AS ?bad)
        }""")
    assert int(rows[0]["claims"]) > 50
    assert rows[0]["unsourced"] == "0"


def test_targets_are_assessed(built_store: tuple[Path, object]) -> None:
    rows = select(built_store[0], """
        SELECT ?t ?status WHERE { ?a hkg:assesses ?t ; hkg:status ?status }""")
    targets = select(built_store[0], "SELECT ?t WHERE { ?t a hkg:Target }")
    assert {r["t"] for r in rows} == {r["t"] for r in targets}
