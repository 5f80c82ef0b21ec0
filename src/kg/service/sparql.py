"""`/sparql`: the SPARQL 1.1 Protocol, read-only and offline.

GET with ``query=``, POST form-encoded, POST ``application/sparql-query``;
``default-graph-uri`` / ``named-graph-uri`` (and Oxigraph's ``union-default-graph``);
results negotiated by Accept (or ``format=``); a service description on a GET
without a query. Updates are refused (403), SERVICE and graphs outside the
dataset too (400), and each query runs under the time limit in a worker.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from markupsafe import Markup
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, Namespace
from starlette.responses import Response

from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS, GraphFormat, serialize_graph
from kg.inspection import check_graphs
from kg.query_errors import NotAcceptable, UpdateRefused
from kg.service.assets import YASGUI
from kg.service.context import ServiceContext, get_context
from kg.service.i18n import LANGUAGES, Translator, yasgui_words
from kg.service.negotiation import (
    GRAPH_OFFERS,
    HTML_OFFER,
    RESULTS_OFFERS,
    Offer,
    choose,
    negotiate_request,
)
from kg.service.problems import BadRequest, RequestTooLarge, UnknownFormat, UnsupportedMediaType
from kg.service.rendering import Page
from kg.service.security import content_security_policy
from kg.service.void import statistics
from kg.service.worker import Answer, QueryJob

TRUNCATED_HEADER = "X-KG-Truncated"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SD_FORMAT_TERMS = {
    "json": FORMATS.SPARQL_Results_JSON, "xml": FORMATS.SPARQL_Results_XML,
    "csv": FORMATS.SPARQL_Results_CSV, "tsv": FORMATS.SPARQL_Results_TSV,
    "ttl": FORMATS.Turtle, "nt": FORMATS["N-Triples"], "nq": FORMATS["N-Quads"],
    "trig": FORMATS.TriG, "jsonld": FORMATS["JSON-LD"], "rdfxml": FORMATS.RDF_XML,
}
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")

router = APIRouter(tags=["SPARQL"])

PROTOCOL_PARAMETERS = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "A SPARQL 1.1 query. Without it, GET returns the service description.",
     "example": "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 10"},
    {"name": "default-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
     "description": "Graphs merged into the default graph (must be graphs of this dataset)."},
    {"name": "named-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
     "description": "Graphs available to GRAPH (must be graphs of this dataset)."},
    {"name": "format", "in": "query", "required": False,
     "schema": {"type": "string", "enum": sorted({*RESULTS_FORMATS, *GRAPH_FORMATS})},
     "description": "Overrides Accept: json, xml, csv, tsv for SELECT/ASK; ttl, nt, nq, "
                    "trig, jsonld, xml for CONSTRUCT/DESCRIBE."},
]
RESPONSES = {
    200: {"description": "Results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE); header "
                         "X-KG-Truncated tells whether the row limit cut the answer.",
          "content": {m: {} for m in (*(f.media_type for f in RESULTS_FORMATS.values()),
                                      *(f.media_type for f in GRAPH_FORMATS.values()),
                                      "text/html")}},
    400: {"description": "Malformed query (message, line, column), SERVICE, graphs "
                         "outside the dataset, or an unknown `format`."},
    403: {"description": "An update: this endpoint is read-only."},
    406: {"description": "No acceptable format for this kind of result."},
    413: {"description": "Request body larger than the limit."},
    415: {"description": "POST body of a media type the protocol does not define."},
    503: {"description": "The query ran out of time and was stopped."},
}


@router.get("/sparql", openapi_extra={"parameters": PROTOCOL_PARAMETERS}, responses=RESPONSES,
            summary="SPARQL query (GET), or the service description without a query")
@router.get("/sparql/", include_in_schema=False)
async def sparql_get(request: Request) -> Response:
    context = get_context(request)
    params = request.query_params
    if "update" in params:
        raise UpdateRefused()
    check_utf8_query_string(request)
    queries = params.getlist("query")
    if not queries:
        if dataset := [name for name in DATASET_PARAMETERS if name in params]:
            raise BadRequest(f"'{dataset[0]}' without a 'query': a GET without a query asks for"
                             " the service description, which takes no dataset")
        return await context.off_loop(lambda: service_description_response(request, context))
    if len(queries) > 1:
        raise BadRequest("more than one 'query' parameter")
    return await run_protocol_query(
        request, context, queries[0],
        params.getlist("default-graph-uri"), params.getlist("named-graph-uri"),
        params.get("format"), "union-default-graph" in params,
    )


@router.post("/sparql", responses=RESPONSES, summary="SPARQL query (POST form or direct)",
             openapi_extra={
                 "parameters": PROTOCOL_PARAMETERS[1:],
                 "requestBody": {"required": True, "content": {
                     QUERY_TYPE: {"schema": {"type": "string"}},
                     FORM_TYPE: {"schema": {"type": "object", "properties": {
                         "query": {"type": "string"},
                         "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                         "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                     }, "required": ["query"]}},
                 }},
             })
@router.post("/sparql/", include_in_schema=False)
async def sparql_post(request: Request) -> Response:
    context = get_context(request)
    media_type, charset = content_type(request.headers.get("content-type"))
    if media_type == UPDATE_TYPE:
        raise UpdateRefused()
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"the body must be UTF-8, not {charset}")
    body = await read_body(request, context.config.settings.max_request_bytes)
    url = request.query_params
    if media_type == FORM_TYPE:
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                            errors="strict")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"the form body is not UTF-8: {exc}") from exc
        if "update" in form:
            raise UpdateRefused()
        queries = form.get("query", [])
        if "query" in url:
            queries = [*queries, *url.getlist("query")]
        if len(queries) != 1:
            raise BadRequest("a form POST needs exactly one 'query' parameter in its body")
        default = [*form.get("default-graph-uri", []), *url.getlist("default-graph-uri")]
        named = [*form.get("named-graph-uri", []), *url.getlist("named-graph-uri")]
        fmt = (form.get("format") or [None])[0] or url.get("format")
        union = "union-default-graph" in form or "union-default-graph" in url
        return await run_protocol_query(request, context, queries[0], default, named, fmt, union)
    if media_type == QUERY_TYPE:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"the query is not UTF-8: {exc}") from exc
        if "query" in url:
            raise BadRequest("a direct POST carries the query in its body, not in the URL")
        return await run_protocol_query(
            request, context, text, url.getlist("default-graph-uri"),
            url.getlist("named-graph-uri"), url.get("format"), "union-default-graph" in url,
        )
    raise UnsupportedMediaType(
        f"POST a query as {QUERY_TYPE} or {FORM_TYPE}, not {media_type or 'without a type'}")


def check_utf8_query_string(request: Request) -> None:
    """Refuse a query string whose percent-escapes are not UTF-8 (Starlette would quietly
    turn them into U+FFFD, and a different query would run)."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    try:
        parse_qs(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the query string is not UTF-8: {exc}") from exc


def content_type(header: str | None) -> tuple[str, str | None]:
    """The media type and charset of a Content-Type header (lower case)."""
    if not header:
        return "", None
    media, *params = (p.strip() for p in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) more than `limit` bytes without reading them all."""
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and (
            len(declared) > 18 or int(declared) > limit):
        raise RequestTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def run_protocol_query(
    request: Request, context: ServiceContext, text: str, default_graphs: list[str],
    named_graphs: list[str], fmt: str | None, union: bool,
) -> Response:
    """Run and answer one protocol query: the worker parses and checks it (kg.inspection)."""
    if len(text.encode()) > context.config.settings.max_request_bytes:
        raise RequestTooLarge(context.config.settings.max_request_bytes)
    check_graphs([*default_graphs, *named_graphs], context.graphs,
                 "default-graph-uri / named-graph-uri")
    results, graph = choose_formats(request, fmt, None)
    protocol_dataset = bool(default_graphs or named_graphs)
    max_rows = context.config.max_rows
    job = QueryJob(
        sparql=text,
        results_format=results.format if results else None,
        graph_format=graph.format if graph else None,
        default_graphs=tuple(default_graphs) if protocol_dataset else None,
        named_graphs=tuple(named_graphs) if protocol_dataset else None,
        union_default_graph=union or context.config.source.union,
        base_iri=context.endpoint_url(request),
        max_rows=max_rows,
        use_prefixes=context.predeclare_prefixes,
    )
    answer = await execute(request, context, job)
    return answer_response(answer, max_rows)


def choose_formats(request: Request, fmt: str | None, form: str | None) -> tuple[
        Offer | None, Offer | None]:
    """The results offer and the graph offer the client accepts (either may be None).

    When the query form is known only its own kind is negotiated; when it is not
    (the worker learns it from the parse), a `format` that names only one kind
    leaves the other without a format, and one that names neither is refused.
    """
    accept = request.headers.get("accept")
    kinds = [RESULTS_OFFERS if form not in ("CONSTRUCT", "DESCRIBE") else None,
             GRAPH_OFFERS if form not in ("SELECT", "ASK") else None]
    chosen: list[Offer | None] = []
    unknown: list[UnknownFormat] = []
    for offers in kinds:
        try:
            chosen.append(choose(accept, fmt, offers) if offers else None)
        except UnknownFormat as exc:
            unknown.append(exc)
            chosen.append(None)
    if len(unknown) == sum(1 for offers in kinds if offers):
        known = sorted({o.format for offers in kinds if offers for o in offers})
        raise UnknownFormat(f"unknown format {fmt!r}; use one of: {', '.join(known)}")
    results, graph = chosen
    if results is None and graph is None:
        raise NotAcceptable("graph" if form in ("CONSTRUCT", "DESCRIBE") else "results")
    return results, graph


def client_address(request: Request) -> str:
    """Who asks, for the fair share of query workers: the remote address."""
    return request.client.host if request.client else ""


async def execute(request: Request, context: ServiceContext, job: QueryJob) -> Answer:
    """Run a job in the worker pool (its failures are QueryErrors, answered by the app)."""
    return await context.executor.run(job, client=client_address(request))


def answer_response(answer: Answer, max_rows: int) -> Response:
    headers = {"Vary": "Accept"}
    if answer.kind != "boolean":
        headers[TRUNCATED_HEADER] = "true" if answer.truncated else "false"
        headers["X-KG-Row-Limit"] = str(max_rows)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


# ---------------------------------------------------------------- service description

SERVICE_DESCRIPTION_OFFERS = (*GRAPH_OFFERS[:6], HTML_OFFER, *GRAPH_OFFERS[6:])
EDITOR_EXAMPLE = """\
PREFIX hkg: <https://w3id.org/cn-health-kg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?target ?indicator ?value ?unit ?quote WHERE {
  ?target a hkg:Target ; hkg:indicator ?indicator ; hkg:value ?value ;
          hkg:unit ?unit ; hkg:evidence/oa:exact ?quote .
}
LIMIT 20"""
#: Interface words the editor's script shows (keys of "sparql.*" messages).
EDITOR_MESSAGES = ("query", "question", "table", "response", "position", "search", "showing",
                   "empty", "took", "shows")
# YASGUI's result table writes style attributes into its markup: this page alone allows
# inline styles (never inline scripts).
EDITOR_POLICY = content_security_policy(styles=["'unsafe-inline'"])


def service_description_response(request: Request, context: ServiceContext) -> Response:
    """The SPARQL Service Description (RDF by Accept), or a query form for browsers."""
    offer = negotiate_request(request, SERVICE_DESCRIPTION_OFFERS)
    endpoint = context.endpoint_url(request)
    if offer.format == "html":
        page = Page(request)
        return page.render("sparql.html", {
            "title": page.t("sparql.title"), "endpoint": endpoint,
            "limits": limits_text(context, page.t, markup=True), "example": EDITOR_EXAMPLE,
            "prefixes": context.prefixes, "yasgui": YASGUI,
            "editor_messages": {**{key: page.t("sparql." + key) for key in EDITOR_MESSAGES},
                                "words": yasgui_words(page.lang)},
        }, headers={"Vary": "Accept", "Content-Security-Policy": EDITOR_POLICY})
    fmt = GRAPH_FORMATS[offer.format]
    body = _description_bytes(context, endpoint, fmt)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def limits_text(context: ServiceContext, t: Translator, markup: bool = False) -> str:
    """The endpoint's limits in words (for the page, with the protocol's words as code)."""
    c = context.config
    service, header = "SERVICE", f"{TRUNCATED_HEADER}: true"
    if markup:
        service, header = (Markup("<code>{}</code>").format(w) for w in (service, header))
    return t("sparql.limits", timeout=f"{c.timeout:g}", rows=c.max_rows,
             bytes=c.settings.max_request_bytes, service=service, header=header)


def _description_bytes(context: ServiceContext, endpoint: str, fmt: GraphFormat) -> bytes:
    return context.memo.remember(
        ("service-description", endpoint, fmt.name),
        lambda: serialize_graph(service_description(context, endpoint), fmt))


def service_description(context: ServiceContext, endpoint: str) -> Graph:
    """sd:Service with its formats, features, limits and the dataset's graphs."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for term in SD_FORMAT_TERMS.values():
        g.add((service, SD.resultFormat, term))
    if context.config.source.union:
        g.add((service, SD.feature, SD.UnionDefaultGraph))
    for lang in LANGUAGES:
        g.add((service, RDFS.comment, Literal(limits_text(context, Translator(lang)), lang=lang)))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    sizes = statistics(context)["graphs"]
    total = sum(sizes.values()) if context.config.source.union else sizes.get("", 0)
    g.add((default, VOID.triples, Literal(total)))
    for name in sorted(context.graphs):
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(sizes.get(name, 0))))
    return g
