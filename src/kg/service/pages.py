"""Linked data: entity IRIs dereference here, the dumps and their VoID/DCAT description.

Every IRI under the data base is served at its path (``.../person/jiao-yahui`` at
``/person/jiao-yahui``): HTML for browsers — labels in Chinese, English and
pinyin, types, links out and in, evidence quotes and their sources — and a
concise bounded description (plus the labels of what it links to) in Turtle,
JSON-LD, N-Triples and the other RDF formats by Accept. These pages read the
server's own copy of the dataset with bounded pattern lookups, not client SPARQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple, serialize
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD
from starlette.responses import RedirectResponse, Response

from kg.catalogue import query_iri
from kg.formats import GRAPH_FORMATS, GraphFormat, serialize_graph
from kg.namespaces import HKG, bind_prefixes
from kg.service.context import ServiceContext, get_context
from kg.service.negotiation import GRAPH_OFFERS, HTML_OFFER, Offer, negotiate_request
from kg.service.problems import HttpProblem

router = APIRouter()

RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS_OF = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
PINYIN = NamedNode(str(HKG.pinyin))
EVIDENCE = NamedNode(str(HKG.evidence))
EXACT = NamedNode("http://www.w3.org/ns/oa#exact")
DERIVED_FROM = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
CLAIM = str(HKG.Claim)
PAGE_OFFERS = (HTML_OFFER, *GRAPH_OFFERS)
MAX_INCOMING = 300
DUMP_NAME = "cn-health-kg"
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
DUMP_NAMES = [f"{DUMP_NAME}.{f.extension}" for f in GRAPH_FORMATS.values()]
RDF_CONTENT = {f.media_type: {} for f in GRAPH_FORMATS.values()}
UNKNOWN_FORMAT = {"description": "Unknown `format`"}
NOT_ACCEPTABLE = {"description": "No acceptable format (Accept)"}


def render(request: Request, template: str, values: dict[str, Any], status_code: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """An HTML page from a template; `href` and `compact` are available to every page."""
    context = get_context(request)
    values = {"href": lambda iri: context.local_url(iri, request),
              "compact": lambda iri: compact(iri, context),
              "base": context.public_base(request), **values}
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, template, values, status_code=status_code, headers=headers)


def compact(iri: str, context: ServiceContext) -> str:
    """'https://w3id.org/cn-health-kg/person/x' -> 'kgd:person/x' (longest namespace wins)."""
    best = ""
    for prefix, namespace in context.prefixes.items():
        if iri.startswith(namespace) and len(namespace) > len(context.prefixes.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(context.prefixes[best]):]}" if best else iri


def term_view(term: Any, request: Request, context: ServiceContext) -> dict[str, Any] | None:
    """A term (pyoxigraph, or a SPARQL JSON binding) as the templates show it."""
    if term is None:
        return None
    if isinstance(term, dict):
        kind, value = term["type"], term["value"]
        lang, datatype = term.get("xml:lang"), term.get("datatype")
    else:
        kind = {NamedNode: "uri", BlankNode: "bnode"}.get(type(term), "literal")
        value = term.value
        lang = getattr(term, "language", None)
        datatype = term.datatype.value if isinstance(term, Literal) else None
    if kind == "uri":
        return {"kind": "iri", "text": compact(value, context), "iri": value,
                "href": context.local_url(value, request), "label": None}
    if kind == "bnode":
        return {"kind": "bnode", "text": f"_:{value}"}
    return {"kind": "literal", "text": value, "lang": lang,
            "datatype": compact(datatype, context) if datatype else None}


# ---------------------------------------------------------------- reading the store

@dataclass
class Labels:
    """zh, en and pinyin names of resources, looked up once per page."""

    context: ServiceContext
    cache: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, iri: str) -> dict[str, str]:
        if iri not in self.cache:
            names: dict[str, str] = {}
            store = self.context.store
            node = NamedNode(iri)
            for prop in (RDFS_LABEL, PINYIN):
                for quad in store.quads(node, prop, None, None):
                    obj = quad.object
                    if isinstance(obj, Literal):
                        key = "pinyin" if prop == PINYIN else (obj.language or "").split("-")[0]
                        names.setdefault(key, obj.value)
            self.cache[iri] = names
        return self.cache[iri]

    def best(self, iri: str) -> str | None:
        names = self.of(iri)
        return names.get("en") or names.get("pinyin") or names.get("zh") or names.get("")


def triples_about(context: ServiceContext, node: NamedNode | BlankNode) -> list[Quad]:
    """All statements with this subject, in every graph."""
    return list(context.store.quads(node, None, None, None))


def concise_description(context: ServiceContext, iri: str) -> list[Quad]:
    """The concise bounded description of a resource (its statements, blank nodes
    followed), plus the labels of the resources it links to."""
    seen: set[str] = set()
    out: list[Quad] = []
    pending: list[NamedNode | BlankNode] = [NamedNode(iri)]
    while pending:
        node = pending.pop()
        for quad in triples_about(context, node):
            out.append(quad)
            if isinstance(quad.object, BlankNode) and quad.object.value not in seen:
                seen.add(quad.object.value)
                pending.append(quad.object)
    linked = {q.object for q in out if isinstance(q.object, NamedNode)}
    for target in sorted(linked, key=lambda n: n.value):
        out += context.store.quads(target, RDFS_LABEL, None, None)
    return out


def serialise(quads: Iterable[Quad], fmt: GraphFormat, context: ServiceContext) -> bytes:
    items: list[Quad] | list[Triple] = list(quads)
    if not fmt.quads:
        items = list(dict.fromkeys(q.triple for q in items))
    prefixes = context.prefixes if fmt.name in ("ttl", "trig") else None
    return serialize(items, format=fmt.oxigraph, prefixes=prefixes) or b""


def is_claim(context: ServiceContext, iri: str) -> bool:
    store = context.store
    types = [q.object for q in store.quads(NamedNode(iri), RDF_TYPE, None, None)]
    return any(NamedNode(CLAIM) == sup.object for t in types
               for sup in store.quads(t, SUBCLASS_OF, None, None))  # type: ignore[arg-type]


def evidence_of(context: ServiceContext, claim: NamedNode) -> tuple[str | None, str | None]:
    """The quote and the source article of a claim."""
    store = context.store
    quote = None
    for ev in store.quads(claim, EVIDENCE, None, None):
        for exact in store.quads(ev.object, EXACT, None, None):  # type: ignore[arg-type]
            quote = exact.object.value
    source = next((q.object.value for q in store.quads(claim, DERIVED_FROM, None,
                                                                     None)), None)
    return quote, source


# ---------------------------------------------------------------- routes

def negotiate_page(request: Request, offers: tuple[Offer, ...] = PAGE_OFFERS) -> Offer:
    return negotiate_request(request, offers)


@router.get("/", include_in_schema=False)
async def home(request: Request) -> Response:
    context = get_context(request)
    offer = negotiate_page(request)
    if offer.format != "html":
        return void_response(request, context, GRAPH_FORMATS[offer.format])
    store = context.store
    classes = [(row["k"].value, int(row["n"].value)) for row in store.query(  # type: ignore[index,union-attr]
        "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?k FILTER(STRSTARTS(STR(?s), "
        f"\"{context.data_base}\")) }} GROUP BY ?k ORDER BY DESC(?n) ?k",
        default_graphs=None)]
    return render(request, "index.html", {"title": "China health-policy knowledge graph",
                                          "classes": classes, "labels": Labels(context)},
                  headers={"Vary": "Accept"})


@router.get("/void", summary="VoID and DCAT description of the dataset", tags=["Downloads"],
            response_class=Response, responses={
                200: {"description": "The description, in the RDF format asked for",
                      "content": RDF_CONTENT},
                400: UNKNOWN_FORMAT, 406: NOT_ACCEPTABLE})
@router.get("/.well-known/void", include_in_schema=False)
async def void(request: Request) -> Response:
    offer = negotiate_page(request, GRAPH_OFFERS)
    return void_response(request, get_context(request), GRAPH_FORMATS[offer.format])


@router.get("/downloads", summary="Dumps of the whole graph in every RDF format",
            tags=["Downloads"], response_class=Response, responses={
                200: {"description": "The list of dumps (HTML), or the VoID description in "
                                     "the RDF format asked for",
                      "content": {"text/html": {}, **RDF_CONTENT}},
                400: UNKNOWN_FORMAT, 406: NOT_ACCEPTABLE})
async def downloads(request: Request) -> Response:
    context = get_context(request)
    offer = negotiate_page(request)
    if offer.format != "html":
        return void_response(request, context, GRAPH_FORMATS[offer.format])
    files = [{"name": f"{DUMP_NAME}.{fmt.extension}", "format": fmt,
              "size": len(dump_bytes(context, fmt))} for fmt in GRAPH_FORMATS.values()]
    return render(request, "downloads.html", {"title": "Downloads", "files": files},
                  headers={"Vary": "Accept"})


@router.get("/downloads/{filename}", summary="One dump file", tags=["Downloads"],
            response_class=Response, responses={
                200: {"description": "The whole graph in the format of the file name",
                      "content": RDF_CONTENT},
                404: {"description": "No dump of that name"}},
            )
async def download(filename: Annotated[str, Path(json_schema_extra={"enum": DUMP_NAMES})],
                   request: Request) -> Response:
    context = get_context(request)
    stem, _, extension = filename.rpartition(".")
    fmt = next((f for f in GRAPH_FORMATS.values() if f.extension == extension), None)
    if stem != DUMP_NAME or fmt is None:
        names = ", ".join(DUMP_NAMES)
        raise HttpProblem(404, "no such download", f"{filename!r} is not one of: {names}")
    return Response(dump_bytes(context, fmt), media_type=fmt.media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def dump_bytes(context: ServiceContext, fmt: GraphFormat) -> bytes:
    return context.memo.remember(("dump", fmt.name), lambda: context.store.dump(fmt))


@router.get("/{path:path}", include_in_schema=False)
async def dereference(path: str, request: Request) -> Response:
    """The page (or RDF description) of any resource of the dataset."""
    context = get_context(request)
    iri = context.data_base + path
    if path.startswith("query/") and path[6:] in context.catalogue:
        return saved_query_resource(request, context, path[6:])
    if iri in context.graphs:
        return graph_resource(request, context, iri)
    if iri == context.data_base + "dataset":
        return void_response(request, context, GRAPH_FORMATS[negotiate_page(
            request, GRAPH_OFFERS).format])
    store = context.store
    try:
        node = NamedNode(iri)
    except ValueError:  # not an IRI by the engine's rules (e.g. a space): no such resource
        known = None
    else:
        known = next(iter(store.quads(node, None, None, None)), None) or next(
            iter(store.quads(None, None, node, None)), None)
    offer = negotiate_page(request)
    if known is None:
        detail = f"<{iri}> is not a resource of this dataset"
        if offer.format == "html":
            return render(request, "missing.html", {"title": "Not found", "iri": iri,
                                                    "detail": detail}, status_code=404)
        raise HttpProblem(404, "not found", detail)
    if offer.format != "html":
        fmt = GRAPH_FORMATS[offer.format]
        return Response(serialise(concise_description(context, iri), fmt, context),
                        media_type=fmt.media_type, headers={"Vary": "Accept"})
    return render(request, "entity.html", entity_page(request, context, iri),
                  headers={"Vary": "Accept"})


def entity_page(request: Request, context: ServiceContext, iri: str) -> dict[str, Any]:
    """Everything the HTML page of a resource shows."""
    labels = Labels(context)
    store = context.store
    node = NamedNode(iri)

    def link(term: Any) -> dict[str, Any] | None:
        view = term_view(term, request, context)
        if view and view["kind"] == "iri":
            view["label"] = labels.best(view["iri"])
        return view

    def predicate(p: NamedNode) -> dict[str, Any]:
        return {"iri": p.value, "text": compact(p.value, context), "label": labels.best(p.value),
                "href": context.local_url(p.value, request)}

    outgoing = sorted(
        ({"predicate": predicate(q.predicate), "object": link(q.object),
          "graph": compact(q.graph_name.value, context) if isinstance(q.graph_name, NamedNode)
          else None} for q in store.quads(node, None, None, None)),
        key=lambda r: (r["predicate"]["text"] != "rdf:type", r["predicate"]["text"],
                       r["object"]["text"]))
    incoming_quads = list(store.quads(None, None, node, None))
    claims, incoming = [], []
    for q in incoming_quads[:MAX_INCOMING]:
        subject = q.subject
        if isinstance(subject, NamedNode) and is_claim(context, subject.value):
            quote, source = evidence_of(context, subject)
            claims.append({"claim": link(subject), "predicate": predicate(q.predicate),
                           "quote": quote, "source": link(NamedNode(source)) if source else None})
        else:
            incoming.append({"subject": link(subject), "predicate": predicate(q.predicate)})
    quote, source = evidence_of(context, node) if is_claim(context, iri) else (None, None)
    names = labels.of(iri)
    types = [link(q.object) for q in store.quads(node, RDF_TYPE, None, None)]
    return {
        "title": labels.best(iri) or compact(iri, context), "iri": iri, "names": names,
        "types": types, "outgoing": outgoing, "incoming": incoming, "claims": claims,
        "more_incoming": max(0, len(incoming_quads) - MAX_INCOMING),
        "quote": quote, "source": link(NamedNode(source)) if source else None,
        "formats": [(f.name, f.media_type) for f in GRAPH_FORMATS.values()],
    }


def saved_query_resource(request: Request, context: ServiceContext, name: str) -> Response:
    """A catalogue entry: its RDF (SHACL executable), or its page in the query API."""
    offer = negotiate_page(request)
    if offer.format == "html":
        return RedirectResponse(f"{context.public_base(request)}api/queries/{name}", 303)
    from kg.catalogue import catalogue_graph

    graph = catalogue_graph(context.catalogue, context.endpoint_url(request))
    entry = Graph()
    bind_prefixes(entry.namespace_manager, context.data_base)
    subject = URIRef(query_iri(context.data_base, name))
    for triple in graph.triples((subject, None, None)):
        entry.add(triple)
    fmt = GRAPH_FORMATS[offer.format]
    return Response(serialize_graph(entry, fmt),
                    media_type=fmt.media_type, headers={"Vary": "Accept"})


def graph_resource(request: Request, context: ServiceContext, iri: str) -> Response:
    """A named graph: its content in an RDF format, or a short page about it."""
    offer = negotiate_page(request)
    store = context.store
    quads = list(store.quads(None, None, None, NamedNode(iri)))
    if offer.format != "html":
        fmt = GRAPH_FORMATS[offer.format]
        return Response(serialise(quads, fmt, context), media_type=fmt.media_type,
                        headers={"Vary": "Accept"})
    subjects = sorted({q.subject.value for q in quads if isinstance(q.subject, NamedNode)})
    return render(request, "graph.html", {
        "title": compact(iri, context), "iri": iri, "size": len(quads),
        "subjects": subjects[:500], "more": max(0, len(subjects) - 500),
        "formats": [(f.name, f.media_type) for f in GRAPH_FORMATS.values()],
    }, headers={"Vary": "Accept"})


# ---------------------------------------------------------------- VoID and DCAT

def void_response(request: Request, context: ServiceContext, fmt: GraphFormat) -> Response:
    base = context.public_base(request)
    body = context.memo.remember(("void", base, fmt.name), lambda: serialize_graph(
        void_graph(context, base), fmt))
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def void_graph(context: ServiceContext, public_base: str) -> Graph:
    """The dataset as a void:Dataset and dcat:Dataset: size, partitions, dumps, endpoint."""
    g = Graph()
    bind_prefixes(g.namespace_manager, context.data_base)
    dataset = URIRef(context.data_base + "dataset")
    endpoint = URIRef(public_base + "sparql")
    sizes = context.store.graph_sizes()
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, RdfLiteral("China health-policy knowledge graph", lang="en")))
    g.add((dataset, DCTERMS.title, RdfLiteral("中国卫生健康政策知识图谱", lang="zh")))
    g.add((dataset, DCTERMS.description, RdfLiteral(
        "Facts from Chinese health-policy news of 2025 (targets, results, officials, agencies, "
        "events), each claim with its source article and verbatim quote.", lang="en")))
    g.add((dataset, DCTERMS.license, CC0))
    g.add((dataset, DCTERMS.modified, RdfLiteral(
        context.validators.last_modified.isoformat(), datatype=XSD.dateTime)))
    g.add((dataset, OWL.versionInfo, RdfLiteral(context.version)))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.uriSpace, RdfLiteral(context.data_base)))
    g.add((dataset, VOID.triples, RdfLiteral(sum(sizes.values()))))
    g.add((dataset, FOAF.homepage, URIRef(public_base)))
    for prefix in ("hkg", "org", "prov", "skos", "schema", "dcterms", "oa", "time", "sosa"):
        g.add((dataset, VOID.vocabulary, URIRef(context.prefixes[prefix])))
    counts = context.store.query(
        "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?k } GROUP BY ?k ORDER BY ?k")
    for row in counts:  # type: ignore[union-attr]
        partition = URIRef(f"{context.data_base}dataset/class/{compact(row['k'].value, context)}")
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(row["k"].value)))
        g.add((partition, VOID.entities, RdfLiteral(int(row["n"].value))))
    for name in sorted(context.graphs):
        g.add((dataset, VOID.subset, URIRef(name)))
        g.add((URIRef(name), RDF.type, VOID.Dataset))
        g.add((URIRef(name), VOID.triples, RdfLiteral(sizes.get(name, 0))))
    for fmt in GRAPH_FORMATS.values():
        url = URIRef(f"{public_base}downloads/{DUMP_NAME}.{fmt.extension}")
        g.add((dataset, VOID.dataDump, url))
        distribution = URIRef(f"{context.data_base}dataset/distribution/{fmt.name}")
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.downloadURL, url))
        g.add((distribution, DCAT.mediaType, URIRef(
            f"https://www.iana.org/assignments/media-types/{fmt.media_type}")))
        g.add((distribution, DCTERMS.format, RdfLiteral(fmt.media_type)))
        g.add((distribution, DCTERMS.license, CC0))
    service = URIRef(public_base + "sparql#service")
    g.add((dataset, DCAT.distribution, URIRef(f"{context.data_base}dataset/distribution/sparql")))
    g.add((URIRef(f"{context.data_base}dataset/distribution/sparql"), DCAT.accessService, service))
    g.add((URIRef(f"{context.data_base}dataset/distribution/sparql"), RDF.type,
           DCAT.Distribution))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((dataset, VOID.exampleResource, URIRef(f"{context.data_base}person/jiao-yahui")))
    return g
