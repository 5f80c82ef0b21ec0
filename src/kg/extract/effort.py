"""Reviewer effort: how much of a draft a reviewer kept, edited, deleted or had to add.

A draft (`kg extract`) is compared with the reviewed fact file of the same article, kind
by kind (officials, figures, targets, documents, events). Each candidate is *unchanged*
(the reviewed file holds the same claim), *edited* (the reviewed file holds it with other
values: a qualifier, a date, the actor, the kind), or *deleted*; each reviewed claim no
candidate became is *added*.

The honest registry for an article is the one a curator had before it: entities that no
earlier source references are removed (`registry_before`), sources ordered by published
date, the seeds first.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kg.claim_defaults import flatten
from kg.datafiles import CuratedData
from kg.errors import DataError, Problem
from kg.extract.units import BARE_COUNT, Units, read_units
from kg.quantities import parse_quantity
from kg.records import REGISTRY_FILES, FactFile

KINDS = ("officials", "figures", "targets", "documents", "events")


# ---------------------------------------------------------------- the honest registry


def source_order(data: CuratedData) -> list[str]:
    """Source ids in the order a curator met them: the seeds (000-099) first, then the
    rest, each by published date (then id)."""
    return sorted(data.facts, key=lambda sid: (int(sid) >= 100,
                                               str(data.facts[sid].source.published), sid))


def _referenced(records: Iterable[Any], data: CuratedData) -> set[str]:
    """Entity ids the records reference, with everything those entities reference in
    turn (a department's agency, an indicator's unit, a region's province)."""
    todo = [ref for record in records for _f, ref, _k in record.references()]
    seen: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref in seen or ref not in data.entities:
            continue
        seen.add(ref)
        todo.extend(r for _f, r, _k in data.entities[ref].references())
    return seen


def registry_before(data: CuratedData, source_id: str, published: str | None = None
                    ) -> CuratedData:
    """The curated data as a curator had it before `source_id`: only the entities that
    an earlier source references (directly or through other entities), and the fact
    files of the earlier sources. `published` places a source the data do not hold."""
    order = source_order(data)
    if source_id in data.facts:
        earlier = order[: order.index(source_id)]
    else:
        key = (int(source_id) >= 100, str(published or ""), source_id)
        earlier = [s for s in order
                   if (int(s) >= 100, str(data.facts[s].source.published), s) < key]
    records: list[Any] = []
    for sid in earlier:
        facts = data.facts[sid]
        records += [facts.source, *facts.source.articles, *facts.claims]
    known = _referenced(records, data)
    return dataclasses.replace(
        data, entities={k: v for k, v in data.entities.items() if k in known},
        entity_files={k: v for k, v in data.entity_files.items() if k in known},
        facts={s: data.facts[s] for s in earlier},
        fact_files={s: data.fact_files[s] for s in earlier if s in data.fact_files})


def read_reviewed(path: Path) -> FactFile:
    """A reviewed fact file with its defaults applied; DataError naming the file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise DataError([Problem(str(path), None, "not a fact file (a mapping)")])
        flat = flatten(raw)
        return FactFile.model_validate(
            {**{k: v for k, v in raw.items() if k != "defaults"},
             "claims": [c.raw for c in flat.claims]})
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(path), None, f"cannot be read: {exc}")]) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DataError([Problem(str(path), None, f"{where}: {first['msg']}")]) from None


# ---------------------------------------------------------------- items compared


@dataclass
class Item:
    """One claim (or one document or event) reduced to what the comparison reads."""

    kind: str
    value: Any  # the matching key: a number, True, a name
    spans: list[tuple[int, int]]  # where its quotes lie in the article
    fields: dict[str, Any] = field(default_factory=dict)
    label: str = ""


@dataclass
class Entities:
    """Names of entities, for telling whether two ids denote the same thing: the
    registry's (full curated data) and the draft's proposals, and the units."""

    data: CuratedData
    before: CuratedData | None
    proposals: dict[str, dict[str, Any]]
    units: Units

    def names(self, entity_id: str | None) -> set[str]:
        if entity_id is None:
            return set()
        entity = self.data.entities.get(entity_id)
        if entity is not None:
            return {_bare(n) for n in (entity.name_zh, *entity.aliases_zh)}
        record = self.proposals.get(entity_id)
        return {_bare(record["name_zh"])} if record else set()

    def known(self, entity_id: str | None) -> bool:
        """The entity existed before the article (the draft could have linked it)."""
        registry = self.before if self.before is not None else self.data
        return entity_id is not None and entity_id in registry.entities

    def same(self, truth: str | None, found: str | None, named: bool = True) -> bool:
        """The draft's id denotes the reviewed entity: the same id, or (for an entity new
        with the article) a proposal of the same name. An indicator's name is the
        curators' wording (`named=False`): any proposal stands for a new one."""
        if truth == found:
            return True
        if truth is None or found is None or self.known(truth) or self.known(found):
            return False
        return not named or any(a.endswith(b) or b.endswith(a) for a in self.names(truth)
                                for b in self.names(found) if min(len(a), len(b)) >= 3)

    def same_set(self, truth: Iterable[str], found: Iterable[str]) -> bool:
        left, right = list(truth), list(found)
        return len(left) == len(right) and all(any(self.same(t, f) for f in right)
                                               for t in left)


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)


