"""Reviewer effort, precision and recall of `kg extract` on every reviewed source.

Runs the extractor (the code behind `kg extract`) on each source text (the seeds and
the corpus) and compares its draft with the reviewed fact file:

* reviewer effort (`kg.extract.effort`): per article and kind (officials, figures,
  targets, documents, events), candidates accepted unchanged, edited or deleted, and
  claims the reviewer had to add;
* officials: (name as printed, post title, organisation) of every post claim; the
  organisation matches by id or by name (one containing the other);
* figures: (value, unit) of every numeric measurement and target; "strict" needs the
  same unit id, "class" only the same kind of unit (percent, per-1000, a count);
* targets: the same for target claims only;
* documents: 《titles》 the curators linked to a registry document.

Two registries: "empty" (no names known: every official and body is new) and "before"
(the registry as it stood before the article: every entity that no earlier source
references is removed, sources ordered by published date, the seeds first). Seeds and
corpus are reported apart, so that rules tuned to one show on the other.

    uv run python bench/extract.py [--setting before] [--only 106 107] [--fates]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from kg.datafiles import CuratedData, load_curated
from kg.extract.draft import Draft, Extractor
from kg.extract.effort import (
    EFFORT_LEGEND,
    Effort,
    compare,
    effort_header,
    effort_row,
    fate_lines,
    registry_before,
    source_order,
    tally,
)
from kg.sources import locate_source, sha256_of, source_folders

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


def numeric_claims(draft: Draft, kinds: Iterable[str]) -> list[dict[str, Any]]:
    """The draft's figures of these kinds with a number (not yes/no) as value."""
    return [c for c in draft.facts["claims"]
            if c["kind"] in kinds and not isinstance(c["value"], bool)]


def draft_figures(draft: Draft, kinds: Iterable[str]) -> list[tuple[Decimal, str]]:
    out = []
    units = {r["id"]: r.get("unit") for t in draft.proposals.values() for r in t}
    for claim in numeric_claims(draft, kinds):
        unit = claim.get("unit") or units.get(claim["indicator"]) or ""
        out.append((Decimal(str(claim["value"])), unit))
    return out


def with_registry_units(found: list[tuple[Decimal, str]], draft: Draft, data: CuratedData,
                        kinds: Iterable[str] = ("measurement", "target"),
                        ) -> list[tuple[Decimal, str]]:
    """Units of figures linked to an existing indicator come from that indicator."""
    out = []
    for claim, (value, unit) in zip(
        numeric_claims(draft, kinds), found, strict=True,
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


def indicator_links(data: CuratedData, sid: str, draft: Draft, before: CuratedData
                    ) -> tuple[int, int, int]:
    """Of the figures found (value and unit class), how many the extractor linked to a
    registry indicator, and how many of those to the curators' indicator."""
    truth = [(c.value, c.unit or data.entities[c.indicator].unit, c.indicator)
             for c in data.facts[sid].claims
             if c.kind in ("measurement", "target") and isinstance(c.value, Decimal)]
    matched = linked = right = 0
    for claim in numeric_claims(draft, ("measurement", "target")):
        value = Decimal(str(claim["value"]))
        unit = claim.get("unit") or getattr(data.entities.get(claim["indicator"]), "unit", "")
        for index, (t_value, t_unit, t_indicator) in enumerate(truth):
            if t_value == value and unit_class(t_unit) == unit_class(unit):
                matched += 1
                linked += claim["indicator"] in before.entities
                right += claim["indicator"] == t_indicator
                del truth[index]
                break
    return matched, linked, right


def row(name: str, truth: int, found: int, hits: int) -> str:
    precision = hits / found if found else 1.0
    recall = hits / truth if truth else 1.0
    return f"{name:<22}{truth:>7}{found:>7}{hits:>6}{precision:>11.2f}{recall:>8.2f}"


def accuracy(data: CuratedData, sid: str, draft: Draft, text: str
             ) -> dict[str, tuple[int, int, int]]:
    """(truth, found, hits) per measure of one draft against the curated fact file."""
    measures = {
        "officials": (curated_officials(data, sid), draft_officials(draft, data),
                      same_official),
        "figures (strict)": (
            curated_figures(data, sid, ("measurement", "target")),
            with_registry_units(draft_figures(draft, ("measurement", "target")), draft, data),
            strict),
        "figures (unit class)": (
            curated_figures(data, sid, ("measurement", "target")),
            with_registry_units(draft_figures(draft, ("measurement", "target")), draft, data),
            by_class),
        "targets (unit class)": (
            curated_figures(data, sid, ("target",)),
            with_registry_units(draft_figures(draft, ("target",)), draft, data, ("target",)),
            by_class),
        "documents": (curated_documents(data, sid, text), draft_documents(draft, data),
                      lambda a, b: bool(a & b)),
    }
    return {name: (len(truth), len(found), match(truth, found, same))
            for name, (truth, found, same) in measures.items()}


def print_accuracy(title: str, totals: dict[str, list[int]]) -> None:
    print(f"\n{title}")
    print(f"{'':<22}{'truth':>7}{'found':>7}{'hits':>6}{'precision':>11}{'recall':>8}")
    for name, (truth, found, hits) in totals.items():
        print(row(name, truth, found, hits))


SETTINGS = {
    "empty": "an empty registry (every name new)",
    "before": "the registry as it stood before the article (entities no earlier source "
              "references removed; seeds first, then by published date)",
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="source ids to run")
    parser.add_argument("--setting", choices=sorted(SETTINGS), action="append",
                        help="registry setting(s) to run (default: both)")
    parser.add_argument("--fates", action="store_true",
                        help="list every candidate the reviewer edited or deleted, and every "
                             "claim added")
    args = parser.parse_args(argv)
    data = load_curated()
    folders = source_folders()
    order = [s for s in source_order(data) if args.only is None or s in args.only]
    for setting in args.setting or ["empty", "before"]:
        started = time.perf_counter()
        groups: dict[str, dict[str, list[int]]] = {"seeds": {}, "corpus": {}}
        rows: dict[str, list[tuple[str, dict[str, Effort]]]] = {"seeds": [], "corpus": []}
        links = [0, 0, 0]
        for sid in sorted(order):
            facts = data.facts[sid]
            path = locate_source(facts.source.file, folders)
            text = path.read_text(encoding="utf-8")
            before = registry_before(data, sid)
            registry = before if setting == "before" else None
            draft = Extractor(registry).extract(text, sid, path.name, sha256_of(path))
            group = "seeds" if int(sid) < 100 else "corpus"
            for name, counts in accuracy(data, sid, draft, text).items():
                total = groups[group].setdefault(name, [0, 0, 0])
                for i, n in enumerate(counts):
                    total[i] += n
            fates = compare(draft.facts["claims"], draft.proposals, facts, text, data, before)
            rows[group].append((sid, tally(fates)))
            if args.fates:
                print(f"-- {setting} {sid}")
                print("\n".join(fate_lines(fates)))
            if registry is not None:
                links = [a + b for a, b in zip(links, indicator_links(data, sid, draft, before),
                                               strict=True)]
        seconds = time.perf_counter() - started
        print(f"\n=== {setting}: {SETTINGS[setting]} ({len(order)} sources, {seconds:.1f}s)")
        print(f"\nreviewer effort, {EFFORT_LEGEND}")
        print(effort_header())
        for group in ("seeds", "corpus"):
            if not rows[group]:
                continue
            total: dict[str, Effort] = {}
            for sid, counts in rows[group]:
                print(effort_row(sid, counts))
                for kind, effort in counts.items():
                    total.setdefault(kind, Effort()).__iadd__(effort)
            print(effort_row(f"{group} total", total))
        for group in ("seeds", "corpus"):
            if groups[group]:
                print_accuracy(f"precision / recall, {group} ({setting})", groups[group])
        if setting == "before":
            print(f"indicators: of {links[0]} figures found, {links[1]} linked to an indicator "
                  f"of the registry before the article, {links[2]} to the curators' one")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main(sys.argv[1:]))
