"""Typed relations a source states (`relation` claims): each relation ties a subject of the
kinds it allows to an object of the kinds it allows (`kg.records.RELATIONS`, mirroring the
domain and range of its ontology property)."""

from __future__ import annotations

from kg.datafiles import CuratedData
from kg.errors import Problem
from kg.records import RELATIONS, RelationClaim


def check_relations(data: CuratedData, problems: list[Problem]) -> None:
    """Add a problem for every relation whose subject or object is of a kind it does not
    allow (unknown ids are reported by the reference check)."""
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        for claim in facts.claims:
            if not isinstance(claim, RelationClaim):
                continue
            _, subjects, objects = RELATIONS[claim.relation]
            for field, ref, kinds in (("subject", claim.subject, subjects),
                                      ("object", claim.object, objects)):
                entity = data.entities.get(ref)
                if entity is not None and entity.KIND not in kinds:
                    problems.append(Problem(
                        file, claim.id, f"{field}: {ref!r} is a {entity.KIND}; the {field} of "
                        f"{claim.relation!r} is a {' or '.join(kinds)}"))
