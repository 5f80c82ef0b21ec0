"""Reading the curated YAML files into records, with errors naming file and record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kg.errors import DataError, Problem
from kg.records import ENTITY_MODELS, REGISTRY_FILES, Entity, FactFile
from kg.settings import Settings

DEFAULT_DATA_DIR = Settings().data_dir


@dataclass
class CuratedData:
    """Everything in data/: registry entities by id, and one fact file per source."""

    data_dir: Path
    entities: dict[str, Entity] = field(default_factory=dict)
    entity_files: dict[str, str] = field(default_factory=dict)
    facts: dict[str, FactFile] = field(default_factory=dict)
    fact_files: dict[str, str] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if kind == e.KIND]


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, name: str, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(Problem(name, None, f"not valid YAML{where}: {reason}"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, None, f"cannot be read: {exc}"))
    return None


def _describe(error: ValidationError) -> list[str]:
    """Pydantic errors as 'field.path: message' strings."""
    out = []
    for item in error.errors():
        location = ".".join(str(p) for p in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        out.append(f"{location}: {message}" if location else message)
    return out


def _record_label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and raw.get("id") is not None:
        return str(raw["id"])
    return f"#{index + 1}"


def load_registry(data_dir: Path, problems: list[Problem], data: CuratedData) -> None:
    for kind, filename in REGISTRY_FILES.items():
        path = data_dir / "registry" / filename
        name = _relative(path, data_dir)
        if not path.exists():
            continue
        raw = _read_yaml(path, name, problems)
        if raw is None:
            continue
        if not isinstance(raw, list):
            problems.append(Problem(name, None, "expected a list of records"))
            continue
        model = ENTITY_MODELS[kind]
        for index, item in enumerate(raw):
            label = _record_label(item, index)
            if not isinstance(item, dict):
                problems.append(Problem(name, label, "expected a mapping of fields"))
                continue
            try:
                entity = model.model_validate(item)
            except ValidationError as exc:
                problems.extend(Problem(name, label, m) for m in _describe(exc))
                continue
            if entity.id in data.entities:
                first = data.entity_files[entity.id]
                problems.append(Problem(name, label, f"duplicate id (also in {first})"))
                continue
            data.entities[entity.id] = entity
            data.entity_files[entity.id] = name


def load_facts(data_dir: Path, problems: list[Problem], data: CuratedData) -> None:
    for path in sorted((data_dir / "facts").glob("*.yaml")):
        name = _relative(path, data_dir)
        raw = _read_yaml(path, name, problems)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(name, None, "expected a mapping with 'source' and 'claims'"))
            continue
        claims = raw.get("claims") if isinstance(raw.get("claims"), list) else []
        seen: set[str] = set()
        for index, claim in enumerate(claims):
            label = _record_label(claim, index)
            if label in seen:
                problems.append(Problem(name, label, "duplicate claim id in this file"))
            seen.add(label)
        try:
            facts = FactFile.model_validate(raw)
        except ValidationError as exc:
            for item in exc.errors():
                loc = list(item["loc"])
                label = "source"
                if loc[:1] == ["claims"] and len(loc) > 1 and isinstance(loc[1], int):
                    label = _record_label(claims[loc[1]], loc[1])
                    loc = loc[2:]
                    if loc and loc[0] in ("post", "target", "measurement", "statement", "mention"):
                        loc = loc[1:]
                elif loc[:1] == ["source"]:
                    loc = loc[1:]
                else:
                    label = None
                where = ".".join(str(p) for p in loc)
                message = item["msg"].removeprefix("Value error, ")
                problems.append(Problem(name, label, f"{where}: {message}" if where else message))
            continue
        if facts.source.id in data.facts:
            problems.append(
                Problem(name, "source", f"source id {facts.source.id!r} also used by "
                        f"{data.fact_files[facts.source.id]}")
            )
            continue
        data.facts[facts.source.id] = facts
        data.fact_files[facts.source.id] = name


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
