"""Typed records of the curated data: registry entities, sources and claims.

These models are the schema of `data/`. They check shapes and values of one
record at a time; cross-record rules (references, duplicates, quotes) live in
`kg.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from kg.iris import is_slug, person_slug, pinyin_of
from kg.quantities import parse_quantity

PARTIAL_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_QUOTE_CHARS = 100


def _slug(value: Any) -> str:
    text = str(value)
    if not is_slug(text):
        raise ValueError(f"{text!r} is not a slug (lower-case a-z, 0-9 and single hyphens)")
    return text


def _partial_date(value: Any) -> str:
    """Accept 2025, '2025-03', a date, or 'YYYY-MM-DD'; keep the precision given."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if not PARTIAL_DATE_RE.match(text):
        raise ValueError(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if len(text) == 10:
        dt.date.fromisoformat(text)
    return text


Slug = Annotated[str, BeforeValidator(_slug)]
PartialDate = Annotated[str, BeforeValidator(_partial_date)]
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


class Policy(Entity):
    KIND = "policy"
    EN_REQUIRED = False
    REFS = {"issuer": ORG_KINDS, "task": ("task",), "region": ("region",)}
    issuer: list[Slug] = []
    task: Slug | None = None
    region: Slug | None = None


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


class Unit(Entity):
    KIND = "unit"
    symbol: str | None = None


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
    REFS = {"programme": ("programme",)}
    programme: Slug
    number: int = Field(ge=1)


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
}


# ---------------------------------------------------------------- sources and claims


class Source(Record):
    """A source article: one file in the seeds folder."""

    REFS = {"outlet": ("outlet",), "authors": ("person",)}
    id: Annotated[str, Field(pattern=r"^\d{3}$")]
    file: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    outlet: Slug | None = None
    title_zh: str
    title_en: str
    published: PartialDate
    published_inferred: bool = False
    date_note: str | None = None
    authors: list[Slug] = []
    note: str | None = None


class Attribution(Record):
    """How a claim's actor (reporter, announcer, speaker) was attributed.

    ``inferred: true`` says the text does not name the actor for this claim; the
    curators inferred it, for the ``reason`` given.
    """

    inferred: bool
    reason: str = Field(min_length=3)


class Claim(Record):
    """One stated fact, with the verbatim clause that states it."""

    id: Slug
    evidence: str = Field(min_length=2, max_length=MAX_QUOTE_CHARS)
    note: str | None = None
    #: set by `kg extract` on every candidate; a reviewer deletes it (`kg build` refuses it)
    review: Literal["candidate"] | None = None


class PostClaim(Claim):
    """A person holds a post (role in an organisation), as a source dates it."""

    REFS = {"person": ("person",), "organization": (*ORG_KINDS, "facility"), "role": ("role",)}
    kind: Literal["post"]
    person: Slug
    organization: Slug
    role: Slug
    title_zh: str
    name_as_stated: str | None = None


class TargetClaim(Claim):
    """What was promised: an indicator reaching a value by a deadline."""

    REFS = {
        "indicator": ("indicator",),
        "task": ("task",),
        "unit": ("unit",),
        "announced_by": ACTOR_KINDS,
        "event": ("event",),
        "place": PLACE_KINDS,
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
        yes_no = isinstance(raw, dict) and isinstance(raw.get("value"), bool)
        if yes_no and raw.setdefault("comparator", "=") != "=":
            raise ValueError("comparator: a yes/no target takes comparator '='")
        return raw
    deadline: PartialDate | None = None
    announced_by: list[Slug] = Field(min_length=1)
    event: Slug | None = None
    date: PartialDate | None = None
    place: Slug = "cn"
    attribution: Attribution | None = None


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


class StatementClaim(Claim):
    """A non-numeric statement: a policy, plan or description attributed to someone."""

    REFS = {
        "speaker": ACTOR_KINDS,
        "about": tuple(ENTITY_MODELS),
        "event": ("event",),
        "task": ("task",),
    }
    kind: Literal["statement"]
    summary_en: str
    speaker: list[Slug] = []
    about: list[Slug] = []
    task: Slug | None = None
    event: Slug | None = None
    date: PartialDate | None = None
    attribution: Attribution | None = None


class MentionClaim(Claim):
    """The source names these entities (and so attests them) in this clause."""

    REFS = {"about": tuple(ENTITY_MODELS)}
    kind: Literal["mention"]
    about: list[Slug] = Field(min_length=1)


AnyClaim = Annotated[
    PostClaim | TargetClaim | MeasurementClaim | StatementClaim | MentionClaim,
    Field(discriminator="kind"),
]
CLAIM_KINDS = ("post", "target", "measurement", "statement", "mention")


class FactFile(Record):
    """One source article and every claim curated from it."""

    source: Source
    claims: list[AnyClaim]
