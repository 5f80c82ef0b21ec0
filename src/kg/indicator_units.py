"""One indicator, one unit: every target and measurement of an indicator is in its unit.

An indicator means one quantity of one population in one unit. A claim that states
its figure in another unit (`unit:` differing from the indicator's) mixes two
quantities under one name and is an error: give it an indicator of its own.
"""

from __future__ import annotations

from kg.datafiles import CuratedData
from kg.errors import Problem
from kg.records import MeasurementClaim, TargetClaim


def check_indicator_units(data: CuratedData, problems: list[Problem]) -> None:
    """Add a problem for every target or measurement whose unit is not its indicator's."""
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        for claim in facts.claims:
            if not isinstance(claim, TargetClaim | MeasurementClaim) or claim.unit is None:
                continue
            if claim.unit not in data.entities:
                continue  # an unknown unit is reported once, by the reference check
            indicator = data.entities.get(claim.indicator)
            expected = getattr(indicator, "unit", None)
            if expected is not None and claim.unit != expected:
                problems.append(Problem(
                    file, claim.id,
                    f"unit: {claim.unit!r} differs from the unit {expected!r} of indicator "
                    f"{claim.indicator!r}; one indicator holds one quantity in one unit, so "
                    f"give this figure an indicator in {claim.unit!r}",
                ))
