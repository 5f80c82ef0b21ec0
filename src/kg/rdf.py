"""Curated records -> RDF: one named graph for entities, one per source article."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.articles import ARTICLE_KEY, article_of
from kg.attribution import ATTRIBUTION_KEY, basis_of, squeeze
from kg.checks import Offsets
from kg.datafiles import CuratedData
from kg.iris import IriMinter
from kg.namespaces import HKG, OA, ORG, SCHEMA, TIME, bind_prefixes
from kg.records import (
    RELATIONS,
    Agency,
    Article,
    Claim,
    Department,
    Document,
    Entity,
    Event,
    Facility,
    FactFile,
    Group,
    Indicator,
    MeasurementClaim,
    MentionClaim,
    Outlet,
    Person,
    Policy,
    PostClaim,
    Product,
    Programme,
    Region,
    RelationClaim,
    Source,
    StatementClaim,
    TargetClaim,
    Task,
    Unit,
)

PINYIN = "zh-Latn-pinyin"

ENTITY_CLASSES: dict[str, URIRef] = {
    "department": HKG.Department,
    "outlet": HKG.NewsOutlet,
    "person": HKG.Person,
    "role": HKG.Role,
    "policy": HKG.PolicyMeasure,
    "unit": HKG.Unit,
    "indicator": HKG.Indicator,
    "programme": HKG.ServiceTaskProgramme,
    "task": HKG.ServiceTask,
    "product": HKG.DigitalProduct,
}
AGENCY_CLASSES = {
    "national": HKG.NationalAgency,
    "provincial": HKG.ProvincialAgency,
    "prefectural": HKG.LocalAgency,
    "county": HKG.LocalAgency,
    "township": HKG.LocalAgency,
}
REGION_CLASSES = {
    "country": HKG.Country,
    "province": HKG.Province,
    "prefecture": HKG.Prefecture,
    "county": HKG.County,
    "township": HKG.Township,
    "village": HKG.Village,
    "area": HKG.Region,
}
FACILITY_CLASSES = {
    "hospital": HKG.Hospital,
    "clinic": HKG.Clinic,
    "primary-care-centre": HKG.PrimaryCareCentre,
    "childcare-centre": HKG.ChildcareCentre,
    "blood-station": HKG.BloodStation,
    "medical-centre": HKG.MedicalCentre,
    "platform": HKG.DigitalPlatform,
    "university": HKG.University,
    "other": HKG.Facility,
}
DOCUMENT_CLASSES = {
    "plan": HKG.Plan,
    "guideline": HKG.Guideline,
    "notice": HKG.Notice,
    "catalogue": HKG.Catalogue,
    "law": HKG.Law,
    "standard": HKG.Standard,
    "opinion": HKG.Opinion,
    "report": HKG.Report,
    "other": HKG.Document,
}
GROUP_CLASSES = {
    "institution-class": HKG.InstitutionClass,
    "population": HKG.PopulationGroup,
}
#: keys of kg.records.POLICY_ACTIONS -> the concepts of the hkg:PolicyAction scheme
POLICY_ACTION_TERMS = {
    "promote": HKG.Promote,
    "expand": HKG.Expand,
    "optimise": HKG.Optimise,
    "improve": HKG.Improve,
    "accelerate": HKG.Accelerate,
    "abolish": HKG.Abolish,
    "establish": HKG.Establish,
    "build": HKG.Build,
    "implement": HKG.Implement,
    "strengthen": HKG.Strengthen,
    "carry-out": HKG.CarryOut,
    "launch": HKG.Launch,
    "reduce": HKG.Reduce,
    "raise": HKG.Raise,
    "include": HKG.Include,
    "pilot": HKG.Pilot,
    "extend": HKG.Extend,
    "standardise": HKG.Standardise,
    "waive": HKG.Waive,
    "cover": HKG.Cover,
    "open": HKG.Open,
    "set-up": HKG.SetUp,
    "publish": HKG.Publish,
    "support": HKG.Support,
    "provide": HKG.Provide,
    "adjust": HKG.Adjust,
    "integrate": HKG.Integrate,
    "refund": HKG.Refund,
    "encourage": HKG.Encourage,
    "deploy": HKG.Deploy,
}
#: How a relation claim's Chinese label names its relation (the ontology property's zh label)
RELATION_WORDS_ZH = {
    "built-on": "依托", "operated-by": "运营主体", "premiered-on": "首播于",
    "streamed-on": "直播于", "decided": "决定", "issued-by": "发布机关", "located-in": "位于",
}
EVENT_CLASSES = {
    "press-conference": HKG.PressConference,
    "meeting": HKG.Meeting,
    "broadcast": HKG.Broadcast,
    "campaign": HKG.Campaign,
    "other": HKG.Event,
}
CLAIM_CLASSES = {
    "post": HKG.PostHolding,
    "target": HKG.Target,
    "measurement": HKG.Measurement,
    "statement": HKG.Statement,
    "mention": HKG.Mention,
    "relation": HKG.RelationClaim,
}
COMPARATORS = {
    "=": HKG.Equal,
    ">=": HKG.GreaterOrEqual,
    ">": HKG.Greater,
    "<=": HKG.LessOrEqual,
    "<": HKG.Less,
}
BASIS_TERMS = {
    "stated-in-clause": HKG.StatedInClause,
    "speaker-heading": HKG.SpeakerHeading,
    "byline": HKG.BylineCredit,
    "lead": HKG.LeadParagraph,
    "inferred": HKG.CuratorInference,
}
QUALIFIER_TERMS = {
    "about": HKG.About,
    "over": HKG.Over,
    "at-least": HKG.AtLeast,
    "at-most": HKG.AtMost,
    "under": HKG.Under,
    "cumulative": HKG.Cumulative,
    "nearly": HKG.Nearly,
}
#: Reference fields of claims -> the property that carries them.
CLAIM_LINKS = {
    "indicator": HKG.indicator,
    "task": HKG.forTask,
    "unit": HKG.unit,
    "announced_by": HKG.announcedBy,
    "reported_by": HKG.reportedBy,
    "speaker": HKG.speaker,
    "event": HKG.atEvent,
    "place": HKG.place,
    "about": HKG.about,
    "subject": HKG.subject,
    "object": HKG.relationObject,
    "result_of": HKG.resultOf,
    "states_policy": HKG.statesPolicy,
    "person": ORG.member,
    "organization": ORG.organization,
    "role": ORG.role,
}
TIME_PRECISION = {4: TIME.inXSDgYear, 7: TIME.inXSDgYearMonth, 10: TIME.inXSDDate}


def date_literal(partial: str) -> Literal:
    """A partial date as xsd:gYear, xsd:gYearMonth or xsd:date, keeping its precision."""
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(partial)]
    return Literal(partial, datatype=datatype)


def value_literal(value: Decimal | bool) -> Literal:
    if isinstance(value, bool):
        return Literal(value)
    return Literal(format(value, "f"), datatype=XSD.decimal)


class RdfMapper:
    """Builds the entities graph and the per-source graphs from checked records."""

    def __init__(self, data: CuratedData, offsets: Offsets, minter: IriMinter) -> None:
        self.data = data
        self.offsets = offsets
        self.iri = minter

    def ref(self, entity_id: str) -> URIRef:
        """IRI of a registry entity, by id."""
        entity = self.data.entities[entity_id]
        return self.iri.entity(entity.KIND, entity.id)

    def new_graph(self) -> Graph:
        graph = Graph()
        bind_prefixes(graph.namespace_manager, self.iri.base)
        return graph

    # ------------------------------------------------------------ entities

    def entities_graph(self) -> Graph:
        g = self.new_graph()
        scheme = self.indicator_scheme
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, RDFS.label, Literal("卫生健康指标", lang="zh")))
        g.add((scheme, RDFS.label, Literal("Health indicators", lang="en")))
        for entity in self.data.entities.values():
            self.add_entity(g, entity)
        for facts in self.data.facts.values():
            for claim in facts.claims:
                if isinstance(claim, PostClaim):
                    self.add_post(g, claim)
        return g

    @property
    def indicator_scheme(self) -> URIRef:
        return self.iri.scheme("indicators")

    def entity_class(self, entity: Entity) -> URIRef:
        match entity:
            case Agency():
                return AGENCY_CLASSES[entity.level]
            case Region():
                return REGION_CLASSES[entity.level]
            case Facility():
                return FACILITY_CLASSES[entity.type]
            case Document():
                return DOCUMENT_CLASSES[entity.type]
            case Event():
                return EVENT_CLASSES[entity.type]
            case Group():
                return GROUP_CLASSES[entity.type]
        return ENTITY_CLASSES[entity.KIND]

    def add_entity(self, g: Graph, entity: Entity) -> None:
        s = self.ref(entity.id)
        g.add((s, RDF.type, self.entity_class(entity)))
        g.add((s, RDFS.label, Literal(entity.name_zh, lang="zh")))
        if entity.name_en:
            g.add((s, RDFS.label, Literal(entity.name_en, lang="en")))
        for alias in entity.aliases_zh:
            g.add((s, SKOS.altLabel, Literal(alias, lang="zh")))
        for alias in entity.aliases_en:
            g.add((s, SKOS.altLabel, Literal(alias, lang="en")))
        if entity.note:
            g.add((s, SKOS.note, Literal(entity.note, lang="en")))
        for path in entity.replaces:
            old = URIRef(f"{self.iri.base}{path}")
            g.add((s, DCTERMS.replaces, old))
            g.add((old, DCTERMS.isReplacedBy, s))
        self.add_entity_details(g, s, entity)

    def add_entity_details(self, g: Graph, s: URIRef, entity: Entity) -> None:
        def link(prop: URIRef, ids: Iterable[str | None]) -> None:
            for entity_id in ids:
                if entity_id:
                    g.add((s, prop, self.ref(entity_id)))

        match entity:
            case Agency():
                link(HKG.jurisdiction, [entity.region])
                link(ORG.subOrganizationOf, [entity.parent])
            case Department():
                link(ORG.unitOf, [entity.parent])
            case Outlet():
                link(SCHEMA.location, [entity.region])
            case Person():
                g.add((s, HKG.pinyin, Literal(entity.pinyin_name, lang=PINYIN)))
            case Region():
                link(SCHEMA.containedInPlace, [entity.within])
            case Facility():
                link(SCHEMA.containedInPlace, [entity.region])
                link(HKG.operatedBy, [entity.operator])
            case Document():
                link(DCTERMS.creator, entity.issuer)
                if entity.date:
                    g.add((s, DCTERMS.issued, date_literal(entity.date)))
            case Policy():
                link(DCTERMS.creator, entity.issuer)
                link(HKG.forTask, [entity.task])
                link(HKG.jurisdiction, [entity.region])
                if entity.action:
                    g.add((s, HKG.action, POLICY_ACTION_TERMS[entity.action]))
                for text, lang in ((entity.object_zh, "zh"), (entity.object_en, "en")):
                    if text:
                        g.add((s, HKG.actsOn, Literal(text, lang=lang)))
                link(HKG.scope, entity.scope)
                if entity.scope_zh:
                    g.add((s, HKG.scopeAsPrinted, Literal(entity.scope_zh, lang="zh")))
                link(HKG.hasPart, entity.parts)
            case Event():
                g.add((s, SCHEMA.startDate, date_literal(entity.start)))
                if entity.end:
                    g.add((s, SCHEMA.endDate, date_literal(entity.end)))
                g.add((s, HKG.dateInferred, Literal(entity.date_inferred)))
                link(SCHEMA.location, [entity.place])
                link(SCHEMA.organizer, entity.organizer)
            case Product():
                link(HKG.operatedBy, [entity.operator])
            case Unit():
                if entity.symbol:
                    g.add((s, SKOS.notation, Literal(entity.symbol)))
            case Indicator():
                g.add((s, SKOS.inScheme, self.indicator_scheme))
                link(HKG.unit, [entity.unit])
                link(SKOS.broader, [entity.broader])
                link(HKG.forTask, [entity.task])
                if entity.definition_en:
                    g.add((s, SKOS.definition, Literal(entity.definition_en, lang="en")))
            case Programme():
                g.add((s, HKG.year, Literal(entity.year, datatype=XSD.gYear)))
                link(DCTERMS.creator, entity.issuer)
            case Task():
                link(DCTERMS.isPartOf, [entity.programme])
                g.add((s, HKG.taskNumber, Literal(entity.number)))
                if entity.continues:
                    link(HKG.continues, [entity.continues])

    def post_iri(self, claim: PostClaim) -> URIRef:
        return self.iri.post(claim.organization, claim.role)

    def add_post(self, g: Graph, claim: PostClaim) -> None:
        """The post itself (a position in an organisation), shared by all who hold it."""
        post = self.post_iri(claim)
        org, role = self.data.entities[claim.organization], self.data.entities[claim.role]
        g.add((post, RDF.type, HKG.Post))
        g.add((post, ORG.postIn, self.ref(org.id)))
        g.add((post, ORG.role, self.ref(role.id)))
        g.add((post, RDFS.label, Literal(f"{org.name_zh}{role.name_zh}", lang="zh")))
        if org.name_en and role.name_en:
            g.add((post, RDFS.label, Literal(f"{role.name_en}, {org.name_en}", lang="en")))

    # ------------------------------------------------------------ sources

    def source_graph(self, facts: FactFile) -> Graph:
        g = self.new_graph()
        src = facts.source
        s = self.iri.source(src.id)
        g.add((s, RDF.type, HKG.SourceArticle))
        g.add((s, RDFS.label, Literal(src.title_zh, lang="zh")))
        g.add((s, RDFS.label, Literal(src.title_en, lang="en")))
        g.add((s, DCTERMS.title, Literal(src.title_zh, lang="zh")))
        g.add((s, DCTERMS.issued, date_literal(src.published)))
        g.add((s, DCTERMS.language, Literal("zh", datatype=XSD.language)))
        if src.outlet:
            g.add((s, SCHEMA.publisher, self.ref(src.outlet)))
        g.add((s, HKG.fileName, Literal(src.file)))
        g.add((s, HKG.sha256, Literal(src.sha256)))
        g.add((s, HKG.dateInferred, Literal(src.published_inferred)))
        if src.date_note:
            g.add((s, HKG.dateNote, Literal(src.date_note, lang="en")))
        if src.note:
            g.add((s, SKOS.note, Literal(src.note, lang="en")))
        self.add_credits(g, s, src)
        starts = self.add_articles(g, s, src)
        mentioned: set[str] = set()
        for claim in facts.claims:
            self.add_claim(g, facts, claim)
            mentioned.update(ref for _, ref, _ in claim.references())
            article_id = article_of(starts, self.offsets[(src.id, claim.id)][0])
            if article_id:
                g.add((self.iri.claim(src.id, claim.id), HKG.inArticle,
                       self.article_iri(src.id, article_id)))
        for entity_id in sorted(mentioned):
            g.add((s, SCHEMA.mentions, self.ref(entity_id)))
        return g

    def article_iri(self, source_id: str, article_id: str) -> URIRef:
        return URIRef(f"{self.iri.source(source_id)}/article/{article_id}")

    def add_credits(self, g: Graph, s: URIRef, credited: Source | Article) -> None:
        """Writers (schema:author), photographers and chart makers of a file or article."""
        for prop, ids in ((SCHEMA.author, credited.authors),
                          (HKG.photographer, credited.photographers),
                          (HKG.chartMaker, credited.chart_makers)):
            for person in ids:
                g.add((s, prop, self.ref(person)))

    def add_articles(self, g: Graph, s: URIRef, src: Source) -> list[tuple[int, str]]:
        """One node per article of the file; returns (start offset, id), in text order."""
        starts = []
        for article in src.articles:
            a = self.article_iri(src.id, article.id)
            g.add((a, RDF.type, HKG.Article))
            g.add((a, DCTERMS.isPartOf, s))
            g.add((a, DCTERMS.title, Literal(article.title_zh, lang="zh")))
            g.add((a, RDFS.label, Literal(article.title_zh, lang="zh")))
            if article.title_en:
                g.add((a, RDFS.label, Literal(article.title_en, lang="en")))
            g.add((a, HKG.genre, Literal(article.genre)))
            if article.byline_as_stated:
                g.add((a, HKG.bylineAsStated, Literal(article.byline_as_stated, lang="zh")))
            if article.note:
                g.add((a, SKOS.note, Literal(article.note, lang="en")))
            self.add_credits(g, a, article)
            start = self.offsets[(src.id, ARTICLE_KEY + article.id)][0]
            g.add((a, OA.start, Literal(start)))
            starts.append((start, article.id))
        return sorted(starts)

    def claim_date(self, facts: FactFile, claim: Claim) -> str:
        """When the claim was made: as stated, else its event's date, else the source's."""
        stated = getattr(claim, "date", None)
        event_id = getattr(claim, "event", None)
        if stated:
            return stated
        if event_id:
            return self.data.entities[event_id].start  # type: ignore[attr-defined]
        return facts.source.published

    def add_claim(self, g: Graph, facts: FactFile, claim: Claim) -> None:
        source_id = facts.source.id
        s = self.iri.claim(source_id, claim.id)
        g.add((s, RDF.type, CLAIM_CLASSES[claim.kind]))  # type: ignore[attr-defined]
        g.add((s, PROV.wasDerivedFrom, self.iri.source(source_id)))
        g.add((s, DCTERMS.date, date_literal(self.claim_date(facts, claim))))
        if claim.note:
            g.add((s, SKOS.note, Literal(claim.note, lang="en")))
        for label in self.claim_labels(claim):
            g.add((s, RDFS.label, label))
        for field, ref, _ in claim.references():
            if isinstance(claim, RelationClaim) and field == "subject":
                g.add((s, HKG.relationSubject, self.ref(ref)))
                continue
            g.add((s, CLAIM_LINKS[field], self.ref(ref)))
            if field == "states_policy" and isinstance(claim, StatementClaim | MentionClaim):
                g.add((s, HKG.about, self.ref(ref)))  # statesPolicy is a sub-property of about
        self.add_evidence(g, s, source_id, claim)
        self.add_attribution(g, s, source_id, claim)
        self.add_printed_names(g, s, claim)
        if getattr(claim, "effective_from", None):
            g.add((s, HKG.effectiveFrom, date_literal(claim.effective_from)))  # type: ignore[attr-defined]
        match claim:
            case PostClaim():
                g.add((s, HKG.post, self.post_iri(claim)))
                self.add_holding_period(g, s, self.claim_date(facts, claim), claim)
                g.add((s, HKG.titleAsStated, Literal(claim.title_zh, lang="zh")))
                if claim.name_as_stated:
                    g.add((s, HKG.nameAsStated, Literal(claim.name_as_stated, lang="zh")))
            case TargetClaim():
                self.add_quantity(g, s, claim)
                g.add((s, HKG.comparator, COMPARATORS[claim.comparator]))
                if claim.deadline:
                    g.add((s, HKG.deadline, date_literal(claim.deadline)))
                if claim.due_start or claim.due_end:
                    self.add_interval(g, s, HKG.duePeriod, "due-period",
                                      claim.due_start, claim.due_end)
            case MeasurementClaim():
                self.add_quantity(g, s, claim)
                if claim.value_max is not None:
                    g.add((s, HKG.valueMax, value_literal(claim.value_max)))
                for qualifier in claim.qualifiers:
                    g.add((s, HKG.qualifier, QUALIFIER_TERMS[qualifier]))
                if claim.figure:
                    g.add((s, HKG.figureType, Literal(claim.figure)))
                if claim.as_of:
                    g.add((s, HKG.asOf, date_literal(claim.as_of)))
                if claim.period_start or claim.period_end:
                    self.add_period(g, s, claim)
            case StatementClaim():
                g.add((s, HKG.summary, Literal(claim.summary_en, lang="en")))
                zh = claim.summary_zh or squeeze(claim.evidence)
                g.add((s, HKG.summary, Literal(zh, lang="zh")))
                if claim.anonymous_speaker:
                    g.add((s, HKG.anonymousSpeaker, Literal(claim.anonymous_speaker, lang="zh")))
            case MentionClaim():
                pass
            case RelationClaim():
                prop = HKG[RELATIONS[claim.relation][0]]
                g.add((s, HKG.relation, prop))
                g.add((self.ref(claim.subject), prop, self.ref(claim.object)))

    def add_attribution(self, g: Graph, s: URIRef, source_id: str, claim: Claim) -> None:
        """Where the text names the claim's reporter/announcer/speaker: its basis, the
        passage that names them (an evidence selector), or why the curators inferred it."""
        attribution = basis_of(claim)
        if attribution is None:
            return
        g.add((s, HKG.attributionBasis, BASIS_TERMS[attribution.basis]))
        g.add((s, HKG.attributionInferred, Literal(attribution.inferred)))
        if attribution.reason:
            g.add((s, HKG.attributionReason, Literal(attribution.reason, lang="en")))
        if attribution.evidence:
            ev = URIRef(f"{s}/attribution-evidence")
            start, end = self.offsets[(source_id, ATTRIBUTION_KEY + claim.id)]
            g.add((s, HKG.attributionEvidence, ev))
            self.add_selector(g, ev, source_id, attribution.evidence, start, end)

    def add_printed_names(self, g: Graph, s: URIRef, claim: Claim) -> None:
        """One node per name the source prints otherwise than the entity it names: the
        entity, the name as printed, and whether (and why) the curators inferred the tie."""
        for entity_id, printed in sorted(claim.all_printed_names().items()):
            node = URIRef(f"{s}/printed-name/{entity_id}")
            g.add((s, HKG.printedName, node))
            g.add((node, RDF.type, HKG.PrintedName))
            g.add((node, HKG.refersTo, self.ref(entity_id)))
            g.add((node, HKG.nameAsPrinted, Literal(printed.name, lang="zh")))
            g.add((node, HKG.resolutionInferred, Literal(printed.inferred)))
            if printed.reason:
                g.add((node, HKG.resolutionReason, Literal(printed.reason, lang="en")))

    def add_quantity(self, g: Graph, s: URIRef, claim: TargetClaim | MeasurementClaim) -> None:
        g.add((s, HKG.value, value_literal(claim.value)))
        if claim.unit is None:
            indicator = self.data.entities[claim.indicator]
            g.add((s, HKG.unit, self.ref(indicator.unit)))  # type: ignore[attr-defined]

    def add_period(self, g: Graph, s: URIRef, claim: MeasurementClaim) -> None:
        period = URIRef(f"{s}/period")
        g.add((s, HKG.period, period))
        g.add((period, RDF.type, TIME.ProperInterval))
        for prop, partial in ((TIME.hasBeginning, claim.period_start),
                              (TIME.hasEnd, claim.period_end)):
            if partial:
                instant = URIRef(f"{period}/{'start' if prop == TIME.hasBeginning else 'end'}")
                g.add((period, prop, instant))
                g.add((instant, RDF.type, TIME.Instant))
                g.add((instant, TIME_PRECISION[len(partial)], date_literal(partial)))

    def add_interval(self, g: Graph, s: URIRef, prop: URIRef, name: str,
                     start: str | None, end: str | None) -> URIRef:
        """An OWL-Time interval s -prop-> s/name with the given partial-date ends (returned)."""
        period = URIRef(f"{s}/{name}")
        g.add((s, prop, period))
        g.add((period, RDF.type, TIME.ProperInterval))
        for edge, partial, suffix in ((TIME.hasBeginning, start, "start"),
                                      (TIME.hasEnd, end, "end")):
            if partial:
                instant = URIRef(f"{period}/{suffix}")
                g.add((period, edge, instant))
                g.add((instant, RDF.type, TIME.Instant))
                g.add((instant, TIME_PRECISION[len(partial)], date_literal(partial)))
        return period

    def add_holding_period(self, g: Graph, s: URIRef, attested: str, claim: PostClaim) -> None:
        """When the post was held (org:memberDuring): an interval that contains the date the
        source attests it on (time:inside), with its beginning and end where the text gives
        them. Each source adds its own attestation; nothing earlier is overwritten."""
        during = self.add_interval(g, s, ORG.memberDuring, "during", claim.start, claim.end)
        instant = URIRef(f"{during}/attested")
        g.add((during, TIME.inside, instant))
        g.add((instant, RDF.type, TIME.Instant))
        g.add((instant, TIME_PRECISION[len(attested)], date_literal(attested)))

    def add_evidence(self, g: Graph, s: URIRef, source_id: str, claim: Claim) -> None:
        ev = self.iri.evidence(source_id, claim.id)
        start, end = self.offsets[(source_id, claim.id)]
        g.add((s, HKG.evidence, ev))
        self.add_selector(g, ev, source_id, claim.evidence, start, end)

    def add_selector(self, g: Graph, ev: URIRef, source_id: str, quote: str, start: int,
                     end: int) -> None:
        """A verbatim passage of the source and its character offsets."""
        g.add((ev, RDF.type, HKG.Evidence))
        g.add((ev, OA.exact, Literal(quote, lang="zh")))
        g.add((ev, OA.start, Literal(start)))
        g.add((ev, OA.end, Literal(end)))
        g.add((ev, DCTERMS.source, self.iri.source(source_id)))

    def claim_labels(self, claim: Claim) -> list[Literal]:
        """Readable zh and en labels for a claim node, built from its parts."""
        def names(ids: Iterable[str]) -> tuple[str, str]:
            ents = [self.data.entities[i] for i in ids]
            zh = "、".join(e.name_zh for e in ents)
            en = ", ".join(e.name_en or getattr(e, "pinyin_name", e.name_zh) for e in ents)
            return zh, en

        match claim:
            case PostClaim():
                (p_zh, p_en), (o_zh, o_en) = names([claim.person]), names([claim.organization])
                r_zh, r_en = names([claim.role])
                zh, en = f"{p_zh}：{o_zh}{r_zh}", f"{p_en}: {r_en}, {o_en}"
            case TargetClaim() | MeasurementClaim():
                i_zh, i_en = names([claim.indicator])
                v = "是" if claim.value is True else format(claim.value, "f")
                head_zh = "目标" if claim.kind == "target" else "数据"
                head_en = "Target" if claim.kind == "target" else "Figure"
                place_zh, place_en = names([claim.place])
                zh = f"{head_zh}：{place_zh}{i_zh} {v}"
                en = f"{head_en}: {i_en} ({place_en}) {v}"
            case StatementClaim():
                zh, en = f"陈述：{claim.evidence[:30]}", f"Statement: {claim.summary_en[:80]}"
            case RelationClaim():
                (s_zh, s_en), (o_zh, o_en) = names([claim.subject]), names([claim.object])
                zh = f"关系：{s_zh} {RELATION_WORDS_ZH[claim.relation]} {o_zh}"
                en = f"Relation: {s_en} {claim.relation} {o_en}"
            case _:
                zh, en = f"提及：{claim.evidence[:30]}", f"Mention: {names(claim.about)[1][:80]}"
        return [Literal(zh, lang="zh"), Literal(en, lang="en")]
