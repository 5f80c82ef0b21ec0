"""Linking text to registry entities, and proposing new ones where none matches."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from pypinyin import lazy_pinyin

from kg.extract.lexicon import Lexicon
from kg.iris import person_slug, pinyin_of, slugify
from kg.records import REGISTRY_FILES

FACILITY_SUFFIXES = ("医院", "卫生院", "卫生室", "卫生服务中心", "卫生服务站", "诊所", "大学",
                     "学院", "研究所", "研究院")
DEPARTMENT_SUFFIXES = ("司", "处", "科", "办公厅", "办公室", "中心")
#: an agency's name followed by one of its departments: 省卫生健康委 + 基层卫生处
AGENCY_THEN_DEPARTMENT = re.compile(r"^(.+?(?:委员会|委|局|厅))(.{2,}?(?:司|处|科|室|中心))$")
#: a university or hospital followed by one of its schools, departments or wards
INSTITUTION_THEN_UNIT = re.compile(
    r"^(.{2,}?(?:大学|医院))(.{2,}(?:学院|系|研究所|研究院|教研室))$")
PROVINCE_LEVEL = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:省|自治区)|^(?:北京|天津|上海|重庆)市")
PREFECTURE_LEVEL = re.compile(r"[\u4e00-\u9fff]{2,4}(?:市|州|盟)")


def name_slug(name: str, words: int = 6) -> str:
    """A slug of a Chinese name from its pinyin (at most `words` syllables)."""
    return slugify(" ".join(lazy_pinyin(re.sub(r"\s", "", name))[:words])) or "entity"


@dataclass
class Linker:
    """Resolves names to registry ids and collects proposals for new entities."""

    lexicon: Lexicon
    #: the registry's entities, by id
    entities: dict[str, Any] = field(default_factory=dict)
    proposals: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _by_name: dict[tuple[str, str], str] = field(default_factory=dict)
    _proposed: set[str] = field(default_factory=set)  # ids of every proposal, any kind

    def propose(self, kind: str, slug: str, record: dict[str, Any]) -> str:
        """Propose a new registry entity (once per kind and name); its id."""
        key = (kind, record["name_zh"])
        if key in self._by_name:
            return self._by_name[key]
        candidate, n = slug, 2
        while candidate in self.entities or candidate in self._proposed:
            candidate, n = f"{slug}-{n}", n + 1
        self._proposed.add(candidate)
        self.proposals.setdefault(REGISTRY_FILES[kind], {})[candidate] = {"id": candidate, **record}
        self._by_name[key] = candidate
        return candidate

    def person(self, name: str) -> str:
        if found := self.lexicon.lookup("person", name):
            return found
        return self.propose("person", person_slug(pinyin_of(name)), {"name_zh": name})

    def role(self, title: str) -> str:
        if found := self.lexicon.lookup("role", title):
            return found
        return self.propose("role", name_slug(title), {"name_zh": title,
                                                        "name_en": "TODO: English name"})

    def organization(self, text: str, context_agency: str | None = None) -> str:
        """The registry organisation a name denotes, or a proposed one.

        A department alias (医政司) is accepted only under the agency the text (or
        the chain's first post, `context_agency`) names.
        """
        for kind in ("department", "agency", "facility"):
            if found := self.lexicon.lookup(kind, text):
                if kind == "department" and context_agency and len(text) <= 8:
                    parent = self._parent(found)
                    if parent != context_agency:
                        break
                return found
        for name, _kind, entity_id in self.lexicon.kind_names("facility", "department", "agency"):
            if len(name) >= 4 and text.endswith(name) and not (
                    _kind == "department" and len(name) <= 8 and context_agency
                    and self._parent(entity_id) != context_agency):
                return entity_id
        for name, _kind, entity_id in self.lexicon.kind_names("facility"):
            rest = text.partition(name)[2]
            if len(name) >= 4 and name in text and rest.endswith(("科", "中心", "室", "部", "系",
                                                                   "学院", "研究所")):
                return entity_id
        if split := AGENCY_THEN_DEPARTMENT.match(text):
            agency = self._agency(split[1])
            if agency:
                full = self.name_of(agency) + split[2]
                if found := self.lexicon.lookup("department", full):
                    return found
                found = self.lexicon.lookup("department", split[2])
                if found and self._parent(found) == agency:
                    return found
                return self.propose("department", name_slug(full, 12), {
                    "name_zh": full, "name_en": "TODO: English name", "parent": agency})
        prefix_agency = None
        for name, _kind, entity_id in self.lexicon.kind_names("agency"):
            if text.startswith(name) and len(text) > len(name):
                prefix_agency = entity_id
                rest = text[len(name) :]
                found = self.lexicon.lookup("department", rest)
                if found and self._parent(found) == entity_id:
                    return found
                break
        parent = prefix_agency or (context_agency if len(text) <= 8 else None)
        if unit := INSTITUTION_THEN_UNIT.match(text):
            # 首都医科大学医学人文学院卫生法学系: the post is the university's
            text = unit[1]
        if text.endswith(FACILITY_SUFFIXES):
            return self.propose("facility", name_slug(text), {"name_zh": text, "type": "hospital"
                                if text.endswith("医院") else "other"})
        if parent and text.endswith(DEPARTMENT_SUFFIXES):
            full = text if prefix_agency else self.name_of(parent) + text
            return self.propose("department", name_slug(full, 12), {
                "name_zh": full, "name_en": "TODO: English name", "parent": parent})
        if text.startswith(("省", "市", "县", "区")) and (agency := self._agency(text)):
            return agency
        level = "national" if text.startswith("国家") else (
            "provincial" if PROVINCE_LEVEL.match(text) else (
                "prefectural" if PREFECTURE_LEVEL.match(text) else "county"))
        return self.propose("agency", name_slug(text), {
            "name_zh": text, "name_en": "TODO: English name", "level": level})

    def _agency(self, text: str) -> str | None:
        """The agency a name denotes: the registry's (also written with 中国 before it:
        中国国家医疗保障局), one proposed, or for a short form without its place
        (省卫生健康委) the last one named whose name ends with it."""
        if found := self.lexicon.lookup("agency", text):
            return found
        national = re.sub(r"^(?:中国|中华人民共和国)(?=国家)", "", text)
        if national != text and (found := self.lexicon.lookup("agency", national)):
            return found
        if found := self._by_name.get(("agency", text)):
            return found
        proposed = self.proposals.get(REGISTRY_FILES["agency"], {})
        if text.startswith(("省", "市", "县", "区")):
            for agency_id, record in reversed(list(proposed.items())):
                if record["name_zh"].endswith(text) and record["name_zh"] != text:
                    return agency_id
            for name, _kind, agency_id in self.lexicon.kind_names("agency"):
                if name.endswith(text) and name != text:
                    return agency_id
        return None

    def _parent(self, department_id: str) -> str | None:
        record = self.entities.get(department_id)
        return getattr(record, "parent", None) if record else None

    def name_of(self, entity_id: str) -> str:
        """The Chinese name of a registry or proposed entity ('' when unknown)."""
        record = self.entities.get(entity_id)
        if record is not None:
            return record.name_zh
        for table in self.proposals.values():
            if entity_id in table:
                return table[entity_id]["name_zh"]
        return ""


def quiet_jieba() -> Any:
    """jieba, with its start-up messages silenced (its dictionary ships with the package)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba
