"""Precision and recall of `kg extract` against the curated fact files of the five sources.

Runs the extractor (the code behind `kg extract`) on each source text and compares
its candidates with what the curators recorded:

* officials: (name as printed, post title, organisation) of every post claim; the
  organisation matches by id or by name (one containing the other);
* figures: (value, unit) of every numeric measurement and target; "strict" needs the
  same unit id, "class" only the same kind of unit (percent, per-1000, a count);
* targets: the same for target claims only;
* documents: 《titles》 the curators linked to a registry document.

Two registries: "registry" links names with the curated registry (as a curator adding
a sixth source would); "cold" runs with an empty registry (no names known), the
harder case of an article whose officials and bodies are all new.

    uv run python bench/extract.py
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from kg.datafiles import CuratedData, load_curated
from kg.extract.draft import Draft, Extractor
from kg.sources import seeds_dir, sha256_of

PERCENT = {"percent"}
PER_1000 = {"places-per-1000", "per-1000", "permille"}


def unit_class(unit: str | None) -> str:
    if unit in PERCENT:
        return "percent"
    if unit in PER_1000:
        return "per-1000"
    return "count"


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)


def names_of(entity_id: str, data: CuratedData, draft: Draft | None = None) -> set[str]:
    entity = data.entities.get(entity_id)
    if entity is not None:
        return {_bare(n) for n in (entity.name_zh, *entity.aliases_zh)}
    if draft is not None:
        for table in draft.proposals.values():
            for record in table:
                if record["id"] == entity_id:
                    return {_bare(record["name_zh"])}
    return set()


def match(truth: list[Any], found: list[Any], same: Callable[[Any, Any], bool]) -> int:
    """Greedy one-to-one matching: how many found items match a distinct truth item."""
    left = list(truth)
    hits = 0
    for item in found:
        for index, expected in enumerate(left):
            if same(expected, item):
                hits += 1
                del left[index]
                break
    return hits


def curated_officials(data: CuratedData, sid: str) -> list[tuple[str, str, str, set[str]]]:
    out = []
    for claim in data.facts[sid].claims:
        if claim.kind == "post":
            name = claim.name_as_stated or data.entities[claim.person].name_zh
            out.append((name, claim.title_zh, claim.organization,
                        names_of(claim.organization, data)))
    return out


def draft_officials(draft: Draft, data: CuratedData) -> list[tuple[str, str, str, set[str]]]:
    out = []
    for claim in draft.facts["claims"]:
        if claim["kind"] == "post":
            person = data.entities.get(claim["person"])
            name = claim.get("name_as_stated") or (
                person.name_zh if person else min(names_of(claim["person"], data, draft)))
            out.append((name, claim["title_zh"], claim["organization"],
                        names_of(claim["organization"], data, draft)))
    return out


def same_official(a: tuple[str, str, str, set[str]], b: tuple[str, str, str, set[str]]) -> bool:
    if a[0] != b[0] or not (a[1].endswith(b[1]) or b[1].endswith(a[1])):
        return False
    return a[2] == b[2] or any(x in y or y in x for x in a[3] for y in b[3])


def curated_figures(data: CuratedData, sid: str, kinds: Iterable[str]
                    ) -> list[tuple[Decimal, str]]:
    out = []
    for claim in data.facts[sid].claims:
        if claim.kind in kinds and isinstance(claim.value, Decimal):
            unit = claim.unit or data.entities[claim.indicator].unit
            out.append((claim.value, unit))
    return out


def draft_figures(draft: Draft, kinds: Iterable[str]) -> list[tuple[Decimal, str]]:
    out = []
    units = {r["id"]: r.get("unit") for t in draft.proposals.values() for r in t}
    for claim in draft.facts["claims"]:
        if claim["kind"] in kinds:
            unit = claim.get("unit") or units.get(claim["indicator"]) or ""
            out.append((Decimal(str(claim["value"])), unit))
    return out


def with_registry_units(found: list[tuple[Decimal, str]], draft: Draft, data: CuratedData,
                        kinds: Iterable[str] = ("measurement", "target"),
                        ) -> list[tuple[Decimal, str]]:
    """Units of figures linked to an existing indicator come from that indicator."""
    out = []
    for claim, (value, unit) in zip(
        [c for c in draft.facts["claims"] if c["kind"] in kinds], found, strict=True,
    ):
        if not unit and claim["indicator"] in data.entities:
            unit = data.entities[claim["indicator"]].unit
        out.append((value, unit))
    return out


def strict(a: tuple[Decimal, str], b: tuple[Decimal, str]) -> bool:
    return a[0] == b[0] and a[1] == b[1]


def by_class(a: tuple[Decimal, str], b: tuple[Decimal, str]) -> bool:
    return a[0] == b[0] and unit_class(a[1]) == unit_class(b[1])


def curated_documents(data: CuratedData, sid: str, text: str) -> list[set[str]]:
    titles = {_bare(t) for t in re.findall(r"《([^《》]+)》", text)}
    docs = set()
    for claim in data.facts[sid].claims:
        for _field, ref, _kinds in claim.references():
            entity = data.entities.get(ref)
            if entity is not None and entity.KIND == "document":
                docs.add(ref)
    return [names_of(d, data) for d in sorted(docs) if names_of(d, data) & titles]


def draft_documents(draft: Draft, data: CuratedData) -> list[set[str]]:
    """Names of each distinct document the draft mentions."""
    out, seen = [], set()
    for claim in draft.facts["claims"]:
        about = claim.get("about") or []
        if claim["kind"] == "mention" and about:
            names = names_of(about[0], data, draft)
            kind = next((k for k, t in draft.proposals.items() for r in t if r["id"] == about[0]),
                        None)
            entity = data.entities.get(about[0])
            is_document = (entity is not None and entity.KIND == "document") or (
                kind == "documents.yaml")
            if is_document and about[0] not in seen:
                seen.add(about[0])
                out.append(names)
    return out


def indicator_links(data: CuratedData, sid: str, draft: Draft) -> tuple[int, int, int]:
    """Of the figures found (value and unit class), how many the extractor linked to a
    registry indicator, and how many of those to the curators' indicator."""
    truth = [(c.value, c.unit or data.entities[c.indicator].unit, c.indicator)
             for c in data.facts[sid].claims
             if c.kind in ("measurement", "target") and isinstance(c.value, Decimal)]
    matched = linked = right = 0
    for claim in draft.facts["claims"]:
        if claim["kind"] not in ("measurement", "target"):
            continue
        value = Decimal(str(claim["value"]))
        unit = claim.get("unit") or getattr(data.entities.get(claim["indicator"]), "unit", "")
        for index, (t_value, t_unit, t_indicator) in enumerate(truth):
            if t_value == value and unit_class(t_unit) == unit_class(unit):
                matched += 1
                linked += claim["indicator"] in data.entities
                right += claim["indicator"] == t_indicator
                del truth[index]
                break
    return matched, linked, right


def row(name: str, truth: int, found: int, hits: int) -> str:
    precision = hits / found if found else 1.0
    recall = hits / truth if truth else 1.0
    return f"{name:<22}{truth:>7}{found:>7}{hits:>6}{precision:>11.2f}{recall:>8.2f}"


def main() -> int:
    data = load_curated()
    seeds = seeds_dir()
    for mode, registry in (("registry", data), ("cold", None)):
        totals: dict[str, list[int]] = {}
        links = [0, 0, 0]
        started = time.perf_counter()
        for sid, facts in sorted(data.facts.items()):
            path = seeds / facts.source.file
            text = path.read_text(encoding="utf-8")
            draft = Extractor(registry).extract(text, sid, path.name, sha256_of(path))
            measures = {
                "officials": (curated_officials(data, sid), draft_officials(draft, data),
                              same_official),
                "figures (strict)": (
                    curated_figures(data, sid, ("measurement", "target")),
                    with_registry_units(draft_figures(draft, ("measurement", "target")), draft,
                                        data), strict),
                "figures (unit class)": (
                    curated_figures(data, sid, ("measurement", "target")),
                    with_registry_units(draft_figures(draft, ("measurement", "target")), draft,
                                        data), by_class),
                "targets (unit class)": (
                    curated_figures(data, sid, ("target",)),
                    with_registry_units(draft_figures(draft, ("target",)), draft, data,
                                        ("target",)), by_class),
                "documents": (curated_documents(data, sid, text), draft_documents(draft, data),
                              lambda a, b: bool(a & b)),
            }
            for name, (truth, found, same) in measures.items():
                total = totals.setdefault(name, [0, 0, 0])
                total[0] += len(truth)
                total[1] += len(found)
                total[2] += match(truth, found, same)
            if registry is not None:
                links = [a + b for a, b in zip(links, indicator_links(data, sid, draft),
                                               strict=True)]
        seconds = time.perf_counter() - started
        print(f"\n{mode} ({'curated registry' if registry else 'empty registry'}), "
              f"5 sources, {seconds:.1f}s")
        print(f"{'':<22}{'truth':>7}{'found':>7}{'hits':>6}{'precision':>11}{'recall':>8}")
        for name, (truth, found, hits) in totals.items():
            print(row(name, truth, found, hits))
        if registry is not None:
            print(f"indicators: of {links[0]} figures found, {links[1]} linked to a registry "
                  f"indicator, {links[2]} to the curators' one")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
