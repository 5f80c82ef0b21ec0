"""The attribution check: every reporter, announcer and speaker is named where its basis says."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from kg.attribution import ATTRIBUTION_KEY
from kg.checks import check_curated
from kg.datafiles import load_curated
from kg.errors import DataError
from kg.iris import IriMinter
from kg.namespaces import HKG, OA
from kg.rdf import RdfMapper
from kg.sources import read_source_text

FIXTURE = Path(__file__).parent / "fixtures" / "attribution"
SEEDS = FIXTURE / "seeds"


def test_actors_named_where_their_basis_says_or_marked_inferred_pass() -> None:
    data = load_curated(FIXTURE / "ok")
    offsets = check_curated(data, SEEDS)
    assert ("001", "m-enrolment-subsidy-nhsa") in offsets
    text = read_source_text(SEEDS / "001_attribution.txt")
    start, end = offsets[("001", ATTRIBUTION_KEY + "m-paediatrics-share")]
    assert text[start:end] == "国家卫生健康 委医政司 司长焦雅辉介绍"


def test_each_attribution_the_text_does_not_bear_out_fails_naming_file_record_and_reason(
) -> None:
    data = load_curated(FIXTURE / "bad")
    with pytest.raises(DataError) as caught:
        check_curated(data, SEEDS)
    problems = {p.record: p for p in caught.value.problems}
    assert {p.file for p in problems.values()} == {"bad/facts/001.yaml"}
    assert sorted(problems) == ["m-enrolment-subsidy", "m-paediatrics-share",
                                "m-paediatrics-share-misquoted"]
    assert ("reported_by: 'nhsa' (国家医疗保障局) is not named in this claim's quote"
            in problems["m-enrolment-subsidy"].message)
    assert "basis: inferred" in problems["m-enrolment-subsidy"].message
    assert ("'jiao-yahui' (焦雅辉) is not named in the attribution's evidence (basis byline)"
            in problems["m-paediatrics-share"].message)
    assert "evidence not found verbatim" in problems["m-paediatrics-share-misquoted"].message


@pytest.mark.parametrize(("attribution", "field"), [
    ({"basis": "speaker-heading"}, "evidence"),
    ({"basis": "lead"}, "evidence"),
    ({"basis": "inferred"}, "reason"),
    ({"basis": "stated-in-clause", "evidence": "焦雅辉介绍"}, "evidence"),
    ({"basis": "heard-it-somewhere", "evidence": "焦雅辉介绍"}, "basis"),
])
def test_a_basis_without_its_parts_is_refused(attribution: dict[str, str], field: str) -> None:
    from pydantic import ValidationError

    from kg.records import Attribution

    with pytest.raises(ValidationError) as caught:
        Attribution.model_validate(attribution)
    assert field in str(caught.value)


def test_the_graph_gives_each_attribution_its_basis_and_the_words_naming_the_actor() -> None:
    data = load_curated(FIXTURE / "ok")
    offsets = check_curated(data, SEEDS)
    graph = RdfMapper(data, offsets, IriMinter()).source_graph(data.facts["001"])
    minter = IriMinter()
    heading = minter.claim("001", "m-paediatrics-share")
    assert graph.value(heading, HKG.attributionBasis) == HKG.SpeakerHeading
    evidence = graph.value(heading, HKG.attributionEvidence)
    text = read_source_text(SEEDS / "001_attribution.txt")
    start, end = (int(graph.value(evidence, p)) for p in (OA.start, OA.end))
    assert text[start:end] == str(graph.value(evidence, OA.exact))
    assert "焦雅辉" in text[start:end]
    inferred = minter.claim("001", "m-enrolment-subsidy-nhsa")
    assert graph.value(inferred, HKG.attributionBasis) == HKG.CuratorInference
    assert graph.value(inferred, HKG.attributionEvidence) is None


def test_the_graph_tells_inferred_from_stated_attributions() -> None:
    data = load_curated(FIXTURE / "ok")
    offsets = check_curated(data, SEEDS)
    mapper = RdfMapper(data, offsets, IriMinter())
    graph = mapper.source_graph(data.facts["001"])
    minter = IriMinter()
    stated = minter.claim("001", "m-paediatrics-share")
    inferred = minter.claim("001", "m-enrolment-subsidy-nhsa")
    assert graph.value(stated, HKG.attributionInferred) == Literal(False)
    assert graph.value(stated, HKG.attributionReason) is None
    assert graph.value(inferred, HKG.attributionInferred) == Literal(True)
    reason = graph.value(inferred, HKG.attributionReason)
    assert isinstance(reason, Literal) and reason.language == "en"
