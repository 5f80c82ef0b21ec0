"""What a policy does, checked against the sources that state it.

A policy's ``object_zh`` and ``scope_zh`` are the source's words: each must be printed in
a source one of whose claims states the policy (whitespace ignored). ``parts`` must not
loop. A claim's ``effective_from`` dates a policy it states, so it needs ``states_policy``.
"""

from __future__ import annotations

from kg.attribution import squeeze
from kg.datafiles import CuratedData
from kg.errors import Problem
from kg.policy_links import stated_policies
from kg.records import Policy


def check_policy_content(data: CuratedData, texts: dict[str, str],
                         problems: list[Problem]) -> None:
    """Add a problem for each policy field the sources do not bear out."""
    stated = stated_policies(data)
    flat = {source_id: squeeze(text) for source_id, text in texts.items()}
    for policy in data.of_kind("policy"):
        assert isinstance(policy, Policy)
        file = data.entity_files[policy.id]
        sources = {claim.split("/", 1)[0] for claim in stated.get(policy.id, [])}
        for field in ("object_zh", "scope_zh"):
            words = getattr(policy, field)
            if not words or not sources or not all(s in flat for s in sources):
                continue  # a policy no claim states is reported by check_policy_links
            if not any(squeeze(words) in flat[s] for s in sources):
                problems.append(Problem(
                    file, policy.id, f"{field}: {words!r} is not printed in the sources "
                    f"whose claims state {policy.id!r} ({', '.join(sorted(sources))}); copy "
                    f"the source's words"))
        _check_parts(data, policy, problems)
    for source_id, facts in data.facts.items():
        for claim in facts.claims:
            if getattr(claim, "effective_from", None) and not getattr(claim, "states_policy",
                                                                       None):
                problems.append(Problem(
                    data.fact_files[source_id], claim.id, "effective_from: dates a policy "
                    "the claim states; name it in states_policy"))


def _check_parts(data: CuratedData, policy: Policy, problems: list[Problem]) -> None:
    """A policy is not (transitively) a part of itself."""
    seen: set[str] = set()
    stack = list(policy.parts)
    while stack:
        part = stack.pop()
        if part == policy.id:
            problems.append(Problem(data.entity_files[policy.id], policy.id,
                                    f"parts: {policy.id!r} is (through its parts) a part "
                                    f"of itself"))
            return
        if part in seen or not isinstance(data.entities.get(part), Policy):
            continue
        seen.add(part)
        stack.extend(data.entities[part].parts)  # type: ignore[attr-defined]
