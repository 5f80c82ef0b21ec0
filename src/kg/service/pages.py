"""Linked data routes: the home page, entity IRIs, list pages, graphs, the ontology, the
dataset and its class partitions, and the dumps.

Every IRI under the data base is served at its path (``.../person/jiao-yahui`` at
``/person/jiao-yahui``): an HTML page for browsers in Chinese or English, or its
description in Turtle, JSON-LD, N-Triples and the other RDF formats by Accept.
`/person`, `/agency`, … list the resources of a kind. All reads go through the
context's GraphReader (SPARQL), so the pages work on any SPARQL store.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from markupsafe import Markup
from rdflib import Graph, URIRef
from starlette.responses import RedirectResponse, Response

from kg.catalogue import expand_curie, query_iri
from kg.formats import GRAPH_FORMATS, GraphFormat, serialize_graph
from kg.namespaces import HKG, bind_prefixes
from kg.query_errors import NotAcceptable
from kg.search import LIST_KINDS
from kg.service import entities, graph
from kg.service.context import ServiceContext, get_context
from kg.service.negotiation import GRAPH_OFFERS, HTML_OFFER, Offer, negotiate_request
from kg.service.problems import NotFound, whole_number
from kg.service.reader import Row, iri, literal
from kg.service.rendering import Page, compact
from kg.service.rendering import render as render  # the SPARQL page renders through here
from kg.service.scorecard import latest_year, programme_years, scorecard
from kg.service.void import (
    DUMP_NAME,
    class_counts,
    data_class_counts,
    graph_sizes,
    partition_graph,
    partition_iri,
    void_response,
)

router = APIRouter()

PAGE_OFFERS = (HTML_OFFER, *GRAPH_OFFERS)
DUMP_NAMES = [f"{DUMP_NAME}.{f.extension}" for f in GRAPH_FORMATS.values()]
RDF_CONTENT = {f.media_type: {} for f in GRAPH_FORMATS.values()}
UNKNOWN_FORMAT = {"description": "Unknown `format`"}
NOT_ACCEPTABLE = {"description": "No acceptable format (Accept)"}
HOME_KINDS = ("person", "agency", "region", "indicator", "source")
HOME_ENTRIES = 12
LIST_COUNT = """
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type FILTER(STRSTARTS(STR(?s), $prefix)) }"""
LIST_PAGE = """
SELECT ?s (SAMPLE(?o) AS ?outlet) (SAMPLE(?d) AS ?issued) WHERE {
  ?s a ?type FILTER(STRSTARTS(STR(?s), $prefix))
  OPTIONAL { ?s schema:publisher ?o } OPTIONAL { ?s dcterms:issued ?d }
} GROUP BY ?s ORDER BY ?s LIMIT $limit OFFSET $offset"""
LISTED_PAGE = """
SELECT ?s (SAMPLE(?o) AS ?outlet) (SAMPLE(?d) AS ?issued) WHERE {
  VALUES ?s { $subjects }
  OPTIONAL { ?s schema:publisher ?o } OPTIONAL { ?s dcterms:issued ?d }
} GROUP BY ?s ORDER BY ?s"""
CLASS_PAGE = """
SELECT DISTINCT ?s WHERE { ?s a $class FILTER(isIRI(?s)) } ORDER BY ?s
LIMIT $limit OFFSET $offset"""
GRAPH_CONTENT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $graph { ?s ?p ?o } }"
GRAPH_SUBJECTS = """
SELECT DISTINCT ?s WHERE { GRAPH $graph { ?s ?p ?o } FILTER(isIRI(?s)) } ORDER BY ?s
LIMIT $limit OFFSET $offset"""
GRAPH_SUBJECT_COUNT = """
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH $graph { ?s ?p ?o } FILTER(isIRI(?s)) }"""


def negotiate_page(request: Request, offers: tuple[Offer, ...] = PAGE_OFFERS) -> Offer:
    return negotiate_request(request, offers)


def page_number(request: Request) -> int:
    """The `page` asked for (1, 2, …; 422 for anything else)."""
    return whole_number("page", request.query_params.get("page", "1"))


@router.get("/", include_in_schema=False)
async def home(request: Request, year: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None
               ) -> Response:
    context = get_context(request)
    offer = negotiate_page(request)
    if offer.format != "html":
        fmt = GRAPH_FORMATS[offer.format]
        return await context.off_loop(lambda: void_response(request, context, fmt))
    return await context.off_loop(lambda: home_page(Page(request), year))


def home_page(page: Page, year: str | None) -> Response:
    """The home page (in a page thread: it reads the graph and the index); the tasks of
    `year`, else of the latest programme year."""
    context = page.context
    shown = int(year) if year else latest_year(page)
    entries = {kind: kind_listing(page, kind, 1, HOME_ENTRIES) for kind in HOME_KINDS}
    classes = data_class_counts(context)
    page.labels.load(c for c, _ in classes)
    return page.render("index.html", {
        "title": page.t("site.title"), "tasks": scorecard(page, shown), "year": shown,
        "years": programme_years(page), "entries": entries,
        "classes": classes,
        "triples": sum(graph_sizes(context).values())}, headers={"Vary": "Accept"})


def kind_listing(page: Page, kind: str, number: int, size: int = entities.PAGE_SIZE) -> dict[
        str, Any]:
    """One page of the resources of a kind (their IRIs start with base + kind + '/'): the
    IRIs from the index's listing when it is there, else by sorting them in SPARQL."""
    reader = page.context.reader
    index = page.context.search.ready()
    prefix = {"prefix": literal(f"{page.context.data_base}{kind}/")}
    if index is not None:
        total = index.kind_count(kind)
        paging = entities.Paging.of(total, number, size)
        listed = index.kind_page(kind, size, (paging.page - 1) * size)
        rows = reader.select(LISTED_PAGE, {"subjects": [iri(s) for s in listed]}) if listed \
            else []
    else:
        total = int(reader.select(LIST_COUNT, prefix)[0]["n"].value)
        paging = entities.Paging.of(total, number, size)
        rows = reader.select(LIST_PAGE, {**prefix, "limit": size,
                                         "offset": (paging.page - 1) * size})
    page.labels.load([r["s"].value for r in rows] + [r["outlet"].value for r in rows
                                                      if "outlet" in r])
    return {"kind": kind, "rows": rows, "paging": paging, "total": total}


