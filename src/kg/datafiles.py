"""Reading the curated YAML files into records, with errors naming file and record."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from kg.claim_defaults import Flattened, flatten
from kg.errors import DataError, Problem
from kg.iris import is_slug
from kg.records import (
    CLAIM_KINDS,
    ENTITY_MODELS,
    REGISTRY_FILES,
    Entity,
    FactFile,
    refuse_wide_digits,
)
from kg.settings import DEFAULT_DATA_DIR
from kg.yamlreader import FieldPath, YamlFile, YamlFileError, read_yaml_file


@dataclass
class CuratedData:
    """Everything in data/: registry entities by id, and one fact file per source."""

    data_dir: Path
    entities: dict[str, Entity] = field(default_factory=dict)
    entity_files: dict[str, str] = field(default_factory=dict)
    facts: dict[str, FactFile] = field(default_factory=dict)
    fact_files: dict[str, str] = field(default_factory=dict)
    #: (source id, claim id) -> {field: where its default value came from}
    inherited: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if kind == e.KIND]


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, name: str, problems: list[Problem], data_dir: Path
               ) -> YamlFile | None:
    try:
        return read_yaml_file(path, within=data_dir)
    except YamlFileError as exc:
        problems.append(Problem(name, None, str(exc)))
        return None


def _message(item: Mapping[str, Any]) -> str:
    """One pydantic error as a reason for people (type errors say what they got)."""
    message = str(item["msg"]).removeprefix("Value error, ")
    if isinstance(item.get("input"), str) and item["type"] in ("int_parsing",
                                                               "string_pattern_mismatch"):
        try:
            refuse_wide_digits(item["input"])
        except ValueError as exc:
            return str(exc)
    if item["type"].endswith(("_type", "_parsing")) and "input" in item:
        message += f" (got {_shown(item['input'])})"
    elif item["type"] == "extra_forbidden":
        message = "unknown field"
    return message


def _errors(exc: PydanticValidationError) -> list[tuple[list[Any], str]]:
    """(location, reason) of each schema error; a misspelt field is one error, not two.

    `valeu: 4.5` gives both 'value: Field required' and 'valeu: Extra inputs are not
    permitted'; they are reported together as "valeu: unknown field (did you mean
    'value'?)".
    """
    items = exc.errors()
    missing = {tuple(e["loc"]): e for e in items if e["type"] == "missing"}
    out: list[tuple[list[Any], str]] = []
    used: set[tuple[Any, ...]] = set()
    for item in items:
        loc = tuple(item["loc"])
        if item["type"] == "extra_forbidden":
            names = [str(m[-1]) for m in missing if m[:-1] == loc[:-1] and m not in used]
            close = difflib.get_close_matches(str(loc[-1]), names, n=1)
            if close:
                used.add((*loc[:-1], close[0]))
                out.append((list(loc), f"unknown field (did you mean {close[0]!r}?)"))
                continue
        out.append((list(loc), _message(item)))
    return [(loc, m) for loc, m in out if tuple(loc) not in used]


def _shown(value: Any) -> str:
    kind = {bool: "yes/no", int: "number", Decimal: "number", float: "number", str: "text",
            list: "list", dict: "mapping", type(None): "nothing"}.get(type(value), "value")
    text = repr(value if not isinstance(value, Decimal) else format(value, "f"))
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def _where(loc: Iterable[Any]) -> str:
    return ".".join(str(p) for p in loc)


def _record_label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and is_slug(raw["id"]):
        return raw["id"]
    if isinstance(raw, dict) and isinstance(raw.get("id"), str | int) and str(raw["id"]).strip():
        return repr(raw["id"]) if not str(raw["id"]).isprintable() else str(raw["id"])
    return f"#{index + 1}"


def _findings_by_record(
    document: YamlFile, record_of: Callable[[FieldPath], tuple[str | None, FieldPath]]
) -> dict[str | None, list[str]]:
    """Value problems found while reading, as reasons grouped by record label."""
    out: dict[str | None, list[str]] = {}
    for path, reason in document.findings:
        label, rest = record_of(path)
        where = _where(rest)
        out.setdefault(label, []).append(f"{where}: {reason}" if where else reason)
    return out


def load_registry(data_dir: Path, problems: list[Problem], data: CuratedData,
                  kinds: Iterable[str] = REGISTRY_FILES) -> None:
    for kind in kinds:
        filename = REGISTRY_FILES[kind]
        path = data_dir / "registry" / filename
        name = _relative(path, data_dir)
        if not path.exists() and not path.is_symlink():
            continue  # an absent registry file: no entities of that kind
        document = _read_yaml(path, name, problems, data_dir)
        if document is None:
            continue
        raw = document.data
        if not isinstance(raw, list):
            problems.append(Problem(name, None, f"expected a list of {kind} records, got "
                                                f"{_shown(raw)}"))
            continue

        def record_of(path: FieldPath, raw: list = raw) -> tuple[str | None, FieldPath]:
            if path and isinstance(path[0], int):
                return _record_label(raw[path[0]], path[0]), path[1:]
            return None, path

        flagged = _findings_by_record(document, record_of)
        model = ENTITY_MODELS[kind]
        for index, item in enumerate(raw):
            label = _record_label(item, index)
            if label in flagged:
                problems.extend(Problem(name, label, m) for m in flagged[label])
                continue
            if not isinstance(item, dict):
                problems.append(Problem(name, label, f"expected a mapping of fields, got "
                                                     f"{_shown(item)}"))
                continue
            try:
                entity = model.model_validate(item)
            except PydanticValidationError as exc:
                problems.extend(Problem(name, label, f"{_where(loc)}: {m}" if loc else m)
                                for loc, m in _errors(exc))
                continue
            if entity.id in data.entities:
                first = data.entity_files[entity.id]
                other = data.entities[entity.id]
                hint = (f"; namesakes take {entity.id}-2, {entity.id}-3..."
                        if kind == "person" == other.KIND else "")
                problems.append(Problem(name, label, f"duplicate id: {other.KIND} {entity.id!r} "
                                                     f"in {first} has it already{hint}"))
                continue
            data.entities[entity.id] = entity
            data.entity_files[entity.id] = name


def load_facts(data_dir: Path, problems: list[Problem], data: CuratedData) -> None:
    folder = data_dir / "facts"
    if not folder.is_dir():
        problems.append(Problem(_relative(folder, data_dir), None, "folder not found"))
        return
    for path in sorted(folder.glob("*.yaml")):
        name = _relative(path, data_dir)
        document = _read_yaml(path, name, problems, data_dir)
        if document is None:
            continue
        raw = document.data
        if not isinstance(raw, dict):
            problems.append(Problem(name, None, f"expected a mapping with 'source' and 'claims', "
                                                f"got {_shown(raw)}"))
            continue
        flat = flatten(raw)
        claims = [c.raw for c in flat.claims]

        def record_of(path: FieldPath, flat: Flattened = flat) -> tuple[str | None, FieldPath]:
            for size in range(len(path), 0, -1):
                if path[:size] in flat.labels:
                    return flat.labels[path[:size]], path[size:]
            for index, claim in enumerate(flat.claims):
                if path[:len(claim.path)] == claim.path:
                    return _record_label(claim.raw, index), path[len(claim.path):]
            if path[:1] == ("source",):
                return "source", path[1:]
            return None, path

        flagged = _findings_by_record(document, record_of)
        if flagged or flat.problems:
            for label, reasons in flagged.items():
                problems.extend(Problem(name, label, m) for m in reasons)
            problems.extend(Problem(name, label, m) for label, m in flat.problems)
            continue
        seen: set[str] = set()
        for index, claim in enumerate(claims):
            label = _record_label(claim, index)
            if label in seen:
                problems.append(Problem(name, label, "duplicate claim id in this file"))
            seen.add(label)
        try:
            facts = FactFile.model_validate({**{k: v for k, v in raw.items() if k != "defaults"},
                                             "claims": claims})
        except PydanticValidationError as exc:
            for loc, message in _errors(exc):
                label: str | None = "source"
                origin = None
                if loc[:1] == ["claims"] and len(loc) > 1 and isinstance(loc[1], int):
                    label = _record_label(claims[loc[1]], loc[1])
                    inherited = flat.claims[loc[1]].inherited
                    loc = loc[2:]
                    if loc and loc[0] in CLAIM_KINDS:
                        loc = loc[1:]
                    origin = inherited.get(str(loc[0])) if loc else None
                elif loc[:1] == ["source"]:
                    loc = loc[1:]
                else:
                    label = None
                where = _where(loc)
                if origin:
                    message += f" (the value comes from {origin})"
                problems.append(Problem(name, label, f"{where}: {message}" if where else message))
            continue
        if facts.source.id != path.stem:
            problems.append(Problem(name, "source", f"id: {facts.source.id!r} does not match "
                                                    f"the file name {path.name}"))
            continue
        if facts.source.id in data.facts:
            problems.append(
                Problem(name, "source", f"source id {facts.source.id!r} also used by "
                        f"{data.fact_files[facts.source.id]}")
            )
            continue
        data.facts[facts.source.id] = facts
        data.fact_files[facts.source.id] = name
        for claim, flat_claim in zip(facts.claims, flat.claims, strict=True):
            if flat_claim.inherited:
                data.inherited[(facts.source.id, claim.id)] = flat_claim.inherited


def load_registry_of(data_dir: Path, *kinds: str) -> CuratedData:
    """Read and schema-check the registry files of `kinds` alone (no fact files); raise
    DataError listing every problem."""
    data = CuratedData(data_dir=data_dir)
    problems: list[Problem] = []
    load_registry(data_dir, problems, data, kinds)
    if problems:
        raise DataError(problems)
    return data


def load_curated(data_dir: Path | None = None) -> CuratedData:
    """Read and schema-check every data file; raise DataError listing every problem."""
    data_dir = Path(data_dir or DEFAULT_DATA_DIR)
    if not data_dir.is_dir():
        raise DataError([Problem(str(data_dir), None, "data folder not found")])
    data = CuratedData(data_dir=data_dir)
    problems: list[Problem] = []
    load_registry(data_dir, problems, data)
    load_facts(data_dir, problems, data)
    if problems:
        raise DataError(problems)
    return data
