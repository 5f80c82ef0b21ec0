"""`kg diff FILE`: what a new or changed fact file adds to the published graph.

The published graph is built from the curated data folder, so the comparison is made
there: the file replaces (or joins) the fact file of its source id, and the report
lists new entities, new, removed and changed claims, figures that corroborate or
conflict with other sources' claims on the same indicator and place, and target
assessments whose status changes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import ValidationError

from kg.claim_defaults import flatten
from kg.datafiles import CuratedData, load_curated
from kg.derive import assess_targets, result_date
from kg.errors import DataError, Problem
from kg.extract.output import review_path
from kg.files import UnreadableFile, read_regular_file
from kg.records import FactFile, MeasurementClaim, TargetClaim
from kg.yamlreader import MAX_FILE_BYTES, YamlFileError, prescan


def _load_yaml(path: Path) -> Any:
    """A draft as `kg extract` wrote it (YAML 1.1, PyYAML's safe_dump), read as carefully as
    a data file: a regular file of bounded size, no anchors, nesting bounded."""
    text = read_regular_file(path, MAX_FILE_BYTES).decode("utf-8")
    prescan(text)
    return yaml.safe_load(text)


def read_fact_file(path: Path) -> FactFile:
    """A fact file (draft or reviewed) as records; DataError naming file and record."""
    try:
        document = _load_yaml(path)
    except (yaml.YAMLError, YamlFileError, UnreadableFile, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(path), None, f"cannot be read as YAML: {exc}")]) from None
    if not isinstance(document, dict):
        raise DataError([Problem(str(path), None, "expected a mapping with 'source' and "
                                                  "'claims'")])
    flat = flatten(document)  # the file's and blocks' defaults applied, as kg build does
    if flat.problems:
        raise DataError([Problem(str(path), label, message)
                         for label, message in flat.problems])
    claims = [c.raw for c in flat.claims]
    raw = {k: v for k, v in document.items() if k != "defaults"} | {"claims": claims}
    try:
        return FactFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for item in exc.errors():
            loc = list(item["loc"])
            label = None
            if loc[:1] == ["claims"] and len(loc) > 1 and isinstance(loc[1], int):
                claim = claims[loc[1]]
                label = str(claim.get("id", f"#{loc[1] + 1}") if isinstance(claim, dict)
                            else f"#{loc[1] + 1}")
            where = ".".join(str(p) for p in loc)
            problems.append(Problem(str(path), label, f"{where}: {item['msg']}"))
        raise DataError(problems) from None


def _proposed(path: Path) -> dict[str, str]:
    """Proposed registry ids (-> file) from the draft's companion review file, if any."""
    companion = review_path(path)
    if not companion.is_file():
        return {}
    try:
        raw = _load_yaml(companion) or {}
    except (yaml.YAMLError, YamlFileError, UnreadableFile, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(companion), None, f"cannot be read as YAML: {exc}")]
                        ) from None
    registry = raw.get("registry") or {}
    return {r["id"]: file for file, records in registry.items() for r in records or []}


def _describe(claim: Any) -> str:
    match claim:
        case MeasurementClaim() | TargetClaim():
            return f"{claim.kind} {claim.indicator} = {claim.value} at {claim.place}"
        case _:
            refs = ", ".join(ref for _f, ref, _k in claim.references())
            return f"{claim.kind} ({refs})"


def diff_report(path: Path, data: CuratedData) -> list[str]:
    """The lines of the report (pure: reads nothing but the file and its companion)."""
    new = read_fact_file(path)
    source_id = new.source.id
    old = data.facts.get(source_id)
    lines = [f"{path}: source {source_id} "
             + ("changes an existing fact file" if old else "is a new source")]

    proposed = _proposed(path)
    unknown = sorted({ref for c in new.claims for _f, ref, _k in c.references()
                      if ref not in data.entities})
    lines.append(f"\nnew entities ({len(unknown)}):")
    for ref in unknown:
        where = f"proposed in {proposed[ref]}" if ref in proposed else "not in the registry"
        lines.append(f"  + {ref} ({where})")

    old_claims = {c.id: c for c in old.claims} if old else {}
    new_claims = {c.id: c for c in new.claims}
    added = [c for i, c in new_claims.items() if i not in old_claims]
    removed = [c for i, c in old_claims.items() if i not in new_claims]
    changed = [c for i, c in new_claims.items() if i in old_claims and c != old_claims[i]]
    lines.append(f"\nclaims: {len(added)} new, {len(changed)} changed, {len(removed)} removed")
    lines += [f"  + {c.id}: {_describe(c)}" for c in added]
    lines += [f"  ~ {c.id}: {_describe(c)}" for c in changed]
    lines += [f"  - {c.id}: {_describe(c)}" for c in removed]

    after = dataclasses.replace(data, facts={**data.facts, source_id: new})
    lines += _agreements(new, after)
    lines += _assessment_changes(data, after)
    return lines


def _agreements(new: FactFile, after: CuratedData) -> list[str]:
    """Figures of the file that other sources corroborate or contradict."""
    out = []
    for claim in new.claims:
        if not isinstance(claim, MeasurementClaim | TargetClaim):
            continue
        for source_id, facts in sorted(after.facts.items()):
            if source_id == new.source.id:
                continue
            for other in facts.claims:
                if (type(other) is not type(claim) or other.indicator != claim.indicator
                        or other.place != claim.place):
                    continue
                if isinstance(claim, TargetClaim):
                    same_time = other.deadline == claim.deadline
                else:
                    same_time = _date(new, claim, after) == _date(facts, other, after)
                if other.value == claim.value:
                    out.append(f"  = {claim.id} corroborates {source_id}/{other.id} "
                               f"({claim.indicator} = {claim.value})")
                elif same_time:
                    out.append(f"  ! {claim.id} conflicts with {source_id}/{other.id} "
                               f"({claim.indicator}: {claim.value} vs {other.value})")
    return ["\ncorroborations and conflicts:", *(out or ["  (none)"])]


def _date(facts: FactFile, claim: MeasurementClaim, data: CuratedData) -> str | None:
    try:
        return result_date(facts, claim, data)
    except KeyError:
        return None  # an event not yet in the registry


def _assessment_changes(before: CuratedData, after: CuratedData) -> list[str]:
    """Target assessments that the file adds or whose status it changes."""
    try:
        old = {(a.source_id, a.target.id): a.status for a in assess_targets(before)}
        new = {(a.source_id, a.target.id): a.status for a in assess_targets(after)}
    except KeyError as exc:
        return ["\nassessments:", f"  (not computed: {exc} is not in the registry yet)"]
    out = []
    for key, status in sorted(new.items()):
        if key not in old:
            out.append(f"  + {key[0]}/{key[1]}: {status}")
        elif old[key] != status:
            out.append(f"  ~ {key[0]}/{key[1]}: {old[key]} -> {status}")
    out += [f"  - {k[0]}/{k[1]}: was {s}" for k, s in sorted(old.items()) if k not in new]
    return ["\nassessments that change:", *(out or ["  (none)"])]


def diff_main(path: Path, data_dir: Path | None) -> None:
    """Print the report of `kg diff`."""
    click.echo("\n".join(diff_report(path, load_curated(data_dir))))
