"""Typed records of the curated data: registry entities, sources and claims.

These models are the schema of `data/`. They check shapes and values of one
record at a time; cross-record rules (references, duplicates, quotes) live in
`kg.checks`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from kg.iris import is_slug, person_slug, pinyin_of
from kg.quantities import parse_quantity

PARTIAL_DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
MAX_QUOTE_CHARS = 100


def _slug(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a slug in text, got {value!r} (quote it if it is an id)")
    if not is_slug(value):
        raise ValueError(f"{value!r} is not a slug (lower-case a-z, 0-9 and single hyphens)")
    return value


def partial_date(value: Any) -> str:
    """Accept 2025, '2025-03' or '2025-03-05' (a real calendar date); keep the precision given.

    Full-width digits ('２０２５') are refused, not normalised: a structured value is
    written in ASCII so that every tool reads it alike; the verbatim form belongs in
    the evidence quote.
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got {value!r}")
    text = str(value)
    refuse_wide_digits(text)
    if not PARTIAL_DATE_RE.match(text):
        raise ValueError(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(p) for p in [*text.split("-"), "1", "1"][:3])
    if year < 1:
        raise ValueError(f"invalid date {text!r} (year must be 0001..9999)")
    if not 1 <= month <= 12:
        raise ValueError(f"invalid date {text!r} (month must be 1..12)")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"invalid date {text!r} (day must be 1..{last} in {year:04d}-{month:02d})")
    return text


def refuse_wide_digits(text: str) -> None:
    """Raise for digits other than ASCII 0-9 (full-width, Arabic-Indic...), naming the fix."""
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        ascii_text = "".join(str(unicodedata.digit(ch, ch)) if ch.isdigit() else ch
                             for ch in unicodedata.normalize("NFKC", text))
        raise ValueError(f"non-ASCII digits in {text!r} (write {ascii_text!r})")


MARK_UNITS = {"%": "percent", "‰": "permille"}


def _mark_suits_unit(raw: Any) -> Any:
    """A value stated with % or ‰ and an explicit unit must agree ('26.89%' with 'percent')."""
    if isinstance(raw, dict) and isinstance(raw.get("value"), str) and raw.get("unit"):
        mark = raw["value"].strip()[-1:]
        if mark in MARK_UNITS and raw["unit"] != MARK_UNITS[mark]:
            raise ValueError(f"value: {raw['value']!r} is in {MARK_UNITS[mark]} but unit is "
                             f"{raw['unit']!r}")
    return raw


def date_span(partial: str) -> tuple[dt.date, dt.date]:
    """First and last day a partial date covers ('2025-03' -> 1 and 31 March)."""
    parts = [int(p) for p in partial.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else None
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if len(parts) == 2:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    day = dt.date(year, month, parts[2])
    return day, day


def _check_order(record: Any, first: str, last: str) -> None:
    start, end = getattr(record, first), getattr(record, last)
    if start and end and date_span(end)[1] < date_span(start)[0]:
        raise ValueError(f"{last}: {end!r} is before {first} {start!r}")


Slug = Annotated[str, BeforeValidator(_slug)]
PartialDate = Annotated[str, BeforeValidator(partial_date)]
Quantity = Annotated[Decimal | bool, BeforeValidator(parse_quantity)]


class Record(BaseModel):
    """Base of every record: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: field name -> kinds of entity the field may reference
    REFS: ClassVar[dict[str, tuple[str, ...]]] = {}

    def references(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(field, referenced id, allowed kinds) for every reference this record makes."""
        out = []
        for field, kinds in self.REFS.items():
            value = getattr(self, field)
            for ref in value if isinstance(value, list) else [value]:
                if ref is not None:
                    out.append((field, ref, kinds))
        return out


# ---------------------------------------------------------------- registry


ORG_KINDS = ("agency", "department")
PLACE_KINDS = ("region", "facility", "agency", "department")
ACTOR_KINDS = ("person", "agency", "department", "facility")


class Entity(Record):
    """Anything with an IRI in the registry."""

    KIND: ClassVar[str] = ""
    EN_REQUIRED: ClassVar[bool] = True

    id: Slug
    name_zh: str = Field(min_length=1)
    name_en: str | None = None
    aliases_zh: list[str] = []
    aliases_en: list[str] = []
    note: str | None = None
    #: IRIs (path under the base: 'policy/some-id') this entity once had as another record,
    #: kept so that they still resolve (dcterms:replaces; the service redirects them here)
    replaces: list[Annotated[str, Field(pattern=r"^[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*$")]] = []

    def model_post_init(self, context: Any) -> None:
        if self.EN_REQUIRED and not self.name_en:
            raise ValueError(f"a {self.KIND} needs an English name (name_en)")


class Agency(Entity):
    KIND = "agency"
    REFS = {"region": ("region",), "parent": ("agency",)}
    level: Literal["national", "provincial", "prefectural", "county", "township"]
    region: Slug | None = None
    parent: Slug | None = None


class Department(Entity):
    KIND = "department"
    REFS = {"parent": ORG_KINDS}
    parent: Slug


class Outlet(Entity):
    KIND = "outlet"
    REFS = {"region": ("region",)}
    region: Slug | None = None


class Person(Entity):
    KIND = "person"
    EN_REQUIRED = False
    pinyin: str | None = None

    @property
    def pinyin_name(self) -> str:
        return self.pinyin or pinyin_of(self.name_zh)

    def model_post_init(self, context: Any) -> None:
        slug = person_slug(self.pinyin_name)
        if self.id != slug and not re.fullmatch(rf"{re.escape(slug)}-\d+", self.id):
            raise ValueError(
                f"a person's id is minted from pinyin: expected {slug!r} "
                f"(or {slug}-2, -3... for namesakes), got {self.id!r}"
            )


class Role(Entity):
    KIND = "role"


class Region(Entity):
    KIND = "region"
    REFS = {"within": ("region",)}
    level: Literal["country", "province", "prefecture", "county", "township", "village", "area"]
    within: Slug | None = None


class Facility(Entity):
    KIND = "facility"
    EN_REQUIRED = False
    REFS = {"region": ("region",), "operator": (*ORG_KINDS, "facility")}
    type: Literal[
        "hospital",
        "clinic",
        "primary-care-centre",
        "childcare-centre",
        "blood-station",
        "medical-centre",
        "platform",
        "university",
        "other",
    ]
    region: Slug | None = None
    operator: Slug | None = None


class Document(Entity):
    KIND = "document"
    EN_REQUIRED = False
    REFS = {"issuer": ORG_KINDS}
    type: Literal[
        "plan", "guideline", "notice", "catalogue", "law", "standard", "opinion", "report", "other"
    ]
    issuer: list[Slug] = []
    date: PartialDate | None = None


#: What a policy or measure does to its object (hkg:PolicyAction, a closed SKOS scheme in
#: the ontology: each key is a concept's skos:notation). Extend both together.
POLICY_ACTIONS: dict[str, str] = {
    "promote": "推进", "expand": "扩大", "optimise": "优化", "improve": "完善",
    "accelerate": "加快", "abolish": "取消", "establish": "建立", "build": "建设",
    "implement": "实施", "strengthen": "加强", "carry-out": "开展", "launch": "启动",
    "reduce": "降低", "raise": "提高", "include": "纳入", "pilot": "试点", "extend": "延伸",
    "standardise": "规范", "waive": "减免", "cover": "覆盖", "open": "开通", "set-up": "设立",
    "publish": "发布", "support": "支持", "provide": "提供", "adjust": "调整",
    "integrate": "整合", "refund": "清退", "encourage": "鼓励", "deploy": "部署",
}


class Group(Entity):
    """A class of institutions (血站, 二级以上公立医院) or a population (困难群众) that a
    policy applies to: not one organisation or person, but a kind of them."""

    KIND = "group"
    type: Literal["institution-class", "population"]


class Product(Entity):
    """A named digital product: an app, mini-program, search engine or social-media service
    (微信, 支付宝, 百度) on which platforms are built or through which services are found."""

    KIND = "product"
    EN_REQUIRED = False
    REFS = {"operator": (*ORG_KINDS, "facility")}
    type: Literal["app", "mini-program", "search-engine", "social-media", "website", "other"]
    operator: Slug | None = None


class Policy(Entity):
    """A measure, programme or pledge; what it does (``action``) to what (``object_zh``,
    in the source's words), where and for whom (``scope``, ``scope_zh`` as printed), and
    its sub-items (``parts``, policies of their own)."""

    KIND = "policy"
    EN_REQUIRED = False
    REFS = {"issuer": ORG_KINDS, "task": ("task",), "region": ("region",),
            "scope": ("region", "group"), "parts": ("policy",)}
    issuer: list[Slug] = []
    task: Slug | None = None
    region: Slug | None = None
    action: Literal[tuple(POLICY_ACTIONS)] | None = None  # type: ignore[valid-type]
    #: what the policy acts on, verbatim from a source that states it (血费跨省异地减免)
    object_zh: str | None = Field(None, min_length=1, max_length=MAX_QUOTE_CHARS)
    object_en: str | None = None
    #: regions, institution classes and populations it applies to
    scope: list[Slug] = []
    #: the scope as printed (全国所有血站), verbatim from a source that states it
    scope_zh: str | None = Field(None, min_length=1, max_length=MAX_QUOTE_CHARS)
    parts: list[Slug] = []

    @model_validator(mode="after")
    def _object_in_both_languages(self) -> Policy:
        if self.object_en and not self.object_zh:
            raise ValueError("object_en: give object_zh (the source's words) too")
        if self.id in self.parts:
            raise ValueError("parts: a policy is not a part of itself")
        return self


class Event(Entity):
    KIND = "event"
    EN_REQUIRED = False
    REFS = {"place": ("region", "facility"), "organizer": ORG_KINDS}
    type: Literal["press-conference", "meeting", "broadcast", "campaign", "other"]
    start: PartialDate
    end: PartialDate | None = None
    date_inferred: bool = False
    place: Slug | None = None
    organizer: list[Slug] = []

    @model_validator(mode="after")
    def _ends_after_start(self) -> Event:
        _check_order(self, "start", "end")
        return self


def _unit_word(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[^\s\d，。、；：,.;:]+", value):
        raise ValueError(f"{value!r} is not a word (text without spaces, digits or "
                         f"punctuation)")
    return value


UnitWord = Annotated[str, BeforeValidator(_unit_word)]


class Unit(Entity):
    """A unit of measure, with the words that say a figure is in it (see units.yaml)."""

    KIND = "unit"
    symbol: str | None = None
    #: classifiers and unit words written after a number (3家, 2.5万人次)
    words: list[UnitWord] = []
    #: the nouns a bare count of this unit counts (31个省份)
    counts: list[UnitWord] = []
    #: a noun of `counts` may follow up to three characters that qualify it (31个医疗机构)
    counts_modified: bool = False
    #: a number with no unit word of its own (31个, 3万) may be in this unit
    bare_count: bool = False

    @model_validator(mode="after")
    def _words_once(self) -> Unit:
        for name in ("words", "counts"):
            listed = getattr(self, name)
            if twice := sorted({w for w in listed if listed.count(w) > 1}):
                raise ValueError(f"{name}: {', '.join(twice)} listed twice")
        if self.counts_modified and not self.counts:
            raise ValueError("counts_modified: no counts to modify")
        return self


class Indicator(Entity):
    KIND = "indicator"
    REFS = {"unit": ("unit",), "broader": ("indicator",), "task": ("task",)}
    unit: Slug
    definition_en: str | None = None
    broader: Slug | None = None
    task: Slug | None = None


class Programme(Entity):
    KIND = "programme"
    REFS = {"issuer": ORG_KINDS}
    year: int
    issuer: list[Slug] = []


class Task(Entity):
    KIND = "task"
    REFS = {"programme": ("programme",), "continues": ("task",)}
    programme: Slug
    number: int = Field(ge=1)
    #: the task of an earlier year's programme this one carries on (same service, new target)
    continues: Slug | None = None


ENTITY_MODELS: dict[str, type[Entity]] = {
    m.KIND: m
    for m in (
        Agency,
        Department,
        Outlet,
        Person,
        Role,
        Region,
        Facility,
        Document,
        Policy,
        Event,
        Unit,
        Indicator,
        Programme,
        Task,
        Group,
        Product,
    )
}

#: registry file name (in data/registry/) for each kind
REGISTRY_FILES: dict[str, str] = {
    "agency": "agencies.yaml",
    "department": "departments.yaml",
    "outlet": "outlets.yaml",
    "person": "people.yaml",
    "role": "roles.yaml",
    "region": "regions.yaml",
    "facility": "facilities.yaml",
    "document": "documents.yaml",
    "policy": "policies.yaml",
    "event": "events.yaml",
    "unit": "units.yaml",
    "indicator": "indicators.yaml",
    "programme": "programmes.yaml",
    "task": "tasks.yaml",
    "group": "groups.yaml",
    "product": "products.yaml",
}


# ---------------------------------------------------------------- sources and claims


class Article(Record):
    """One article of a source file: a page may print several (a report, a brief, a
    photo with its caption, a commentary). Claims belong to the article whose
    ``starts_at`` quote is the last one before their own quote."""

    REFS = {"authors": ("person",), "photographers": ("person",), "chart_makers": ("person",)}
    id: Slug
    #: verbatim clause where the article begins (its headline or first line)
    starts_at: str = Field(min_length=2, max_length=MAX_QUOTE_CHARS)
    genre: Literal["news", "brief", "feature", "photo", "summary", "commentary", "other"]
    title_zh: str
    title_en: str | None = None
    #: writers credited in the byline
    authors: list[Slug] = []
    #: credited for photos (摄) and charts (制图), not for the text
    photographers: list[Slug] = []
    chart_makers: list[Slug] = []
    #: the byline as printed when it names no person (本报评论员, 据新华社电)
    byline_as_stated: str | None = None
    note: str | None = None


class Source(Record):
    """A source article: one file in the seeds folder."""

    REFS = {
        "outlet": ("outlet",),
        "authors": ("person",),
        "photographers": ("person",),
        "chart_makers": ("person",),
    }
    id: Annotated[str, Field(pattern=r"^[0-9]{3}$")]
    file: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    outlet: Slug | None = None
    title_zh: str
    title_en: str
    published: PartialDate
    published_inferred: bool = False
    date_note: str | None = None
    authors: list[Slug] = []
    #: credited for photos (摄) or charts (制图) on the page, not for the text
    photographers: list[Slug] = []
    chart_makers: list[Slug] = []
    #: the articles of a file that prints several (empty: the file is one article)
    articles: list[Article] = []
    note: str | None = None


ATTRIBUTION_BASES = ("stated-in-clause", "speaker-heading", "byline", "lead", "inferred")


class Attribution(Record):
    """How the text ties a claim to its actor (reporter, announcer, speaker).

    ``basis`` says where the text names the actor: ``stated-in-clause`` (in the claim's
    own quote; the default when every actor is named there), ``speaker-heading`` (a
    transcript heading, or "X表示/介绍" earlier in the paragraph), ``byline`` (the
    article's author), ``lead`` (the article's lead names the press conference or body),
    ``inferred`` (the text does not say; ``reason`` says why the curators chose the
    actor). ``evidence`` is the verbatim passage that names the actor, required for
    every basis but ``stated-in-clause`` and ``inferred``.
    """

    basis: Literal[ATTRIBUTION_BASES]  # type: ignore[valid-type]
    evidence: str | None = Field(None, min_length=2, max_length=MAX_QUOTE_CHARS)
    reason: str | None = Field(None, min_length=3)

    @model_validator(mode="after")
    def _basis_has_its_parts(self) -> Attribution:
        if self.basis == "inferred" and not self.reason:
            raise ValueError("reason: an inferred attribution says why (reason)")
        if self.basis == "stated-in-clause" and self.evidence:
            raise ValueError("evidence: the claim's own quote is the evidence of a "
                             "stated-in-clause attribution; leave evidence out")
        if self.basis not in ("stated-in-clause", "inferred") and not self.evidence:
            raise ValueError(f"evidence: a {self.basis} attribution quotes the words that "
                             f"name the actor (evidence)")
        return self

    @property
    def inferred(self) -> bool:
        return self.basis == "inferred"


class PrintedName(Record):
    """How the source prints an entity the claim names, where that differs from the
    entity's registry names, and how the curators tied the two.

    ``resolution`` is ``stated`` when the text itself ties the printed name to the entity
    (the claim's own quote gives the post it holds), ``inferred`` when the curators did
    (``reason`` says why: a misprint, a name another source spells otherwise).
    """

    name: str = Field(min_length=1, max_length=MAX_QUOTE_CHARS)
    resolution: Literal["stated", "inferred"]
    reason: str | None = Field(None, min_length=3)

    @model_validator(mode="after")
    def _inferred_has_a_reason(self) -> PrintedName:
        if self.resolution == "inferred" and not self.reason:
            raise ValueError("reason: an inferred resolution says why (reason)")
        return self

    @property
    def inferred(self) -> bool:
        return self.resolution == "inferred"


class Claim(Record):
    """One stated fact, with the verbatim clause that states it."""

    id: Slug
    evidence: str = Field(min_length=2, max_length=MAX_QUOTE_CHARS)
    note: str | None = None
    #: set by `kg extract` on every candidate; a reviewer deletes it (`kg build` refuses it)
    review: Literal["candidate"] | None = None
    #: entity id -> the name the source prints for it here, where that differs from the
    #: entity's names (徐民 for xu-jian), with how the curators resolved it
    printed_names: dict[Slug, PrintedName] = {}

    def all_printed_names(self) -> dict[str, PrintedName]:
        """The claim's printed names (a post claim's ``name_as_stated`` among them)."""
        return dict(self.printed_names)


class PostClaim(Claim):
    """A person holds a post (role in an organisation), as a source dates it."""

    REFS = {"person": ("person",), "organization": (*ORG_KINDS, "facility"), "role": ("role",),
            "event": ("event",)}
    kind: Literal["post"]
    person: Slug
    organization: Slug
    role: Slug
    title_zh: str
    #: the person's name as printed beside the post (shorthand for a ``printed_names``
    #: entry of the person, resolution ``stated``: the quote gives the post it holds)
    name_as_stated: str | None = None
    #: the event where the source places the person in this post (speaking at a press
    #: conference); the post holding is then dated by the event
    event: Slug | None = None
    #: when the holding began or ended, where the text says (任职自…, 2024年起任…); without
    #: them the source only attests that the post was held on the claim's date
    start: PartialDate | None = None
    end: PartialDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PostClaim:
        _check_order(self, "start", "end")
        return self

    def all_printed_names(self) -> dict[str, PrintedName]:
        names = dict(self.printed_names)
        if self.name_as_stated and self.person not in names:
            names[self.person] = PrintedName(name=self.name_as_stated, resolution="stated")
        return names


class TargetClaim(Claim):
    """What was promised: an indicator reaching a value by a deadline."""

    REFS = {
        "indicator": ("indicator",),
        "task": ("task",),
        "unit": ("unit",),
        "announced_by": ACTOR_KINDS,
        "event": ("event",),
        "place": PLACE_KINDS,
        "states_policy": ("policy",),
    }
    kind: Literal["target"]
    indicator: Slug
    task: Slug | None = None
    value: Quantity
    unit: Slug | None = None
    comparator: Literal["=", ">=", ">", "<=", "<"] = ">="

    @model_validator(mode="before")
    @classmethod
    def _yes_no_targets_are_equalities(cls, raw: Any) -> Any:
        """A yes/no target ('all hospitals ...') can only be met by equality."""
        _mark_suits_unit(raw)
        yes_no = isinstance(raw, dict) and isinstance(raw.get("value"), bool)
        if yes_no and raw.setdefault("comparator", "=") != "=":
            raise ValueError("comparator: a yes/no target takes comparator '='")
        return raw
    deadline: PartialDate | None = None
    #: the period in which the target is to be met, when the text names one (上半年:
    #: 2025-01 to 2025-06); the deadline is then the period's end
    due_start: PartialDate | None = None
    due_end: PartialDate | None = None
    announced_by: list[Slug] = Field(min_length=1)
    event: Slug | None = None
    date: PartialDate | None = None
    place: Slug = "cn"
    attribution: Attribution | None = None
    #: the policy measures, programmes or pledges this claim states
    states_policy: list[Slug] = []
    #: when the stated policy takes effect, where the source gives it (自3月31日起)
    effective_from: PartialDate | None = None


QUALIFIERS = ("about", "over", "at-least", "at-most", "under", "cumulative", "nearly")


class MeasurementClaim(Claim):
    """What was reported: a value of an indicator for a place and time."""

    REFS = {
        "indicator": ("indicator",),
        "task": ("task",),
        "unit": ("unit",),
        "reported_by": ACTOR_KINDS,
        "event": ("event",),
        "place": PLACE_KINDS,
        "subject": ("person", "facility", "event", "policy", "programme", "document"),
        "states_policy": ("policy",),
        "result_of": ("policy", "programme"),
    }
    kind: Literal["measurement"]
    indicator: Slug
    task: Slug | None = None
    value: Quantity
    value_max: Annotated[Decimal, BeforeValidator(parse_quantity)] | None = None
    unit: Slug | None = None
    qualifiers: list[Literal[QUALIFIERS]] = []  # type: ignore[valid-type]
    place: Slug = "cn"
    as_of: PartialDate | None = None
    period_start: PartialDate | None = None
    period_end: PartialDate | None = None
    reported_by: list[Slug] = []
    event: Slug | None = None
    date: PartialDate | None = None
    attribution: Attribution | None = None
    #: not a reported result: a worked example, a hypothetical, an unlabelled chart
    #: figure, or an anecdote (one anonymous person's story)
    figure: Literal["example", "hypothetical", "chart", "anecdote"] | None = None
    #: what the figure is of, when not a place: a person (an age), a programme, an event
    subject: list[Slug] = []
    #: the policies the text says the figure results from (通过…, 得益于…)
    result_of: list[Slug] = []
    #: the policy measures, programmes or pledges this claim states
    states_policy: list[Slug] = []
    #: when the stated policy takes effect, where the source gives it (自3月31日起)
    effective_from: PartialDate | None = None

    @model_validator(mode="before")
    @classmethod
    def _stated_mark_suits_unit(cls, raw: Any) -> Any:
        return _mark_suits_unit(raw)

    @model_validator(mode="after")
    def _consistent_range_and_period(self) -> MeasurementClaim:
        if self.value_max is not None:
            if isinstance(self.value, bool):
                raise ValueError("value_max: a yes/no value has no range")
            if self.value_max < self.value:
                raise ValueError(f"value_max: {self.value_max} is less than value {self.value}")
        _check_order(self, "period_start", "period_end")
        return self


class StatementClaim(Claim):
    """A non-numeric statement: a policy, plan or description attributed to someone."""

    REFS = {
        "speaker": ACTOR_KINDS,
        "about": tuple(ENTITY_MODELS),
        "event": ("event",),
        "task": ("task",),
        "states_policy": ("policy",),
    }
    kind: Literal["statement"]
    summary_en: str
    #: a Chinese summary where the quote alone does not say it (else the quote serves)
    summary_zh: str | None = None
    #: a speaker the text leaves unnamed, as printed (张女士, 陈先生, 小李)
    anonymous_speaker: str | None = None
    speaker: list[Slug] = []
    about: list[Slug] = []
    task: Slug | None = None
    event: Slug | None = None
    date: PartialDate | None = None
    attribution: Attribution | None = None
    #: the policy measures, programmes or pledges this statement states
    states_policy: list[Slug] = []
    #: when the stated policy takes effect, where the source gives it (自3月31日起)
    effective_from: PartialDate | None = None


class MentionClaim(Claim):
    """The source names these entities (and so attests them) in this clause."""

    REFS = {"about": tuple(ENTITY_MODELS), "states_policy": ("policy",)}
    kind: Literal["mention"]
    about: list[Slug] = []
    #: policy measures the clause names
    states_policy: list[Slug] = []
    #: when the stated policy takes effect, where the source gives it (自3月31日起)
    effective_from: PartialDate | None = None

    @model_validator(mode="after")
    def _names_something(self) -> MentionClaim:
        if not self.about and not self.states_policy:
            raise ValueError("a mention names at least one entity (about or states_policy)")
        return self


#: The typed relations a `relation` claim may state: key -> (the ontology property's local
#: name, the kinds its subject may be, the kinds its object may be). Each is an
#: owl:ObjectProperty of the ontology with that domain and range.
RELATIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "built-on": ("builtOn", ("facility", "product"), ("product", "facility")),
    "operated-by": ("operatedBy", ("facility", "product", "policy"), (*ORG_KINDS, "facility")),
    "premiered-on": ("premieredOn", ("event",), ("outlet", "product")),
    "streamed-on": ("streamedOn", ("event",), ("outlet", "product")),
    "decided": ("decided", ("event",), ("policy", "document", "programme")),
    "issued-by": ("issuedBy", ("document", "policy", "programme"), ORG_KINDS),
    "located-in": ("locatedIn", ("region", "facility", "event", "agency"), ("region",)),
}


class RelationClaim(Claim):
    """The source states a typed relation between two entities (a platform built on an app,
    a hotline run by an institution, a county placed in a prefecture)."""

    REFS = {"subject": tuple(ENTITY_MODELS), "object": tuple(ENTITY_MODELS),
            "speaker": ACTOR_KINDS, "event": ("event",)}
    kind: Literal["relation"]
    subject: Slug
    relation: Literal[tuple(RELATIONS)]  # type: ignore[valid-type]
    object: Slug
    speaker: list[Slug] = []
    event: Slug | None = None
    date: PartialDate | None = None
    attribution: Attribution | None = None

    @model_validator(mode="after")
    def _not_to_itself(self) -> RelationClaim:
        if self.subject == self.object:
            raise ValueError("object: a relation ties two different entities")
        return self


AnyClaim = Annotated[
    PostClaim | TargetClaim | MeasurementClaim | StatementClaim | MentionClaim | RelationClaim,
    Field(discriminator="kind"),
]
CLAIM_KINDS = ("post", "target", "measurement", "statement", "mention", "relation")


class FactFile(Record):
    """One source article and every claim curated from it."""

    source: Source
    claims: list[AnyClaim]