@router.get("/void", summary="VoID and DCAT description of the dataset", tags=["Downloads"],
            response_class=Response, responses={
                200: {"description": "The description, in the RDF format asked for",
                      "content": RDF_CONTENT},
                400: UNKNOWN_FORMAT, 406: NOT_ACCEPTABLE})
@router.get("/.well-known/void", include_in_schema=False)
async def void(request: Request) -> Response:
    """RDF by default; a browser asking for HTML is sent to the dataset's page."""
    context = get_context(request)
    offer = negotiate_page(request, (*GRAPH_OFFERS, HTML_OFFER))
    if offer.format == "html":
        return RedirectResponse(context.public_base(request) + "dataset", 303)
    fmt = GRAPH_FORMATS[offer.format]
    return await context.off_loop(lambda: void_response(request, context, fmt))


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
        fmt = GRAPH_FORMATS[offer.format]
        return await context.off_loop(lambda: void_response(request, context, fmt))
    return await context.off_loop(lambda: downloads_page(Page(request)))


def downloads_page(page: Page) -> Response:
    """The list of dumps. A dump is written when first downloaded, not for this page (six
    dumps of a large release would outlast the time limit): sizes of those made so far."""
    files = []
    for fmt in GRAPH_FORMATS.values():
        dump = page.context.memo.get(("dump", fmt.name))
        files.append({"name": f"{DUMP_NAME}.{fmt.extension}", "format": fmt,
                      "size": None if dump is None else len(dump)})
    return page.render("downloads.html", {"title": page.t("downloads.title"), "files": files},
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
        raise NotFound(f"no download {filename!r}; the dumps are: {names}")
    body = await context.off_loop(lambda: dump_bytes(context, fmt))
    return Response(body, media_type=fmt.media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def dump_bytes(context: ServiceContext, fmt: GraphFormat) -> bytes:
    return context.memo.remember(("dump", fmt.name), lambda: context.store.dump(fmt))


@router.get("/{path:path}", include_in_schema=False)
async def dereference(path: str, request: Request) -> Response:
    """The page (or RDF description) of any resource of the dataset, rendered in a page
    thread: its reads may be HTTP requests to a SPARQL server (`--store`), which must
    not hold up the event loop."""
    return await get_context(request).off_loop(lambda: resource_response(path, request))


def resource_response(path: str, request: Request) -> Response:
    context = get_context(request)
    resource = context.data_base + path
    if path.startswith("query/") and path[6:] in context.catalogue:
        return saved_query_resource(request, context, path[6:])
    if resource in context.graphs:
        return graph_resource(request, context, resource)
    if path == "ontology":
        return graph_resource(request, context, context.data_base + "graph/ontology",
                              title=str(HKG).rstrip("#"), whole=True)
    if path == "dataset":
        return dataset_resource(request, context)
    if path.startswith("dataset/class/"):
        return partition_resource(request, context, path.removeprefix("dataset/class/"))
    if path.startswith("dataset/distribution/"):
        name = path.removeprefix("dataset/distribution/")
        fmt = GRAPH_FORMATS.get(name)
        target = f"downloads/{DUMP_NAME}.{fmt.extension}" if fmt else "sparql"
        return RedirectResponse(context.public_base(request) + target, 303)
    if path in LIST_KINDS:
        return list_resource(request, path)
    offer = negotiate_page(request)
    if not entities.is_known(context.reader, resource):
        if offer.format == "html":
            page = Page(request)
            detail = page.t("missing.detail", iri=Markup(
                '<span class="iri">&lt;{}&gt;</span>').format(resource))
            return page.render("missing.html", {"title": page.t("missing.title"),
                                                "iri": resource, "detail": detail},
                               status_code=404)
        raise NotFound(f"<{resource}> is not a resource of this dataset")
    if (successor := entities.replaced_by(context.reader, resource)) is not None:
        return RedirectResponse(context.local_url(successor, request), 301)
    if offer.format != "html":
        fmt = GRAPH_FORMATS[offer.format]
        return Response(entities.description(context.reader, resource, fmt),
                        media_type=fmt.media_type, headers={"Vary": "Accept"})
    page = Page(request)
    values = entities.entity_page(page, resource, page_number(request))
    names = page.labels.names(resource)
    values["title"] = page.labels.name(resource) or compact(resource, context)
    values["title_lang"] = page.labels.lang_of(resource)
    values["names"] = names
    values["formats"] = [(f.name, f.media_type) for f in GRAPH_FORMATS.values()]
    around = graph.neighbourhood(page, resource, 1, graph.PAGE_NODES)
    values["graph"] = graph.graph_json(page, around.nodes, around.edges,
                                       truncated=around.truncated)
    values["graph_nodes"] = {n["id"]: n for n in values["graph"]["nodes"]}
    values["graph_limit"] = graph.PAGE_NODES
    return page.render("entity.html", values, headers={"Vary": "Accept"})


def list_resource(request: Request, kind: str) -> Response:
    offer = negotiate_page(request)
    if offer.format != "html":
        raise NotAcceptable("page", (HTML_OFFER.media_type,), f"/{kind} is a page for "
                            "people; its resources are in /void and the dumps")
    page = Page(request)
    listing = kind_listing(page, kind, page_number(request))
    return page.render("list.html", {"title": page.t("kind." + kind), **listing},
                       headers={"Vary": "Accept"})


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


def graph_resource(request: Request, context: ServiceContext, name: str,
                   title: str | None = None, whole: bool = False) -> Response:
    """A named graph: its content in an RDF format, or a page listing what it describes
    (`whole`: on one page, so that each hash IRI's fragment is an anchor there: the
    ontology's terms, `/ontology#TargetClaim`)."""
    offer = negotiate_page(request)
    reader = context.reader
    if offer.format != "html":
        fmt = GRAPH_FORMATS[offer.format]
        return Response(reader.construct(GRAPH_CONTENT, fmt, {"graph": iri(name)}, graph=name),
                        media_type=fmt.media_type, headers={"Vary": "Accept"})
    page = Page(request)
    total = int(reader.select(GRAPH_SUBJECT_COUNT, {"graph": iri(name)})[0]["n"].value)
    size = max(total, 1) if whole else entities.PAGE_SIZE
    paging = entities.Paging.of(total, 1 if whole else page_number(request), size)
    subjects = [r["s"].value for r in reader.select(GRAPH_SUBJECTS, {
        "graph": iri(name), "limit": size, "offset": 0 if whole else paging.offset})]
    page.labels.load(subjects)
    return page.render("graph.html", {
        "title": title or compact(name, context), "iri": name,
        "size": graph_sizes(context).get(name, 0), "subjects": subjects, "paging": paging,
        "formats": [(f.name, f.media_type) for f in GRAPH_FORMATS.values()],
    }, headers={"Vary": "Accept"})


def dataset_resource(request: Request, context: ServiceContext) -> Response:
    offer = negotiate_page(request)
    if offer.format != "html":
        return void_response(request, context, GRAPH_FORMATS[offer.format])
    page = Page(request)
    classes = class_counts(context)
    page.labels.load(c for c, _ in classes)
    return page.render("dataset.html", {
        "title": page.t("dataset.title"), "sizes": graph_sizes(context),
        "classes": [(c, n, partition_iri(context, c)) for c, n in classes]},
        headers={"Vary": "Accept"})


def partition_resource(request: Request, context: ServiceContext, name: str) -> Response:
    """A VoID class partition: its description, or a page listing the class's instances."""
    cls = expand_curie(name, context.prefixes)
    counts = dict(class_counts(context))
    if cls not in counts:
        raise NotFound(f"no class partition {name!r} in this dataset")
    offer = negotiate_page(request)
    if offer.format != "html":
        fmt = GRAPH_FORMATS[offer.format]
        return Response(partition_graph(context, cls, counts[cls]).serialize(
            format=fmt.rdflib, encoding="utf-8"), media_type=fmt.media_type,
            headers={"Vary": "Accept"})
    page = Page(request)
    paging = entities.Paging.of(counts[cls], page_number(request))
    rows: list[Row] = context.reader.select(CLASS_PAGE, {
        "class": iri(cls), "limit": entities.PAGE_SIZE, "offset": paging.offset})
    page.labels.load([cls] + [r["s"].value for r in rows])
    return page.render("list.html", {
        "title": page.labels.name(cls) or compact(cls, context), "kind": None, "rows": rows,
        "paging": paging, "total": counts[cls]}, headers={"Vary": "Accept"})
