"""What an entity's page shows, by kind, read through SPARQL.

Every resource gets its names, types, statements, evidence (for a claim) and the
links pointing to it, counted and paged. Then by class: an official's dated posts
and what they announced and reported; an agency's departments and people; a
region's sub-regions, facilities and figures; an indicator's figures across
places and dates as a chart with its targets marked; a source's claims in text
order. The RDF view is a concise bounded description plus the claims that point
to the resource and their evidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.formats import GraphFormat
from kg.namespaces import HKG
from kg.service.charts import Point, figures_chart, number, number_text
from kg.service.province_charts import (
    ProvinceCharts,
    figure_number,
    is_yes_no,
    province_charts,
)
from kg.service.province_map import ProvinceValue
from kg.service.reader import GraphReader, Row, Term, iri
from kg.service.rendering import Page
from kg.service.scorecard import Figure, fold_figures
from kg.service.sentences import InSentence, Passage, article_passages, quote_in_sentence

PAGE_SIZE = 50
#: the kinds of claim, in the order the reading view's legend shows their colours
CLAIM_KINDS = ("Measurement", "Target", "Statement", "PostHolding", "Mention")
ORG = "http://www.w3.org/ns/org#"

DESCRIPTION = """
CONSTRUCT { ?s ?p ?o } WHERE {
  { $node ?p ?o BIND($node AS ?s) }
  UNION { $node ?p0 ?s . FILTER(isBlank(?s)) ?s ?p ?o }
  UNION { $node hkg:evidence ?s . ?s ?p ?o }
  UNION { ?s ?p0 $node . ?s hkg:evidence ?e . ?s ?p ?o }
  UNION { ?c ?p0 $node . ?c hkg:evidence ?s . ?s ?p ?o }
  UNION { $node ?p0 ?s . FILTER(isIRI(?s)) VALUES ?p { rdfs:label } ?s ?p ?o }
} LIMIT 20000"""
KNOWN = "ASK { { $node ?p ?o } UNION { ?s ?p $node } }"
CLASSES = "SELECT DISTINCT ?c WHERE { $node a/rdfs:subClassOf* ?c FILTER(isIRI(?c)) }"
TYPES = "SELECT ?type WHERE { $node a ?type }"
OUTGOING = """
SELECT ?p ?o (SAMPLE(?g0) AS ?g) WHERE {
  $node ?p ?o OPTIONAL { GRAPH ?g0 { $node ?p ?o } }
} GROUP BY ?p ?o ORDER BY ?p ?o LIMIT 500"""
INCOMING_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p $node }"
INCOMING = """
SELECT ?s ?p (SAMPLE(?q) AS ?quote) (SAMPLE(?src) AS ?source) WHERE {
  ?s ?p $node
  OPTIONAL { ?s hkg:evidence/oa:exact ?q }
  OPTIONAL { ?s hkg:evidence/dcterms:source ?src }
} GROUP BY ?s ?p ORDER BY ?s ?p LIMIT $limit OFFSET $offset"""
EVIDENCE = """
SELECT ?quote ?source ?start ?end WHERE {
  $node hkg:evidence ?e . ?e oa:exact ?quote . OPTIONAL { $node prov:wasDerivedFrom ?source }
  OPTIONAL { ?e oa:start ?start } OPTIONAL { ?e oa:end ?end }
}"""
#: Who said a claim and where the text says so: the basis, the passage naming the actor
#: (a selector, when it is not the claim's own quote) and the curators' reason if inferred.
ATTRIBUTION = """
SELECT ?basis ?inferred ?reason ?quote ?start ?end WHERE {
  $node hkg:attributionBasis ?basis .
  OPTIONAL { $node hkg:attributionInferred ?inferred }
  OPTIONAL { $node hkg:attributionReason ?reason }
  OPTIONAL { $node hkg:attributionEvidence ?e . ?e oa:exact ?quote .
             OPTIONAL { ?e oa:start ?start } OPTIONAL { ?e oa:end ?end } }
}"""
POSTS = """
SELECT ?holding ?post ?org ?date ?title ?source ?quote WHERE {
  ?holding org:member $node .
  OPTIONAL { ?holding hkg:post ?post } OPTIONAL { ?holding org:organization ?org }
  OPTIONAL { ?holding dcterms:date ?date } OPTIONAL { ?holding hkg:titleAsStated ?title }
  OPTIONAL { ?holding prov:wasDerivedFrom ?source }
  OPTIONAL { ?holding hkg:evidence/oa:exact ?quote }
} ORDER BY ?date ?holding"""
#: Names the sources print otherwise than the registry: those a claim records (?entity set)
#: and those printed for this entity (?claim set).
PRINTED = """
SELECT ?claim ?entity ?name ?inferred ?reason ?source WHERE {
  { $node hkg:printedName ?p . ?p hkg:refersTo ?entity BIND($node AS ?claim) }
  UNION { ?claim hkg:printedName ?p . ?p hkg:refersTo $node }
  ?p hkg:nameAsPrinted ?name .
  OPTIONAL { ?p hkg:resolutionInferred ?inferred } OPTIONAL { ?p hkg:resolutionReason ?reason }
  OPTIONAL { ?claim prov:wasDerivedFrom ?source }
} ORDER BY ?claim ?entity"""
SAID = """
SELECT ?claim ?role ?type ?date ?source ?quote ?basis ?aquote WHERE {
  { ?claim hkg:announcedBy $node BIND("announced" AS ?role) }
  UNION { ?claim hkg:reportedBy $node BIND("reported" AS ?role) }
  UNION { ?claim hkg:speaker $node BIND("said" AS ?role) }
  ?claim a ?type .
  OPTIONAL { ?claim dcterms:date ?date } OPTIONAL { ?claim prov:wasDerivedFrom ?source }
  OPTIONAL { ?claim hkg:evidence/oa:exact ?quote }
  OPTIONAL { ?claim hkg:attributionBasis ?basis }
  OPTIONAL { ?claim hkg:attributionEvidence/oa:exact ?aquote }
} ORDER BY ?date ?claim"""
DEPARTMENTS = "SELECT ?d WHERE { ?d org:unitOf $node } ORDER BY ?d"
PEOPLE = """
SELECT DISTINCT ?person ?post ?date WHERE {
  ?holding org:member ?person ; org:organization ?org .
  FILTER(?org = $node || EXISTS { ?org org:unitOf $node })
  OPTIONAL { ?holding hkg:post ?post } OPTIONAL { ?holding dcterms:date ?date }
} ORDER BY ?person ?date ?post"""
CONTAINED = """
SELECT ?r ?facility WHERE {
  ?r schema:containedInPlace $node .
  BIND(xsd:boolean(EXISTS { ?r a/rdfs:subClassOf* hkg:Facility }) AS ?facility)
} ORDER BY ?r"""
FIGURES = {
    "place": "?result hkg:place $node .",
    "indicator": "?result hkg:indicator $node .",
}
FIGURES_QUERY = """
SELECT ?result ?indicator ?value ?unit ?qualifier ?when ?place ?reporter ?source ?quote
       ?target WHERE {
  %s
  { ?result a hkg:Measurement BIND(xsd:boolean(false) AS ?target) }
  UNION { ?result a hkg:Target BIND(xsd:boolean(true) AS ?target) }
  ?result hkg:value ?value .
  OPTIONAL { ?result hkg:indicator ?indicator } OPTIONAL { ?result hkg:unit ?unit }
  OPTIONAL { ?result hkg:qualifier ?qualifier }
  OPTIONAL { ?result hkg:asOf ?asOf } OPTIONAL { ?result hkg:deadline ?deadline }
  OPTIONAL { ?result dcterms:date ?date }
  BIND(COALESCE(?asOf, ?deadline, ?date) AS ?when)
  OPTIONAL { ?result hkg:place ?place }
  OPTIONAL { ?result hkg:reportedBy|hkg:announcedBy ?reporter }
  OPTIONAL { ?result prov:wasDerivedFrom ?source }
  OPTIONAL { ?result hkg:evidence/oa:exact ?quote }
} LIMIT 2000"""
# Two OPTIONALs, not one of two patterns: Oxigraph evaluates a group OPTIONAL on its own
# (every selector of the graph, seconds at 10^6 triples), a single pattern by lookup. The
# shapes give every evidence exactly one start and one end, so the answers are the same.
SOURCE_CLAIMS = """
SELECT ?claim ?type ?start ?end ?quote WHERE {
  ?claim prov:wasDerivedFrom $node ; hkg:evidence ?e ; a ?type .
  ?e oa:exact ?quote . OPTIONAL { ?e oa:start ?start } OPTIONAL { ?e oa:end ?end }
} ORDER BY ?start ?claim"""
#: A policy's content: what it does, to what, where and for whom (as printed too).
POLICY_CONTENT = """
SELECT ?action ?object ?scope ?scopeText WHERE {
  { $node hkg:action ?action } UNION { $node hkg:actsOn ?object }
  UNION { $node hkg:scope ?scope } UNION { $node hkg:scopeAsPrinted ?scopeText }
}"""
POLICY_PARTS = """
SELECT ?part ?whole WHERE {
  { $node hkg:hasPart ?part } UNION { ?whole hkg:hasPart $node }
} ORDER BY ?part ?whole"""
#: Who stated a policy, when it takes effect, where: the claims that state it.
POLICY_STATED = """
SELECT ?claim ?type ?date ?effective ?who ?anonymous ?basis ?source ?quote WHERE {
  ?claim hkg:statesPolicy $node ; a ?type .
  OPTIONAL { ?claim dcterms:date ?date } OPTIONAL { ?claim hkg:effectiveFrom ?effective }
  OPTIONAL { ?claim hkg:speaker|hkg:announcedBy|hkg:reportedBy ?who }
  OPTIONAL { ?claim hkg:anonymousSpeaker ?anonymous }
  OPTIONAL { ?claim hkg:attributionBasis ?basis }
  OPTIONAL { ?claim prov:wasDerivedFrom ?source }
  OPTIONAL { ?claim hkg:evidence/oa:exact ?quote }
} ORDER BY ?date ?claim ?who"""
SOURCE_FACTS = """
SELECT ?outlet ?issued ?file ?sha256 WHERE {
  OPTIONAL { $node schema:publisher ?outlet } OPTIONAL { $node dcterms:issued ?issued }
  OPTIONAL { $node hkg:fileName ?file } OPTIONAL { $node hkg:sha256 ?sha256 }
}"""


@dataclass
class Paging:
    page: int
    pages: int
    total: int

    @classmethod
    def of(cls, total: int, page: int, size: int = PAGE_SIZE) -> Paging:
        pages = max(1, -(-total // size))
        return cls(min(max(1, page), pages), pages, total)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


def is_known(reader: GraphReader, resource: str) -> bool:
    """Whether the dataset says anything of the resource (an address that is no IRI by
    the engine's rules, e.g. one with a space, names nothing here)."""
    try:
        return reader.ask(KNOWN, {"node": iri(resource)})
    except ValueError:
        return False


REPLACED_BY = "SELECT ?new WHERE { $node dcterms:isReplacedBy ?new } ORDER BY ?new LIMIT 1"


def replaced_by(reader: GraphReader, resource: str) -> str | None:
    """The entity that now stands for a retired IRI (a policy retyped as a platform)."""
    rows = reader.select(REPLACED_BY, {"node": iri(resource)})
    return rows[0]["new"].value if rows else None


def description(reader: GraphReader, resource: str, fmt: GraphFormat) -> bytes:
    return reader.construct(DESCRIPTION, fmt, {"node": iri(resource)})


def in_page_language(rows: list[Row], lang: str) -> list[Row]:
    """The statements, less a property's zh or en text where it also has the page's
    (a label, a definition, an explanation: one language per page); a value the data
    hold in the other language only stays."""
    def language(term: Term) -> str | None:
        tag = (term.lang or "").lower()
        return tag.split("-")[0] if tag and "-latn" not in tag else None

    present = {(r["p"].value, language(r["o"])) for r in rows if r["o"].lang}
    return [r for r in rows if not (
        r["o"].lang and language(r["o"]) not in (None, lang)
        and (r["p"].value, lang) in present)]


def entity_page(page: Page, resource: str, page_number: int) -> dict[str, Any]:
    """Everything the HTML page of a resource shows."""
    reader = page.context.reader
    node = {"node": iri(resource)}
    classes = {r["c"].value for r in reader.select(CLASSES, node)}
    types = [r["type"].value for r in reader.select(TYPES, node)]
    outgoing = in_page_language(reader.select(OUTGOING, node), page.lang)
    total = int(reader.select(INCOMING_COUNT, node)[0]["n"].value)
    paging = Paging.of(total, page_number)
    incoming = reader.select(INCOMING, {**node, "limit": PAGE_SIZE, "offset": paging.offset})
    evidence = reader.select(EVIDENCE, node)
    folders = page.context.source_folders
    sentences = SentenceFinder(reader, folders)
    source = _value(evidence[0], "source") if evidence else None
    values: dict[str, Any] = {
        "iri": resource, "classes": classes, "types": types, "outgoing": outgoing,
        "incoming": incoming, "paging": paging,
        "quote": evidence[0]["quote"].value if evidence else None,
        "source": source,
        "quote_sentence": sentences.find(source, evidence[0]) if evidence else None,
        "attribution": attribution(reader, node, source, sentences) if evidence else None,
        "printed": reader.select(PRINTED, node),
    }
    if str(HKG.Person) in classes:
        values.update(official(reader, node))
    if str(HKG.Agency) in classes or ORG + "Organization" in classes:
        values["departments"] = [r["d"].value for r in reader.select(DEPARTMENTS, node)]
        values["people"] = reader.select(PEOPLE, node)
    if str(HKG.Region) in classes:
        contained = reader.select(CONTAINED, node)
        values["subregions"] = [r["r"].value for r in contained if r["facility"].value != "true"]
        values["facilities"] = [r["r"].value for r in contained if r["facility"].value == "true"]
        values["figures"] = figures(reader, "place", resource)
        values["figures_by"] = "place"
    if str(HKG.Indicator) in classes:
        values["figures"] = figures(reader, "indicator", resource)
        values["figures_by"] = "indicator"
        values["chart"] = indicator_chart(page, values["figures"])
        values["provinces"] = indicator_provinces(page, resource, values["figures"])
    if str(HKG.PolicyMeasure) in classes:
        values.update(policy(page, node))
    if str(HKG.SourceArticle) in classes:
        values["source_claims"] = reader.select(SOURCE_CLAIMS, node)
        facts = reader.select(SOURCE_FACTS, node)
        values["outlet"] = _value(facts[0], "outlet") if facts else None
        values["issued"] = facts[0].get("issued") if facts else None
        values["in_sentence"] = claims_in_sentences(values["source_claims"], facts, folders)
        values["article"] = reading_view(values["source_claims"], facts, folders)
        values["claim_kinds"] = {r["claim"].value: r["type"].value.rsplit("#", 1)[-1]
                                 for r in values["source_claims"]}
        values["legend"] = [(kind, str(HKG[kind])) for kind in CLAIM_KINDS]
    page.labels.load(_mentioned(resource, types, values))
    return values


@dataclass
class Attribution:
    """Who said a claim, and where the text says so (see ATTRIBUTION)."""

    basis: str
    inferred: bool
    reason: str | None
    quote: str | None
    sentence: InSentence | None


class SentenceFinder:
    """Quotes in their sentences, reading each source's file name and hash once."""

    def __init__(self, reader: GraphReader, folders: tuple[Path, ...]) -> None:
        self.reader = reader
        self.folders = folders
        self._facts: dict[str, list[Row]] = {}

    def find(self, source: str | None, row: Row) -> InSentence | None:
        """The sentence around a selector row's ?start..?end in the source, if it is here."""
        if not source or "start" not in row or "end" not in row:
            return None
        if source not in self._facts:
            self._facts[source] = self.reader.select(SOURCE_FACTS, {"node": iri(source)})
        facts = self._facts[source]
        file, sha256 = (_value(facts[0], "file"), _value(facts[0], "sha256")) if facts else (
            None, None)
        if not file or not sha256:
            return None
        return quote_in_sentence(self.folders, file, sha256, int(row["start"].value),
                                 int(row["end"].value))


def attribution(reader: GraphReader, node: dict[str, Term], source: str | None,
                sentences: SentenceFinder) -> Attribution | None:
    """The claim's attribution basis and the words naming its actor, in their sentence."""
    rows = reader.select(ATTRIBUTION, node)
    if not rows:
        return None
    row = rows[0]
    return Attribution(
        basis=row["basis"].value,
        inferred=_value(row, "inferred") in ("true", "1"),
        reason=_value(row, "reason"),
        quote=_value(row, "quote"),
        sentence=sentences.find(source, row) if "quote" in row else None,
    )


@dataclass
class StatedBy:
    """One claim stating a policy, with everyone it names as saying it."""

    claim: str
    type: str
    date: Term | None
    effective: Term | None
    who: list[str]
    anonymous: str | None
    basis: str | None
    source: str | None
    quote: str | None


def policy(page: Page, node: dict[str, Term]) -> dict[str, Any]:
    """A policy's action, object (in the page language, else Chinese), scope, parts and
    the claims that state it (who, when, from when it applies)."""
    reader = page.context.reader
    content = reader.select(POLICY_CONTENT, node)
    objects = {row["object"].lang: row["object"].value for row in content if "object" in row}
    parts = reader.select(POLICY_PARTS, node)
    stated: dict[str, StatedBy] = {}
    for row in reader.select(POLICY_STATED, node):
        claim = row["claim"].value
        entry = stated.setdefault(claim, StatedBy(
            claim, row["type"].value, row.get("date"), row.get("effective"), [],
            _value(row, "anonymous"), _value(row, "basis"), _value(row, "source"),
            _value(row, "quote")))
        who = _value(row, "who")
        if who and who not in entry.who:
            entry.who.append(who)
    return {
        "policy_action": next((r["action"].value for r in content if "action" in r), None),
        "policy_object": objects.get(page.lang) or objects.get("zh"),
        "policy_scope": [r["scope"].value for r in content if "scope" in r],
        "policy_scope_text": next((r["scopeText"].value for r in content if "scopeText" in r),
                                  None),
        "policy_parts": [r["part"].value for r in parts if "part" in r],
        "policy_part_of": [r["whole"].value for r in parts if "whole" in r],
        "policy_stated": list(stated.values()),
    }


@dataclass
class CareerStep:
    """One post in an official's career: the span of days the sources attest it."""

    post: str
    first: Term
    last: Term
    titles: list[str]
    sources: list[str]


def career(posts: list[Row]) -> list[CareerStep]:
    """The posts an official held, each once, in the order the sources first attest them
    (attestations are never merged across posts, and nothing is overwritten)."""
    steps: dict[str, CareerStep] = {}
    for row in posts:
        post, when = row.get("post") or row.get("org"), row.get("date")
        if post is None or when is None:
            continue
        step = steps.setdefault(post.value, CareerStep(post.value, when, when, [], []))
        step.first = min(step.first, when, key=lambda t: t.value)
        step.last = max(step.last, when, key=lambda t: t.value)
        title, source = row.get("title"), row.get("source")
        if title is not None and title.value not in step.titles:
            step.titles.append(title.value)
        if source is not None and source.value not in step.sources:
            step.sources.append(source.value)
    return sorted(steps.values(), key=lambda s: (s.first.value, s.last.value, s.post))


def official(reader: GraphReader, node: dict[str, Term]) -> dict[str, Any]:
    """An official's career (each post with the span the sources attest it), dated posts,
    and what they announced, reported or said."""
    posts = reader.select(POSTS, node)
    said = reader.select(SAID, node)
    seen: set[str] = set()
    timeline = []
    for row in said:
        key = row["claim"].value + row["role"].value
        if key not in seen:
            seen.add(key)
            timeline.append(row)
    return {"posts": posts, "career": career(posts), "timeline": timeline}


def _quote_spans(claims: list[Row]) -> list[tuple[str, int, int]]:
    """(claim, start, end) of every quote with its offsets."""
    return [(r["claim"].value, int(r["start"].value), int(r["end"].value))
            for r in claims if "start" in r and "end" in r]


def _article_file(facts: list[Row]) -> tuple[str, str] | None:
    """The source's file name and SHA-256, when the graph records both."""
    file, sha256 = (_value(facts[0], "file"), _value(facts[0], "sha256")) if facts else (
        None, None)
    return (file, sha256) if file and sha256 else None


def claims_in_sentences(claims: list[Row], facts: list[Row],
                        folders: tuple[Path, ...]) -> dict[str, InSentence]:
    """Each claim's quote in its sentence of the article, where the article is here."""
    article = _article_file(facts)
    if article is None:
        return {}
    found = {}
    for claim, start, end in _quote_spans(claims):
        sentence = quote_in_sentence(folders, *article, start, end)
        if sentence is not None:
            found[claim] = sentence
    return found


def reading_view(claims: list[Row], facts: list[Row],
                 folders: tuple[Path, ...]) -> list[Passage] | None:
    """The whole article with every claim's quote in place, where the article is here."""
    article = _article_file(facts)
    return None if article is None else article_passages(folders, *article,
                                                         _quote_spans(claims))


def figures(reader: GraphReader, by: str, resource: str) -> list[tuple[Figure, bool]]:
    """Measurements and targets of an indicator or a place, each with 'is a target'."""
    rows = reader.select(FIGURES_QUERY % FIGURES[by], {"node": iri(resource)})
    found = fold_figures(rows)
    targets = {r["result"].value for r in rows if r["target"].value == "true"}
    ordered = sorted(found.values(), key=lambda f: ((f.when.value if f.when else ""), f.claim))
    return [(f, f.claim in targets) for f in ordered]


def indicator_chart(page: Page, rows: list[tuple[Figure, bool]]) -> Any:
    page.labels.load(f.place for f, _ in rows if f.place)
    points, targets = [], []
    for figure, is_target in rows:
        value = number(figure.value.value)
        if value is None:
            continue
        when = figure.when.value[:10] if figure.when else "?"
        text = page.quantity(figure.value, figure.unit, figure.qualifiers)
        place = page.labels.name(figure.place) if figure.place else "?"
        (targets if is_target else points).append(Point(when, value, place or "?", text))
    return figures_chart(points, targets, page.t("entity.chart"),
                         lambda v: page.number(number_text(v)))


def indicator_provinces(page: Page, resource: str, rows: list[tuple[Figure, bool]]
                        ) -> ProvinceCharts | None:
    """Bars and map of the latest reported figure of each place (targets left out), in
    the unit most figures use, since one scale cannot hold two units; yes/no figures
    count as 1/0."""
    reported = [(f, figure_number(f.value)) for f, is_target in rows if not is_target
                and f.place]
    units = Counter(f.unit for f, value in reported if value is not None)
    if not units:
        return None
    unit = units.most_common(1)[0][0]
    latest = {f.place: (f, value) for f, value in reported  # rows run oldest first
              if value is not None and f.unit == unit}
    page.labels.load([resource, *latest])
    values = [ProvinceValue(place, page.labels.name(place) or place, value,
                            page.quantity(f.value, f.unit, f.qualifiers), page.href(place))
              for place, (f, value) in latest.items() if place]
    yes_no = all(is_yes_no(f.value) for f, _ in latest.values())
    return province_charts(page, values, page.labels.name(resource) or resource, yes_no)


def _value(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _mentioned(resource: str, types: list[str], values: dict[str, Any]) -> list[str]:
    """Every IRI the page will name, so their labels come in one batch."""
    out = [resource, *types]

    def add(term: Any) -> None:
        if isinstance(term, Term) and term.is_iri:
            out.append(term.value)
        elif isinstance(term, str) and "://" in term:
            out.append(term)

    for row in values["outgoing"] + values["incoming"]:
        for term in row.values():
            add(term)
    add(values.get("source"))
    out += [class_iri for _, class_iri in values.get("legend", [])]
    add(values.get("outlet"))
    if values.get("attribution"):
        add(values["attribution"].basis)
    for key in ("posts", "timeline", "people", "source_claims", "printed"):
        for row in values.get(key, []):
            for term in row.values():
                add(term)
    for key in ("departments", "subregions", "facilities", "policy_scope", "policy_parts",
                "policy_part_of"):
        out += values.get(key, [])
    add(values.get("policy_action"))
    for stated in values.get("policy_stated", []):
        out += [stated.claim, stated.type, *stated.who]
        add(stated.basis)
        add(stated.source)
    for figure, _ in values.get("figures", []):
        out += [x for x in (figure.unit, figure.place, figure.source, figure.indicator,
                            *figure.qualifiers, *figure.reporters) if x]
    return out
