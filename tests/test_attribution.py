"""The attribution check: every reporter, announcer and speaker is named in the source."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from kg.attribution import unnamed_actors
from kg.checks import check_curated
from kg.datafiles import load_curated
from kg.errors import DataError
from kg.iris import IriMinter
from kg.namespaces import HKG
from kg.rdf import RdfMapper
from kg.sources import read_source_text

FIXTURE = Path(__file__).parent / "fixtures" / "attribution"
SEEDS = FIXTURE / "seeds"


def test_actors_named_in_the_text_or_marked_inferred_pass() -> None:
    data = load_curated(FIXTURE / "ok")
    offsets = check_curated(data, SEEDS)
    assert ("001", "m-enrolment-subsidy-nhsa") in offsets


def test_an_actor_the_text_never_names_fails_naming_file_record_and_actor() -> None:
    data = load_curated(FIXTURE / "bad")
    with pytest.raises(DataError) as caught:
        check_curated(data, SEEDS)
    problems = caught.value.problems
    assert [(p.file, p.record) for p in problems] == [("bad/facts/001.yaml", "m-enrolment-subsidy")]
    assert "reported_by: 'nhsa' (国家医疗保障局) is not named" in problems[0].message
    assert "inferred: true" in problems[0].message


def test_layout_spaces_inside_a_name_do_not_hide_it() -> None:
    data = load_curated(FIXTURE / "ok")
    text = read_source_text(SEEDS / "001_attribution.txt")
    assert "国家卫生健康委" not in text  # the page splits it: 国家卫生健康 委
    assert list(unnamed_actors(data, data.facts["001"], text)) == []


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