def _spans(text: str, quotes: Iterable[str | None]) -> list[tuple[int, int]]:
    out = []
    for quote in quotes:
        if not quote:
            continue
        start = text.find(quote)
        if start >= 0:
            out.append((start, start + len(quote)))
    return out


def _overlap(a: Item, b: Item) -> bool:
    return any(s < e2 and s2 < e for s, e in a.spans for s2, e2 in b.spans)


def _value(raw: Any) -> Any:
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return None
    return parse_quantity(raw)


def _get(claim: Any, name: str, default: Any = None) -> Any:
    if isinstance(claim, dict):
        return claim.get(name, default)
    return getattr(claim, name, default)


def _basis(claim: Any) -> str:
    attribution = _get(claim, "attribution")
    if attribution is None:
        return "stated-in-clause"
    return str(_get(attribution, "basis") or "stated-in-clause")


def _unit(claim: Any, entities: Entities) -> str:
    unit = _get(claim, "unit")
    if unit:
        return str(unit)
    indicator = _get(claim, "indicator")
    entity = entities.data.entities.get(indicator)
    if entity is not None:
        return str(entity.unit)
    return str(entities.proposals.get(indicator, {}).get("unit", ""))


def _figure_items(claims: Iterable[Any], text: str, entities: Entities) -> list[Item]:
    out = []
    for claim in claims:
        kind = _get(claim, "kind")
        if kind not in ("measurement", "target"):
            continue
        fields: dict[str, Any] = {
            "kind": kind, "value_max": _value(_get(claim, "value_max")),
            "unit": _unit(claim, entities), "indicator": _get(claim, "indicator"),
            "place": _get(claim, "place") or "cn", "attribution": _basis(claim)}
        if kind == "measurement":
            fields |= {"qualifiers": sorted(_get(claim, "qualifiers") or []),
                       "date": (_get(claim, "as_of"), _get(claim, "period_start"),
                                _get(claim, "period_end")),
                       "actors": list(_get(claim, "reported_by") or [])}
        else:
            fields |= {"comparator": _get(claim, "comparator") or ">=",
                       "date": (_get(claim, "deadline"), _get(claim, "due_start"),
                                _get(claim, "due_end")),
                       "actors": list(_get(claim, "announced_by") or [])}
        fields["date"] = tuple(str(d) if d is not None else None for d in fields["date"])
        out.append(Item("targets" if kind == "target" else "figures",
                        _value(_get(claim, "value")), _spans(text, [_get(claim, "evidence")]),
                        fields, str(_get(claim, "id"))))
    return out


def _post_items(claims: Iterable[Any], text: str, entities: Entities) -> list[Item]:
    out = []
    for claim in claims:
        if _get(claim, "kind") != "post":
            continue
        person = _get(claim, "person")
        name = _get(claim, "name_as_stated") or min(entities.names(person) or {person})
        out.append(Item("officials", name, _spans(text, [_get(claim, "evidence")]),
                        {"title": _get(claim, "title_zh"),
                         "organization": _get(claim, "organization"),
                         "person": person}, str(_get(claim, "id"))))
    return out


