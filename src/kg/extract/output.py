"""Writing a draft: the fact file, and beside it the proposals and coverage for review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.extract.draft import Draft

HEADER = (
    "# Draft written by `kg extract`. Every claim is a candidate (review: candidate):\n"
    "# check it against the source, edit or delete it, then delete its review line.\n"
    "# `kg build` refuses the file while any candidate is left.\n"
)


def dump_yaml(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100)


def review_path(output: Path) -> Path:
    """Where the proposals and coverage of a draft go: NNN.yaml -> NNN.review.yaml."""
    return output.with_name(f"{output.stem}.review.yaml")


def write_draft(draft: Draft, output: Path) -> tuple[Path, Path]:
    """Write the draft fact file and its review companion; both paths."""
    output.write_text(HEADER + dump_yaml(draft.facts), encoding="utf-8")
    companion = review_path(output)
    companion.write_text(
        "# Proposed registry entries (append them to data/registry/FILE once checked)\n"
        "# and the coverage of the draft: every number and title, a candidate or skipped.\n"
        + dump_yaml({"registry": draft.proposals, "coverage": draft.coverage}),
        encoding="utf-8",
    )
    return output, companion


def summary_line(draft: Draft) -> str:
    kinds: dict[str, int] = {}
    for claim in draft.facts["claims"]:
        kinds[claim["kind"]] = kinds.get(claim["kind"], 0) + 1
    counts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no claims"
    proposed = sum(len(v) for v in draft.proposals.values())
    skipped = len(draft.coverage["skipped"])
    return (f"{len(draft.facts['claims'])} candidates ({counts}); {proposed} proposed registry "
            f"entries; {skipped} numbers/dates/titles skipped with a reason")
