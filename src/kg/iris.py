"""Minting of every data IRI: entities, claims, sources and named graphs.

IRIs are built from readable slugs (pinyin for people, short English ids for
everything else), never from row order, so they stay stable as data grows.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin
from rdflib import URIRef

from kg.settings import normalise_base

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: Path segment for each kind of registry entity.
ENTITY_PATHS: dict[str, str] = {
    "agency": "agency",
    "department": "agency",
    "outlet": "outlet",
    "person": "person",
    "role": "role",
    "region": "region",
    "facility": "facility",
    "document": "document",
    "policy": "policy",
    "event": "event",
    "indicator": "indicator",
    "unit": "unit",
    "programme": "programme",
    "task": "task",
    "group": "group",
    "product": "product",
}


def is_slug(text: str) -> bool:
    """True for lower-case ASCII words joined by single hyphens."""
    return bool(SLUG_RE.match(text))


def slugify(text: str) -> str:
    """Lower-case ASCII slug of a Latin-script text ('Jiao Yahui' -> 'jiao-yahui')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def pinyin_of(name_zh: str) -> str:
    """Pinyin of a Chinese personal name, surname first ('焦雅辉' -> 'Jiao Yahui')."""
    syllables = lazy_pinyin(name_zh, style=Style.NORMAL, errors="ignore")
    if not syllables:
        return ""
    given = "".join(syllables[1:])
    return f"{syllables[0].capitalize()} {given.capitalize()}".strip()


def person_slug(pinyin: str) -> str:
    """Slug of a person from their pinyin name."""
    return slugify(pinyin)


class IriMinter:
    """The one place that turns slugs and ids into IRIs under a base."""

    def __init__(self, base: str | None = None) -> None:
        self.base = normalise_base(base)

    def entity(self, kind: str, slug: str) -> URIRef:
        """IRI of a registry entity; departments share the agency path space."""
        return URIRef(f"{self.base}{ENTITY_PATHS[kind]}/{slug}")

    def source(self, source_id: str) -> URIRef:
        return URIRef(f"{self.base}source/{source_id}")

    def claim(self, source_id: str, claim_id: str) -> URIRef:
        return URIRef(f"{self.base}claim/{source_id}/{claim_id}")

    def evidence(self, source_id: str, claim_id: str) -> URIRef:
        return URIRef(f"{self.base}claim/{source_id}/{claim_id}/evidence")

    def post(self, organization_slug: str, role_slug: str) -> URIRef:
        return URIRef(f"{self.base}post/{organization_slug}/{role_slug}")

    def assessment(self, source_id: str, claim_id: str) -> URIRef:
        return URIRef(f"{self.base}assessment/{source_id}/{claim_id}")

    def graph(self, name: str) -> URIRef:
        """Named graph IRI: 'ontology', 'entities', 'derived' or 'source/<id>'."""
        return URIRef(f"{self.base}graph/{name}")

    def scheme(self, name: str) -> URIRef:
        """A SKOS concept scheme of the data, e.g. 'indicators'."""
        return URIRef(f"{self.base}scheme/{name}")

    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")