def _entity_kind(entity_id: str, entities: Entities) -> str | None:
    entity = entities.data.entities.get(entity_id)
    if entity is not None:
        return entity.KIND
    record = entities.proposals.get(entity_id)
    return record.get("_kind") if record else None


def _entity_items(claims: Iterable[Any], text: str, entities: Entities, kind: str,
                  reviewed: bool) -> list[Item]:
    """Documents or events a file links: for the draft its mention candidates, for the
    reviewed file every reference (a document only when its title is printed 《》)."""
    titles = {_bare(t) for t in re.findall(r"《([^《》]+)》", text)}
    quotes: dict[str, list[str]] = {}
    for claim in claims:
        if not reviewed and _get(claim, "kind") != "mention":
            continue
        refs = [ref for _f, ref, _k in claim.references()] if reviewed else list(
            _get(claim, "about") or [])[:1]
        for ref in refs:
            if _entity_kind(ref, entities) == kind:
                quotes.setdefault(ref, []).append(_get(claim, "evidence"))
    out = []
    for ref, evidence in quotes.items():
        names = entities.names(ref)
        if kind == "document" and reviewed and not names & titles:
            continue
        start = None
        if kind == "event":
            entity = entities.data.entities.get(ref)
            start = str(entity.start) if entity is not None else str(
                entities.proposals.get(ref, {}).get("start"))
        out.append(Item("documents" if kind == "document" else "events", ref,
                        _spans(text, evidence), {"id": ref, "start": start}, ref))
    return out


# ---------------------------------------------------------------- comparison


@dataclass
class Effort:
    """Counts of one kind: candidates unchanged, edited, deleted; claims added."""

    unchanged: int = 0
    edited: int = 0
    deleted: int = 0
    added: int = 0

    @property
    def candidates(self) -> int:
        return self.unchanged + self.edited + self.deleted

    def __iadd__(self, other: Effort) -> Effort:
        self.unchanged += other.unchanged
        self.edited += other.edited
        self.deleted += other.deleted
        self.added += other.added
        return self


@dataclass
class Fate:
    """What the reviewer did with one candidate (or one claim the draft lacked)."""

    kind: str
    action: str  # unchanged, edited, deleted, added
    label: str
    changed: list[str] = field(default_factory=list)


def _differences(truth: Item, found: Item, entities: Entities) -> list[str]:
    changed = []
    for name, expected in truth.fields.items():
        got = found.fields.get(name)
        if name == "indicator" or (name == "id" and truth.kind == "events"):
            same = entities.same(expected, got, named=False)
        elif name in ("place", "organization", "person", "id"):
            same = entities.same(expected, got)
        elif name == "actors":
            same = entities.same_set(expected, got or [])
        elif name == "title":
            same = bool(got) and (expected.endswith(got) or got.endswith(expected))
        elif name == "unit":  # a bare count may stand for any unit but a percentage
            same = expected == got or (got == BARE_COUNT and expected != entities.units.percent)
        else:
            same = expected == got
        if not same:
            changed.append(f"{name}: {_shown(got)} -> {_shown(expected)}")
    if truth.kind in ("officials", "figures", "targets") and truth.value != found.value:
        changed.insert(0, f"value: {found.value} -> {truth.value}")
    return changed


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return "-" if value is None else str(value)


def _pair(truth: list[Item], found: list[Item], entities: Entities,
          loose: Callable[[Item, Item], bool]) -> list[Fate]:
    """Match candidates to reviewed items: first those needing no edit, then the rest
    that `loose` pairs; what is left is deleted (candidates) or added (reviewed)."""
    fates: list[Fate] = []
    left_truth, left_found = list(truth), list(found)
    for exact in (True, False):
        for item in list(left_found):
            for expected in left_truth:
                if not loose(expected, item):
                    continue
                changed = _differences(expected, item, entities)
                if exact and changed:
                    continue
                fates.append(Fate(item.kind, "edited" if changed else "unchanged",
                                  f"{item.label} ~ {expected.label}", changed))
                left_truth.remove(expected)
                left_found.remove(item)
                break
    fates += [Fate(i.kind, "deleted", i.label) for i in left_found]
    fates += [Fate(i.kind, "added", i.label) for i in left_truth]
    return fates


