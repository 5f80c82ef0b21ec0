"""Names as printed: where a claim's actor or subject is printed otherwise than the entity
it was resolved to (徐民 for 徐建), the claim records the printed name and how it was
resolved (`kg.records.PrintedName`).

Checks: the entity exists and is one the claim names (an actor, the person of a post, what
it is about); the printed name is in the source (whitespace ignored, as the layout splits
names); it differs from the entity's name and aliases (else there is nothing to record).
The resolution itself (stated, or inferred with a reason) is required by the record.
"""

from __future__ import annotations

from kg.attribution import squeeze
from kg.datafiles import CuratedData
from kg.errors import Problem
from kg.records import Claim


def named_entities(claim: Claim) -> set[str]:
    """The ids a claim refers to (actors, post holder, subjects, what it is about...)."""
    return {ref for _, ref, _ in claim.references()}


def check_printed_names(data: CuratedData, texts: dict[str, str],
                        problems: list[Problem]) -> None:
    """Add a problem for each printed name the data or the text does not bear out."""
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        text = texts.get(source_id)
        flat = squeeze(text) if text is not None else None
        for claim in facts.claims:
            for entity_id, printed in claim.all_printed_names().items():
                where = f"printed_names: {entity_id}"
                entity = data.entities.get(entity_id)
                if entity is None:
                    problems.append(Problem(file, claim.id, f"{where}: unknown entity "
                                                            f"{entity_id!r}"))
                    continue
                if entity_id not in named_entities(claim):
                    problems.append(Problem(
                        file, claim.id, f"{where}: this claim does not name {entity_id!r} "
                        f"(a printed name belongs to an actor, subject or entity of the claim)"))
                names = {squeeze(n) for n in (entity.name_zh, *entity.aliases_zh)}
                if squeeze(printed.name) in names:
                    problems.append(Problem(
                        file, claim.id, f"{where}: {printed.name!r} is already a name of "
                        f"{entity_id!r}; record only a name printed otherwise"))
                if flat is not None and squeeze(printed.name) not in flat:
                    problems.append(Problem(
                        file, claim.id, f"{where}: {printed.name!r} is not printed in "
                        f"{facts.source.file}"))
