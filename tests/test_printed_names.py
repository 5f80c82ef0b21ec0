"""Names as printed: a claim records the name a source prints for an entity it names, where
that differs from the registry's names, with how the curators tied the two."""

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
from kg.records import PrintedName

FIXTURE = Path(__file__).parent / "fixtures" / "claims"
SEEDS = FIXTURE / "seeds"
CLAIM = """
  - id: {id}
    kind: statement
    speaker: [xu-jian]
    attribution: {{basis: speaker-heading, evidence: 徐民介绍}}
    printed_names:
      {entity}: {{name: {name}, resolution: stated}}
    summary_en: Shandong strengthens information systems.
    evidence: 山东省推动医疗机构加强信息化建设
"""


def with_claims(tmp_path: Path, *claims: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    with (data / "facts" / "002.yaml").open("a", encoding="utf-8") as out:
        out.write("".join(claims))
    return data


def test_the_graph_records_the_printed_name_the_entity_and_the_reason() -> None:
    data = load_curated(FIXTURE / "data")
    graph = RdfMapper(data, check_curated(data, SEEDS), IriMinter()).source_graph(
        data.facts["002"])
    claim = IriMinter().claim("002", "s-sd-information-systems")
    node = graph.value(claim, HKG.printedName)
    assert graph.value(node, HKG.refersTo) == IriMinter().entity("person", "xu-jian")
    assert str(graph.value(node, HKG.nameAsPrinted)) == "徐民"
    assert graph.value(node, HKG.resolutionInferred).toPython() is True
    assert "misprint" in str(graph.value(node, HKG.resolutionReason))


@pytest.mark.parametrize(("entity", "name", "expected"), [
    ("xu-jian", "徐明", "'徐明' is not printed in 002_claims.txt"),
    ("xu-jian", "徐建", "'徐建' is already a name of 'xu-jian'"),
    ("jiao-yahui", "徐民", "this claim does not name 'jiao-yahui'"),
    ("xu-jain", "徐民", "unknown entity 'xu-jain'"),
])
def test_a_printed_name_the_text_or_the_registry_does_not_bear_out_fails(
        tmp_path: Path, entity: str, name: str, expected: str) -> None:
    data = load_curated(with_claims(tmp_path, CLAIM.format(id="s-bad", entity=entity,
                                                           name=name)))
    with pytest.raises(DataError) as caught:
        check_curated(data, SEEDS)
    messages = [f"{p.file}, {p.record}: {p.message}" for p in caught.value.problems]
    assert any(expected in m and m.startswith("data/facts/002.yaml, s-bad: printed_names")
               for m in messages), messages


def test_an_actor_printed_otherwise_without_a_printed_name_fails(tmp_path: Path) -> None:
    claim = CLAIM.format(id="s-bare", entity="xu-jian", name="徐民").replace(
        "    printed_names:\n      xu-jian: {name: 徐民, resolution: stated}\n", "")
    data = load_curated(with_claims(tmp_path, claim))
    with pytest.raises(DataError) as caught:
        check_curated(data, SEEDS)
    assert any(p.record == "s-bare" and "'xu-jian' (徐建) is not named" in p.message
               for p in caught.value.problems)


def test_an_inferred_resolution_needs_its_reason() -> None:
    with pytest.raises(ValidationError, match="reason"):
        PrintedName.model_validate({"name": "徐民", "resolution": "inferred"})
    with pytest.raises(ValidationError, match="resolution"):
        PrintedName.model_validate({"name": "徐民"})