def _same_figure(truth: Item, found: Item) -> bool:
    return truth.value == found.value and _overlap(truth, found)


def _same_official(truth: Item, found: Item) -> bool:
    title_a, title_b = truth.fields["title"] or "", found.fields["title"] or ""
    return truth.value == found.value and (title_a.endswith(title_b)
                                           or title_b.endswith(title_a))


def _same_entity(entities: Entities) -> Callable[[Item, Item], bool]:
    def same(truth: Item, found: Item) -> bool:
        names_t, names_f = entities.names(truth.value), entities.names(found.value)
        return (truth.value == found.value or bool(names_t & names_f)
                or _overlap(truth, found) or any(
                    a in b or b in a for a in names_t for b in names_f if len(a) >= 4
                    and len(b) >= 4))
    return same


def compare(draft_claims: list[dict[str, Any]], proposals: dict[str, list[dict[str, Any]]],
            reviewed: FactFile, text: str, data: CuratedData,
            before: CuratedData | None = None) -> list[Fate]:
    """The fate of every candidate of a draft, and the claims the reviewer added."""
    kinds = {file: kind for kind, file in REGISTRY_FILES.items()}
    table = {r["id"]: {**r, "_kind": kinds.get(f)} for f, rs in proposals.items() for r in rs}
    entities = Entities(data, before, table, read_units(data.data_dir))
    truth_claims = list(reviewed.claims)
    fates = _pair(_post_items(truth_claims, text, entities),
                  _post_items(draft_claims, text, entities), entities, _same_official)
    fates += _pair(_figure_items(truth_claims, text, entities),
                   _figure_items(draft_claims, text, entities), entities, _same_figure)
    for kind in ("document", "event"):
        draft_refs = [_Mention(c) for c in draft_claims]
        fates += _pair(_entity_items(truth_claims, text, entities, kind, True),
                       _entity_items(draft_refs, text, entities, kind, False), entities,
                       _same_entity(entities))
    return fates


@dataclass
class _Mention:
    """A draft claim (a dict) with the `references()` of a record."""

    raw: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        return self.raw.get(name)

    def references(self) -> list[tuple[str, str, tuple[str, ...]]]:
        return [("about", ref, ()) for ref in self.raw.get("about") or []]


def tally(fates: Iterable[Fate]) -> dict[str, Effort]:
    """Counts per kind (every kind of KINDS present, in order)."""
    out = {kind: Effort() for kind in KINDS}
    for fate in fates:
        effort = out[fate.kind]
        setattr(effort, fate.action, getattr(effort, fate.action) + 1)
    return out


def effort_header() -> str:
    return (f"{'':<13}" + "".join(f"{k:>14}" for k in KINDS) + f"{'total':>14}"
            + f"{'edits/cand':>12}")


def effort_row(label: str, counts: dict[str, Effort]) -> str:
    """One line: per kind `unchanged/edited/deleted+added`, then the total and the
    share of candidates the reviewer edited."""
    total = Effort()
    cells = []
    for kind in KINDS:
        effort = counts.get(kind, Effort())
        total += effort
        cells.append(f"{effort.unchanged}/{effort.edited}/{effort.deleted}+{effort.added}")
    cells.append(f"{total.unchanged}/{total.edited}/{total.deleted}+{total.added}")
    share = total.edited / total.candidates if total.candidates else 0.0
    return f"{label:<13}" + "".join(f"{c:>14}" for c in cells) + f"{share:>12.2f}"


EFFORT_LEGEND = ("cells: candidates unchanged/edited/deleted + claims the reviewer added; "
                 "edits/cand = edited / candidates")


def fate_lines(fates: Iterable[Fate]) -> list[str]:
    """One line per candidate that needed work, and per added claim."""
    return [f"  {f.action:<8} {f.kind:<10} {f.label}"
            + (f"  ({', '.join(f.changed)})" if f.changed else "")
            for f in fates if f.action != "unchanged"]
