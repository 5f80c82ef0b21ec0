"""Attributions the text makes: every named reporter, announcer or speaker is in the source.

A claim's actors (``reported_by``, ``announced_by``, ``speaker``) must be named in
its source: the entity's Chinese name, one of its Chinese aliases, or (for a person)
a name the same source prints for them (``name_as_stated`` on a post claim). The
comparison ignores whitespace, since the page layout leaves spaces and line breaks
inside names. A claim whose actor the text does not name says so with
``attribution: {inferred: true, reason: ...}``; it is then not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kg.datafiles import CuratedData
from kg.errors import Problem
from kg.records import FactFile, PostClaim

ACTOR_FIELDS = ("reported_by", "announced_by", "speaker")
_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text without any whitespace (the layout's spaces and line breaks)."""
    return _SPACE.sub("", text)


def printed_names(data: CuratedData, facts: FactFile, entity_id: str) -> set[str]:
    """Every name under which the source may print an entity."""
    entity = data.entities[entity_id]
    names = {entity.name_zh, *entity.aliases_zh}
    names.update(
        c.name_as_stated for c in facts.claims
        if isinstance(c, PostClaim) and c.person == entity_id and c.name_as_stated
    )
    return {squeeze(n) for n in names if squeeze(n)}


def unnamed_actors(data: CuratedData, facts: FactFile, text: str) -> Iterable[tuple[str, str, str]]:
    """(claim id, field, actor id) for each actor the source text never names.

    Claims marked ``attribution: {inferred: true}`` are skipped.
    """
    flat = squeeze(text)
    for claim in facts.claims:
        attribution = getattr(claim, "attribution", None)
        if attribution is not None and attribution.inferred:
            continue
        for field in ACTOR_FIELDS:
            for actor in getattr(claim, field, None) or []:
                if actor not in data.entities:
                    continue  # reported by check_references
                if not any(name in flat for name in printed_names(data, facts, actor)):
                    yield claim.id, field, actor


def check_attributions(data: CuratedData, texts: dict[str, str], problems: list[Problem]) -> None:
    """Add a problem for every actor the claim's source does not name.

    `texts` maps source id -> source text (sources whose file is missing are skipped).
    """
    for source_id, facts in data.facts.items():
        text = texts.get(source_id)
        if text is None:
            continue
        file = data.fact_files[source_id]
        for claim_id, field, actor in unnamed_actors(data, facts, text):
            entity = data.entities[actor]
            problems.append(Problem(
                file, claim_id,
                f"{field}: {actor!r} ({entity.name_zh}) is not named in {facts.source.file}; "
                f"name an actor the text names, or mark the attribution "
                f"'attribution: {{inferred: true, reason: ...}}'",
            ))
