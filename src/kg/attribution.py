"""Attributions the text makes: who reported, announced or said each claim, and where the
text says so.

A claim's actors (``reported_by``, ``announced_by``, ``speaker``) carry a basis
(`kg.records.Attribution`). The check holds the text to it:

* ``stated-in-clause`` (written, or taken when no attribution is given): every actor is
  named in the claim's own quote;
* ``speaker-heading``, ``byline``, ``lead``: the attribution's ``evidence`` is verbatim in
  the source and names every actor;
* ``inferred``: the curators' ``reason``; an ``evidence`` given is verbatim in the source.

An actor is named by its Chinese name, a Chinese alias, a name the claim records as printed
(``printed_names``), or the name a post claim of the same source prints beside the person's
post (``name_as_stated``). The comparison ignores whitespace,
since the page layout leaves spaces and line breaks inside names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.datafiles import CuratedData
from kg.errors import Problem
from kg.records import Attribution, Claim, FactFile, PostClaim
from kg.sources import find_quote

ACTOR_FIELDS = ("reported_by", "announced_by", "speaker")
#: key of an attribution's evidence in the offsets map: (source id, ATTRIBUTION_KEY + claim id)
ATTRIBUTION_KEY = "@attribution/"
_SPACE = re.compile(r"\s+")
_HOW_TO = ("give 'attribution: {basis: speaker-heading|byline|lead, evidence: <the words "
           "naming the actor>}', or '{basis: inferred, reason: ...}'")


def squeeze(text: str) -> str:
    """Text without any whitespace (the layout's spaces and line breaks)."""
    return _SPACE.sub("", text)


def printed_names(data: CuratedData, facts: FactFile, entity_id: str,
                  claim: Claim | None = None) -> set[str]:
    """Every name under which the source may print an entity for a claim: its names, the
    claim's own ``printed_names`` and the names the source's post claims print beside the
    person's post (``name_as_stated``)."""
    entity = data.entities[entity_id]
    names = {entity.name_zh, *entity.aliases_zh}
    names.update(
        c.name_as_stated for c in facts.claims
        if isinstance(c, PostClaim) and c.person == entity_id and c.name_as_stated
    )
    if claim is not None and entity_id in claim.printed_names:
        names.add(claim.printed_names[entity_id].name)
    return {squeeze(n) for n in names if squeeze(n)}


def actors(claim: Claim) -> Iterator[tuple[str, str]]:
    """(field, actor id) for each reporter, announcer and speaker of the claim."""
    for field in ACTOR_FIELDS:
        for actor in getattr(claim, field, None) or []:
            yield field, actor


def basis_of(claim: Claim) -> Attribution | None:
    """The claim's attribution; stated-in-clause when it has actors and gives none."""
    given = getattr(claim, "attribution", None)
    if given is not None or not any(actors(claim)):
        return given
    return Attribution(basis="stated-in-clause")


def check_attributions(data: CuratedData, texts: dict[str, str], problems: list[Problem],
                       offsets: dict[tuple[str, str], tuple[int, int]]) -> None:
    """Add a problem for every actor the text does not name where its basis says; record
    the offsets of each attribution's evidence (sources whose file is missing are skipped).
    """
    for source_id, facts in data.facts.items():
        text = texts.get(source_id)
        if text is None:
            continue
        file = data.fact_files[source_id]
        for claim in facts.claims:
            attribution = basis_of(claim)
            if attribution is None:
                continue
            if attribution.evidence:
                span = find_quote(text, attribution.evidence)
                if span is None:
                    problems.append(Problem(
                        file, claim.id, f"attribution: evidence not found verbatim in "
                        f"{facts.source.file}: {attribution.evidence!r}"))
                    continue
                offsets[(source_id, ATTRIBUTION_KEY + claim.id)] = span
            if attribution.inferred:
                continue
            where, passage = (("this claim's quote", claim.evidence)
                              if attribution.basis == "stated-in-clause"
                              else ("the attribution's evidence", attribution.evidence or ""))
            flat = squeeze(passage)
            for field, actor in actors(claim):
                if actor not in data.entities:
                    continue  # reported by check_references
                if not any(name in flat for name in printed_names(data, facts, actor, claim)):
                    entity = data.entities[actor]
                    problems.append(Problem(
                        file, claim.id,
                        f"{field}: {actor!r} ({entity.name_zh}) is not named in {where} "
                        f"(basis {attribution.basis}); {_HOW_TO}"))
