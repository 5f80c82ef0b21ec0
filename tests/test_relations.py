"""Typed relations a source states: a relation claim (with its quote) and the direct triple,
both in the source's graph; subject and object of the kinds the relation allows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from kg.checks import check_curated
from kg.datafiles import load_curated
from kg.errors import DataError
from kg.iris import IriMinter
from kg.namespaces import HKG
from kg.rdf import RdfMapper
from kg.records import RELATIONS, RelationClaim

FIXTURE = Path(__file__).parent / "fixtures" / "claims"
SEEDS = FIXTURE / "seeds"
ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "hkg.ttl"


def test_the_source_graph_holds_the_claim_and_the_direct_triple() -> None:
    data = load_curated(FIXTURE / "data")
    mapper = RdfMapper(data, check_curated(data, SEEDS), IriMinter())
    graph = mapper.source_graph(data.facts["002"])
    claim = IriMinter().claim("002", "r-platform-built-on-wechat")
    platform, wechat = mapper.ref("blood-fee-waiver-platform"), mapper.ref("wechat")
    assert graph.value(claim, HKG.relation) == HKG.builtOn
    assert graph.value(claim, HKG.relationSubject) == platform
    assert graph.value(claim, HKG.relationObject) == wechat
    assert graph.value(claim, HKG.evidence) is not None
    assert (platform, HKG.builtOn, wechat) in graph


@pytest.mark.parametrize(("subject", "relation", "obj", "expected"), [
    ("wechat", "located-in", "cn", "subject: 'wechat' is a product; the subject of "
                                   "'located-in' is a region or facility or event or agency"),
    ("blood-fee-waiver-platform", "built-on", "cn",
     "object: 'cn' is a region; the object of 'built-on' is a product or facility"),
    ("blood-fee-waiver-platform", "built-on", "wechatt", "object: unknown"),
])
def test_a_relation_between_entities_of_the_wrong_kinds_fails(
        tmp_path: Path, subject: str, relation: str, obj: str, expected: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    with (data / "facts" / "002.yaml").open("a", encoding="utf-8") as out:
        out.write(f"""
  - id: r-bad
    kind: relation
    subject: {subject}
    relation: {relation}
    object: {obj}
    evidence: 依托微信小程序搭建了血费跨省异地减免平台
""")
    with pytest.raises(DataError) as caught:
        check_curated(load_curated(data), SEEDS)
    assert any(p.record == "r-bad" and expected in p.message for p in caught.value.problems), [
        str(p) for p in caught.value.problems]


def test_a_relation_off_the_closed_list_is_refused() -> None:
    with pytest.raises(ValidationError, match="relation"):
        RelationClaim.model_validate({"id": "r-x", "kind": "relation", "subject": "a",
                                      "relation": "likes", "object": "b", "evidence": "依托微信"})


def test_every_relation_is_an_object_property_of_the_ontology_with_its_notation() -> None:
    from rdflib import Graph, Literal
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    ontology = Graph().parse(ONTOLOGY)
    for key, (name, _, _) in RELATIONS.items():
        prop = HKG[name]
        assert (prop, RDF.type, OWL.ObjectProperty) in ontology, name
        assert ontology.value(prop, SKOS.notation) == Literal(key)
        assert ontology.value(prop, RDFS.domain) is not None
        assert ontology.value(prop, RDFS.range) is not None


@pytest.mark.parametrize(("ref", "fails"), [("blood-fee-waiver-no-trip", False), ("wechat", True)])
def test_a_figure_results_from_policies(tmp_path: Path, ref: str, fails: bool) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    path = data / "facts" / "002.yaml"
    text = path.read_text(encoding="utf-8")
    line = "    indicator: insurance-fund-spending\n"
    path.write_text(text.replace(line, f"{line}    result_of: [{ref}]\n"), encoding="utf-8")
    loaded = load_curated(data)
    if fails:
        with pytest.raises(DataError, match="result_of: 'wechat' is a product"):
            check_curated(loaded, SEEDS)
        return
    mapper = RdfMapper(loaded, check_curated(loaded, SEEDS), IriMinter())
    graph = mapper.source_graph(loaded.facts["002"])
    claim = IriMinter().claim("002", "m-fund-spending")
    assert graph.value(claim, HKG.resultOf) == mapper.ref(ref)


def test_every_relation_has_its_chinese_word_in_claim_labels() -> None:
    from rdflib import Graph, Literal
    from rdflib.namespace import RDFS

    from kg.rdf import RELATION_WORDS_ZH

    ontology = Graph().parse(ONTOLOGY)
    for key, (name, _, _) in RELATIONS.items():
        assert Literal(RELATION_WORDS_ZH[key], lang="zh") in set(
            ontology.objects(HKG[name], RDFS.label)), key
