"""Defaults in fact files: values a group of claims shares, stated once.

A fact file may give a top-level ``defaults:`` mapping, and its ``claims:`` list may
hold blocks ``{defaults: {...}, claims: [...]}`` (blocks may nest). A default applies
to every claim below it whose kind takes that field and that does not give the field
itself (a claim's own value, even ``null`` or ``[]``, always wins); inner defaults win
over outer ones. Defaults are applied to the raw mappings before validation, so the
records and the graph are the same as if every claim spelt the values out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, get_args

from kg.records import AnyClaim
from kg.yamlreader import FieldPath

#: claim kind -> model
CLAIM_MODELS: dict[str, Any] = {
    model.model_fields["kind"].annotation.__args__[0]: model
    for model in get_args(get_args(AnyClaim)[0])
}
#: fields that belong to one claim and never to a group
PER_CLAIM = ("id", "evidence", "note")
DEFAULTABLE = sorted({name for model in CLAIM_MODELS.values() for name in model.model_fields}
                     - set(PER_CLAIM))
BLOCK_KEYS = ("defaults", "claims")


@dataclass
class FlatClaim:
    """One claim with the defaults above it applied."""

    path: FieldPath  # where it sits in the file, e.g. ("claims", 3, "claims", 0)
    raw: Any
    #: field -> where its value came from ("the file's defaults", "the defaults at claims.3")
    inherited: dict[str, str] = field(default_factory=dict)


@dataclass
class Flattened:
    claims: list[FlatClaim] = field(default_factory=list)
    #: (record label, reason) of malformed defaults and blocks
    problems: list[tuple[str, str]] = field(default_factory=list)
    #: the path of each defaults mapping -> its record label
    labels: dict[FieldPath, str] = field(default_factory=dict)


def is_block(item: Any) -> bool:
    """A block is a mapping holding a list of claims (and no claim id of its own)."""
    return isinstance(item, dict) and "claims" in item and "id" not in item


def _where(path: FieldPath) -> str:
    return ".".join(str(p) for p in path)


def _checked_defaults(raw: Any, label: str, out: Flattened) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        out.problems.append((label, f"defaults: expected a mapping of claim fields, got {raw!r}"))
        return {}
    good = {}
    for key, value in raw.items():
        if key in PER_CLAIM:
            out.problems.append((label, f"defaults: {key!r} belongs to each claim, not to "
                                        "defaults"))
        elif key not in DEFAULTABLE:
            close = difflib.get_close_matches(str(key), DEFAULTABLE, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            out.problems.append((label, f"defaults: {key}: unknown claim field{hint}"))
        else:
            good[key] = value
    return good


def _apply(item: dict, defaults: dict[str, tuple[Any, str]]) -> tuple[dict, dict[str, str]]:
    kind = item.get("kind", defaults.get("kind", (None, ""))[0])
    model = CLAIM_MODELS.get(kind) if isinstance(kind, str) else None
    merged, inherited = dict(item), {}
    for key, (value, origin) in defaults.items():
        takes = key == "kind" if model is None else key in model.model_fields
        if key not in item and takes:
            merged[key] = value
            inherited[key] = origin
    return merged, inherited


def _walk(items: Any, path: FieldPath, defaults: dict[str, tuple[Any, str]],
          out: Flattened) -> None:
    if not isinstance(items, list):
        out.problems.append((f"{_where(path)}" if len(path) > 1 else "claims",
                             f"expected a list of claims, got {items!r}"))
        return
    for index, item in enumerate(items):
        here = (*path, index)
        if not is_block(item):
            if isinstance(item, dict):
                merged, inherited = _apply(item, defaults)
                out.claims.append(FlatClaim(here, merged, inherited))
            else:
                out.claims.append(FlatClaim(here, item))
            continue
        label = f"block {_where(here)}"
        out.labels[(*here, "defaults")] = label
        unknown = [str(k) for k in item if k not in BLOCK_KEYS]
        if unknown:
            out.problems.append((label, f"unknown block key(s) {', '.join(unknown)}; a block "
                                        "holds only 'defaults' and 'claims'"))
        own = _checked_defaults(item.get("defaults"), label, out)
        origin = f"the defaults of {label}"
        inner = {**defaults, **{k: (v, origin) for k, v in own.items()}}
        _walk(item["claims"], (*here, "claims"), inner, out)


def flatten(document: dict) -> Flattened:
    """The claims of a fact file with every default applied, and what is wrong with them."""
    out = Flattened()
    out.labels[("defaults",)] = "defaults"
    own = _checked_defaults(document.get("defaults"), "defaults", out)
    defaults = {k: (v, "the file's defaults") for k, v in own.items()}
    claims = document.get("claims")
    if isinstance(claims, list):
        _walk(claims, ("claims",), defaults, out)
    return out
