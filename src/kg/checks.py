"""Cross-record checks: references, aliases, source files and verbatim quotes."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Sequence
from pathlib import Path

from kg.articles import check_articles
from kg.attribution import check_attributions
from kg.datafiles import CuratedData
from kg.date_convention import check_date_convention
from kg.errors import DataError, Problem
from kg.indicator_units import check_indicator_units
from kg.iris import ENTITY_PATHS
from kg.policy_content import check_policy_content
from kg.policy_links import check_policy_links
from kg.printed_names import check_printed_names
from kg.records import Record
from kg.relations import check_relations
from kg.review import check_reviewed
from kg.sources import (
    SourceFileError,
    find_quote,
    find_source,
    locate_source,
    read_source_text,
    sha256_of,
    source_folders,
)
from kg.unit_words import check_unit_words

Offsets = dict[tuple[str, str], tuple[int, int]]


def _check_reference(
    data: CuratedData, record: Record, file: str, label: str, problems: list[Problem],
    inherited: dict[str, str] | None = None,
) -> None:
    """Each reference names an entity of a kind the field allows; a value a claim took
    from defaults says so (inherited: field -> where the default is)."""
    for field, ref, kinds in record.references():
        found: list[str] = []
        target = data.entities.get(ref)
        if target is None:
            candidates = [i for i, e in data.entities.items() if e.KIND in kinds]
            close = difflib.get_close_matches(ref, candidates, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            found.append(f"{field}: unknown {'/'.join(kinds)} {ref!r}{hint}")
        elif target.KIND not in kinds:
            found.append(f"{field}: {ref!r} is a {target.KIND}, expected {' or '.join(kinds)}")
        origin = (inherited or {}).get(field)
        problems.extend(Problem(file, label, f"{m} (the value comes from {origin})" if origin
                                else m) for m in found)


def check_references(data: CuratedData, problems: list[Problem]) -> None:
    for entity_id, entity in data.entities.items():
        _check_reference(data, entity, data.entity_files[entity_id], entity_id, problems)
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        _check_reference(data, facts.source, file, "source", problems)
        for claim in facts.claims:
            _check_reference(data, claim, file, claim.id, problems,
                             data.inherited.get((source_id, claim.id)))


def check_replaced_iris(data: CuratedData, problems: list[Problem]) -> None:
    """An IRI an entity replaces is no current entity's, and only one entity replaces it."""
    current = {f"{ENTITY_PATHS[e.KIND]}/{e.id}": e.id for e in data.entities.values()}
    seen: dict[str, str] = {}
    for entity_id, entity in data.entities.items():
        for path in entity.replaces:
            if path in current:
                problems.append(Problem(data.entity_files[entity_id], entity_id,
                                        f"replaces: {path!r} is the IRI of the current "
                                        f"record {current[path]!r}"))
            elif seen.setdefault(path, entity_id) != entity_id:
                problems.append(Problem(data.entity_files[entity_id], entity_id,
                                        f"replaces: {path!r} is replaced by {seen[path]!r} "
                                        f"already"))


def check_aliases(data: CuratedData, problems: list[Problem]) -> None:
    """A Chinese name or alias may denote only one entity of a kind."""
    owners: dict[tuple[str, str], str] = {}
    for entity_id, entity in data.entities.items():
        for name in {entity.name_zh, *entity.aliases_zh}:
            key = (entity.KIND, name)
            other = owners.setdefault(key, entity_id)
            if other != entity_id and entity.KIND not in ("person", "facility", "event"):
                problems.append(
                    Problem(data.entity_files[entity_id], entity_id,
                            f"name or alias {name!r} already names {entity.KIND} {other!r}")
                )


#: (kind, field) pairs that form a hierarchy: following them must never come back.
HIERARCHIES = (("region", "within"), ("agency", "parent"), ("department", "parent"),
               ("indicator", "broader"), ("facility", "operator"))


