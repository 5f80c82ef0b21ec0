"""What a policy does (action, object, scope, parts) and from when (a claim's effective_from),
checked against the registry and the sources that state it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.checks import check_curated
from kg.datafiles import load_curated
from kg.errors import DataError
from kg.iris import IriMinter
from kg.namespaces import HKG
from kg.rdf import RdfMapper

FIXTURE = Path(__file__).parent / "fixtures" / "claims"
SEEDS = FIXTURE / "seeds"


def problems_with(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    """The problems of the claims fixture with one edit, as 'file, record: message'."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    path = data / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        check_curated(load_curated(data), SEEDS)
    return [f"{p.file}, {p.record}: {p.message}" for p in caught.value.problems]


def test_the_graph_says_what_a_policy_does_where_and_its_parts() -> None:
    data = load_curated(FIXTURE / "data")
    mapper = RdfMapper(data, check_curated(data, SEEDS), IriMinter())
    graph = mapper.entities_graph()
    policy = mapper.ref("blood-fee-waiver-no-trip")
    assert graph.value(policy, HKG.action) == HKG.Waive
    assert {str(o) for o in graph.objects(policy, HKG.actsOn)} == {"血费", "blood fees"}
    assert set(graph.objects(policy, HKG.scope)) == {mapper.ref("cn"),
                                                     mapper.ref("blood-stations")}
    assert str(graph.value(policy, HKG.scopeAsPrinted)) == "全国所有血站"
    assert graph.value(policy, HKG.hasPart) == mapper.ref("blood-fee-waiver-cross-province")
    claim = IriMinter().claim("002", "s-blood-fee-waiver")
    source = mapper.source_graph(data.facts["002"])
    assert str(source.value(claim, HKG.effectiveFrom)) == "2025-03-31"


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("registry/policies.yaml", "object_zh: 血费\n", "object_zh: 献血者费用\n",
     "registry/policies.yaml, blood-fee-waiver-no-trip: object_zh: '献血者费用' is not printed"),
    ("registry/policies.yaml", "scope_zh: 全国所有血站", "scope_zh: 全国血站",
     "blood-fee-waiver-no-trip: scope_zh: '全国血站' is not printed in the sources"),
    ("registry/policies.yaml", "scope: [cn, blood-stations]", "scope: [cn, jiao-yahui]",
     "blood-fee-waiver-no-trip: scope: 'jiao-yahui' is a person, expected region or group"),
    ("registry/policies.yaml", "scope: [cn, blood-stations]", "scope: [cn, blood-station]",
     "scope: unknown region/group 'blood-station' (did you mean 'blood-stations'?)"),
    ("registry/policies.yaml", "  object_zh: 血费跨省异地减免\n",
     "  object_zh: 血费跨省异地减免\n  parts: [blood-fee-waiver-no-trip]\n",
     "blood-fee-waiver-cross-province: parts: 'blood-fee-waiver-cross-province' is "
     "(through its parts) a part of itself"),
    ("facts/002.yaml", "    anonymous_speaker: 张女士\n",
     "    anonymous_speaker: 张女士\n    effective_from: 2025-03\n",
     "facts/002.yaml, s-easier-visits: effective_from: dates a policy the claim states"),
])
def test_policy_content_the_sources_do_not_bear_out_fails(
        tmp_path: Path, file: str, old: str, new: str, expected: str) -> None:
    problems = problems_with(tmp_path, file, old, new)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(("old", "new", "field"), [
    ("action: waive\n  object_zh: 血费\n", "action: forgive\n  object_zh: 血费\n", "action"),
    ("type: institution-class", "type: institution", "type"),
])
def test_an_action_or_group_type_off_the_list_is_refused(tmp_path: Path, old: str, new: str,
                                                         field: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    for name in ("policies.yaml", "groups.yaml"):
        path = data / "registry" / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_curated(data)
    assert any(p.message.startswith(f"{field}:") for p in caught.value.problems)
