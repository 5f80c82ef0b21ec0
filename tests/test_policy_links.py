"""Policy measures: every one is stated by a claim, and the graph leads from it to the quote."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from kg.build import BuildSummary
from kg.checks import check_curated
from kg.datafiles import load_curated
from kg.errors import DataError
from kg.namespaces import prefix_map
from kg.records import MentionClaim
from kg.store import EmbeddedStore


def _registry_policies(data_dir: Path) -> list[dict]:
    return yaml.safe_load((data_dir / "registry" / "policies.yaml").read_text(encoding="utf-8"))


def test_a_policy_no_claim_states_fails_naming_it(data_copy: Path, seeds: Path) -> None:
    policies = _registry_policies(data_copy)
    policies.append({"id": "made-up-measure", "name_zh": "虚构措施", "name_en": "Made-up measure"})
    (data_copy / "registry" / "policies.yaml").write_text(
        yaml.safe_dump(policies, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        check_curated(load_curated(data_copy), seeds)
    [problem] = caught.value.problems
    assert problem.record == "made-up-measure"
    assert problem.file.endswith("policies.yaml")
    assert "states_policy" in problem.message and "虚构措施" in problem.message


def test_states_policy_must_name_a_policy(data_copy: Path, seeds: Path) -> None:
    path = data_copy / "facts" / "002.yaml"
    text = path.read_text(encoding="utf-8")
    assert "states_policy: [one-county-one-policy-haemodialysis]" in text
    path.write_text(text.replace("states_policy: [one-county-one-policy-haemodialysis]",
                                 "states_policy: [nhc]"), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        check_curated(load_curated(data_copy), seeds)
    messages = [p.message for p in caught.value.problems]
    assert any("states_policy: 'nhc' is a agency, expected policy" in m for m in messages)


def test_a_mention_names_something() -> None:
    base = {"id": "x-a", "kind": "mention", "evidence": "某某措施"}
    assert MentionClaim.model_validate({**base, "states_policy": ["p-a"]}).states_policy == ["p-a"]
    with pytest.raises(ValidationError, match="names at least one entity"):
        MentionClaim.model_validate(base)


def select(location: Path, query: str) -> list[dict[str, str]]:
    store = EmbeddedStore.open(location)
    rows = store.select(query, prefixes=prefix_map(store.manifest["base_iri"]))
    return [{name: term.value for name, term in row.items()} for row in rows]


def test_measures_the_issue_lists_lead_to_their_quotes(
    built_store: tuple[Path, BuildSummary],
) -> None:
    """Each measure is a policy with that Chinese label, stated by a claim quoting it."""
    wanted = {
        "电子支付": "电子支付",
        "床旁结算": "床旁结算",
        "陪诊服务": "陪诊服务",
        "长期护理保险制度": "长期护理保",
        "一院一策": "一院一策",
        "丙类药品目录": "丙类",
        "门诊慢特病费用跨省直接结算": "门诊慢特病费用跨省直接结",
        '新生儿"出生即参"': "出生即参",
        "不发生规模性因病返贫致贫底线": "不发生规模性因病返贫致贫底线",
    }
    rows = select(built_store[0], """
        SELECT ?label ?quote WHERE {
          ?policy a hkg:PolicyMeasure ; rdfs:label ?label .
          FILTER(lang(?label) = "zh")
          ?claim hkg:statesPolicy ?policy ; hkg:evidence/oa:exact ?quote .
        }""")
    quotes: dict[str, list[str]] = {}
    for row in rows:
        quotes.setdefault(row["label"], []).append(row["quote"].replace(" ", "").replace("\n", ""))
    for label, fragment in wanted.items():
        assert label in quotes, label
        assert any(fragment in q for q in quotes[label]), (label, quotes[label])


def test_every_policy_in_the_graph_is_stated_by_a_claim(
    built_store: tuple[Path, BuildSummary],
) -> None:
    unstated = select(built_store[0], """
        SELECT ?p WHERE { ?p a hkg:PolicyMeasure FILTER NOT EXISTS { ?c hkg:statesPolicy ?p } }""")
    total = select(built_store[0], "SELECT (COUNT(?p) AS ?n) WHERE { ?p a hkg:PolicyMeasure }")
    assert unstated == []
    assert int(total[0]["n"]) >= 150