def check_hierarchies(data: CuratedData, problems: list[Problem]) -> None:
    """No region is (transitively) within itself; the same for parents and broader terms."""
    reported: set[frozenset[str]] = set()
    for kind, field in HIERARCHIES:
        for entity in data.of_kind(kind):
            chain = [entity.id]
            step = getattr(entity, field)
            while step in data.entities and step not in chain:
                chain.append(step)
                step = getattr(data.entities[step], field, None)
            if step != entity.id or frozenset(chain) in reported:
                continue
            reported.add(frozenset(chain))
            cycle = " -> ".join([*chain, entity.id])
            problems.append(Problem(data.entity_files[entity.id], entity.id,
                                    f"{field}: cycle {cycle}"))


def check_units(data: CuratedData, problems: list[Problem]) -> None:
    """A claim's value suits its unit: yes/no only with 'boolean', ratios within 0..1."""
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        for claim in facts.claims:
            value = getattr(claim, "value", None)
            indicator = data.entities.get(getattr(claim, "indicator", None) or "")
            if value is None or indicator is None:
                continue
            unit = getattr(claim, "unit", None) or getattr(indicator, "unit", None)
            shown = str(value).lower() if isinstance(value, bool) else format(value, "f")
            if isinstance(value, bool) != (unit == "boolean"):
                expected = "true or false" if unit == "boolean" else f"a number of {unit!r}"
                problems.append(Problem(file, claim.id, f"value: {shown} does not suit unit "
                                        f"{unit!r} of indicator {indicator.id!r} (expected "
                                        f"{expected})"))
            elif unit == "ratio" and not 0 <= value <= 1:
                problems.append(Problem(file, claim.id, f"value: {shown} is not a ratio "
                                                        f"(0..1) as unit 'ratio' requires"))


def check_sources(data: CuratedData, folders: Sequence[Path],
                  problems: list[Problem]) -> Offsets:
    """Each source file exists with its recorded SHA-256; each quote is in it verbatim."""
    offsets: Offsets = {}
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        try:
            path = locate_source(facts.source.file, folders)
        except (SourceFileError, OSError) as error:
            problems.append(Problem(file, "source", f"file: {error}"))
            continue
        digest = sha256_of(path)
        if digest != facts.source.sha256:
            problems.append(
                Problem(file, "source", f"sha256 of {facts.source.file} is {digest}, "
                        f"not {facts.source.sha256}")
            )
        try:
            text = read_source_text(path)
        except SourceFileError as error:
            problems.append(Problem(file, "source", f"file: {error}"))
            continue
        for claim in facts.claims:
            span = find_quote(text, claim.evidence)
            if span is None:
                problems.append(
                    Problem(file, claim.id, f"evidence quote not found verbatim in "
                            f"{facts.source.file}: {claim.evidence!r}")
                )
            else:
                offsets[(source_id, claim.id)] = span
    return offsets


def source_texts(data: CuratedData, folders: Sequence[Path]) -> dict[str, str]:
    """Text of every source whose file exists, by source id."""
    texts = {}
    for sid, facts in data.facts.items():
        path = find_source(facts.source.file, folders)
        with contextlib.suppress(SourceFileError):  # not UTF-8: check_sources reports it
            if path is not None:
                texts[sid] = read_source_text(path)
    return texts


def check_curated(data: CuratedData, seeds: Path | None = None,
                  corpus: Path | None = None) -> Offsets:
    """Run every cross-record check; return each quote's offsets or raise DataError."""
    problems: list[Problem] = []
    check_reviewed(data, problems)
    check_references(data, problems)
    check_aliases(data, problems)
    check_replaced_iris(data, problems)
    check_hierarchies(data, problems)
    check_units(data, problems)
    check_unit_words(data, problems)
    check_date_convention(data, problems)
    check_relations(data, problems)
    folders = source_folders(seeds, corpus)
    offsets = check_sources(data, folders, problems)
    texts = source_texts(data, folders)
    check_attributions(data, texts, problems, offsets)
    check_articles(data, texts, problems, offsets)
    check_printed_names(data, texts, problems)
    check_indicator_units(data, problems)
    check_policy_links(data, problems)
    check_policy_content(data, texts, problems)
    if problems:
        raise DataError(problems)
    return offsets
