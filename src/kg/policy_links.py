"""Every policy entity is stated by a claim: the graph links it to the quote that states it.

A policy measure, programme or pledge in the registry (`policies.yaml`) must be
named in some claim's ``states_policy``; a policy that no claim states has no
evidence in the sources and fails the check.
"""

from __future__ import annotations

from kg.datafiles import CuratedData
from kg.errors import Problem


def stated_policies(data: CuratedData) -> dict[str, list[str]]:
    """Policy id -> the claims ('source/claim') that state it."""
    out: dict[str, list[str]] = {}
    for source_id, facts in data.facts.items():
        for claim in facts.claims:
            for policy in getattr(claim, "states_policy", None) or []:
                out.setdefault(policy, []).append(f"{source_id}/{claim.id}")
    return out


def check_policy_links(data: CuratedData, problems: list[Problem]) -> None:
    """Add a problem for every policy entity that no claim states."""
    stated = stated_policies(data)
    for policy in data.of_kind("policy"):
        if policy.id not in stated:
            problems.append(Problem(
                data.entity_files[policy.id], policy.id,
                f"no claim states policy {policy.id!r} ({policy.name_zh}); add it to the "
                f"'states_policy' of the claim whose quote states it",
            ))
