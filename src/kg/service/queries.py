"""`/api/queries`: the saved-query catalogue, each question its own OpenAPI operation.

The routes are generated from the `.rq` headers (kg.catalogue): one GET operation
per question, with typed, documented parameters and examples. Values are parsed
into RDF terms per declared type (422 naming the parameter otherwise) and bound
portably, as a VALUES block (kg.store.terms.bind_values). Answers are JSON, CSV,
TSV, XML or an HTML table by negotiation, and cached by (dataset version, query,
bound values, format).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from kg.catalogue import (
    Catalogue,
    Parameter,
    ParameterError,
    SavedQuery,
    catalogue_graph,
)
from kg.derived_indexes import NARROWED
from kg.formats import GRAPH_FORMATS, HTML_MEDIA_TYPE, RESULTS_FORMATS, serialize_graph
from kg.search import SearchIndex
from kg.service.context import ServiceContext, get_context
from kg.service.i18n import MESSAGES, choose_language
from kg.service.negotiation import (
    GRAPH_OFFERS,
    HTML_OFFER,
    RESULTS_OFFERS,
    Offer,
    negotiate_request,
)
from kg.service.problems import InvalidParameter, NotFound
from kg.service.province_charts import comparison_charts
from kg.service.reader import Term, iri
from kg.service.rendering import Page
from kg.service.sparql import answer_response, execute
from kg.service.worker import Answer, QueryJob
from kg.store.terms import term_from_json

INSTANCE_OF = "ASK { $node a/rdfs:subClassOf* ?class VALUES ?class { $classes } }"
INSTANCES = """
SELECT DISTINCT ?s WHERE {
  ?s a/rdfs:subClassOf* ?class VALUES ?class { $classes } FILTER(isIRI(?s))
} LIMIT $limit"""
#: Most instances a parameter's OpenAPI schema lists as its `enum`.
MAX_ENUM = 1000
#: Longest name an IRI parameter is looked up by (names are a few words), and longest
#: value of any other parameter (an IRI, a string to match).
MAX_NAME_CHARS = 200
MAX_VALUE_CHARS = 2000
SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "uri"},
    "string": {"type": "string", "minLength": 1, "pattern": r"\S"},
    "integer": {"type": "integer"},
    # an xsd:decimal as written (no exponent: 1e3 is not a decimal), so a string
    "decimal": {"type": "string",
                "pattern": r"^[+-]?([0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18})$"},
    "date": {"type": "string", "format": "date"},
    "language": {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
}
#: What a saved SELECT or ASK answers in: SPARQL results first, then a web page.
TABLE_OFFERS = (*RESULTS_OFFERS[:4], HTML_OFFER, *RESULTS_OFFERS[4:])
LIST_OFFERS = (Offer("application/json", "json"), HTML_OFFER, *GRAPH_OFFERS)
TAG = "Saved queries"


def build_router(context: ServiceContext) -> APIRouter:
    """The catalogue list, one operation per saved query, and a 404 for unknown names."""
    router = APIRouter(tags=[TAG])
    router.add_api_route("/api/queries", list_queries, methods=["GET"],
                         summary="The saved questions (JSON, Turtle/RDF or HTML)",
                         response_class=Response,
                         openapi_extra={"parameters": [{
                             "name": "format", "in": "query", "required": False,
                             "schema": {"type": "string",
                                        "enum": sorted({o.format for o in LIST_OFFERS})},
                             "description": "Answer format; overrides the Accept header."}]},
                         responses={
                             200: {"description": "The catalogue",
                                   "content": {"application/json": {}, HTML_MEDIA_TYPE: {}, **{
                                       f.media_type: {} for f in GRAPH_FORMATS.values()}}},
                             400: {"description": "Unknown `format`"},
                             406: {"description": "No acceptable format"}})
    for query in context.catalogue.values():
        router.add_api_route(
            f"/api/queries/{query.name}", saved_query_endpoint(query), methods=["GET"],
            operation_id=query.name.replace("-", "_"), summary=query.title.get("en", query.name),
            description=operation_description(query), response_class=Response,
            openapi_extra={"parameters": openapi_parameters(query, context)},
            responses={
                200: {"description": "The answer (X-KG-Truncated says if the row limit cut it)",
                      "content": {m: {} for m in answer_media_types(query)}},
                400: {"description": "Unknown `format`"},
                406: {"description": "No acceptable format"},
                422: {"description": "A parameter value is invalid, empty, repeated or unknown "
                                     "(the message names it)"},
                503: {"description": "The query ran out of time"},
            },
        )
    router.add_api_route("/api/queries/{name}", unknown_query, methods=["GET"],
                         include_in_schema=False)
    return router


def operation_description(query: SavedQuery) -> str:
    parts = [query.description.get("en", "")]
    if "zh" in query.title or "zh" in query.description:
        parts.append(f"{query.title.get('zh', '')}：{query.description.get('zh', '')}".strip("："))
    if query.tags:
        parts.append("Tags: " + ", ".join(query.tags))
    parts.append(f"```sparql\n{query.body.strip()}\n```")
    return "\n\n".join(p for p in parts if p)


def openapi_parameters(query: SavedQuery, context: ServiceContext) -> list[dict[str, Any]]:
    """OpenAPI parameters from the header: typed schemas, defaults and examples."""
    params = []
    for p in query.params:
        schema = dict(SCHEMAS[p.type])
        if p.type == "iri" and p.classes and (values := instances(context, p.classes)):
            schema["enum"] = values
        if p.default is not None:
            schema["default"] = _typed(p, p.default, context)
        entry: dict[str, Any] = {"name": p.name, "in": "query", "required": p.required,
                                 "schema": schema, "description": parameter_help(p)}
        if p.example is not None:
            entry["example"] = _typed(p, p.example, context)
        params.append(entry)
    params.append({"name": "format", "in": "query", "required": False,
                   "schema": {"type": "string", "enum": sorted(
                       {o.format for o in offers_for(query)})},
                   "description": "Answer format; overrides the Accept header."})
    return params


def instances(context: ServiceContext, classes: tuple[str, ...]) -> list[str] | None:
    """Every IRI of the dataset that is an instance of one of the classes (a parameter's
    documented values: another IRI is answered 422), or None if there are more than
    MAX_ENUM (a national dataset's people are not a list to document)."""
    rows = context.reader.select(INSTANCES, {"classes": [iri(c) for c in classes],
                                             "limit": MAX_ENUM + 1})
    return sorted(row["s"].value for row in rows) if len(rows) <= MAX_ENUM else None


def parameter_help(p: Parameter) -> str:
    text = p.description or ""
    if p.type == "iri" and p.classes:
        text += f" An IRI of a {' or '.join(p.classes)}."
    return text.strip()


def _typed(p: Parameter, value: str, context: ServiceContext) -> Any:
    if p.type == "integer":
        return int(value)
    if p.type == "iri":
        return p.parse(value, context.prefixes).value  # type: ignore[union-attr]
    return value


def offers_for(query: SavedQuery) -> tuple[Offer, ...]:
    return GRAPH_OFFERS if query.form == "CONSTRUCT" else TABLE_OFFERS


def answer_media_types(query: SavedQuery) -> list[str]:
    if query.form == "CONSTRUCT":
        return [f.media_type for f in GRAPH_FORMATS.values()]
    return [*(f.media_type for f in RESULTS_FORMATS.values()), HTML_MEDIA_TYPE]


def saved_query_endpoint(query: SavedQuery) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        return await answer_saved_query(request, get_context(request), query)

    run.__name__ = query.name.replace("-", "_")
    run.__doc__ = query.title.get("en")
    return run


async def unknown_query(name: str, request: Request) -> Response:
    known = ", ".join(get_context(request).catalogue)
    raise NotFound(f"there is no saved query named {name!r}; the catalogue has: {known}")


# ---------------------------------------------------------------- running one

async def answer_saved_query(request: Request, context: ServiceContext,
                             query: SavedQuery) -> Response:
    values = single_values(request)
    values.pop("format", None)
    offer = negotiate_request(request, offers_for(query))
    if offer.format == "html":  # a submitted form sends its blank fields empty: not given
        values = {name: value for name, value in values.items() if value.strip()}
    given = bool(values.keys() - {"lang"})  # ?lang= alone switches the page's language
    if query.param("lang") is None:
        values.pop("lang", None)  # the interface language switch, not a parameter here
    elif offer.format == "html" and "lang" not in values:
        values["lang"] = choose_language(request)  # labels in the page's language
    try:
        check_sizes(query, values, context)
        names = [n for n, v in values.items() if is_name(query, n, v, context)]
        index = await context.search_index() if names else None  # names are looked up there
        bound = await context.off_loop(
            lambda: bind_parameters(query, values, context, request, index))
    except ParameterError as exc:
        if offer.format == "html":
            page = Page(request)
            if not given:  # a first visit: show the empty form, not an error
                return page.render("query.html", query_page(page, query, values))
            error, candidates = parameter_message(page, query, exc), getattr(
                exc, "candidates", [])
            return await context.off_loop(lambda: page.render("query.html", query_page(
                page, query, values, error=error, candidates=candidates), status_code=422))
        extra = {"candidates": exc.candidates} if getattr(exc, "candidates", None) else {}
        raise InvalidParameter(exc.name, str(exc), **extra) from exc
    wanted = "json" if offer.format == "html" else offer.format
    answer, hit = await cached_answer(request, context, query, bound, wanted)
    if offer.format == "html":
        page = Page(request)
        response = await context.off_loop(lambda: page.render(
            "query.html", query_page(page, query, values, answer=answer)))
    else:
        response = answer_response(answer, context.config.max_rows)
    response.headers["X-KG-Cache"] = "hit" if hit else "miss"
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return response


def parameter_message(page: Page, query: SavedQuery, error: ParameterError) -> str:
    """A parameter error in the page's language (the API's detail stays English)."""
    param = query.param(error.name)
    kind = error.kind if f"param.{error.kind}" in MESSAGES else "invalid"
    if kind == "unknown":  # the parameters it takes, by their titles
        value = Markup("、" if page.lang == "zh" else ", ").join(
            page.t.column(p.name) for p in query.params)
    else:  # what the reader typed, shown as it is
        value = Markup('<span data-value>{}</span>').format(error.value or "")
    return page.t(f"param.{kind}", param=page.t.column(error.name), value=value,
                  type=page.t.parameter_type(param.type) if param else "")


class AmbiguousName(ParameterError):
    """A name that fits no entity, or several (the candidates are listed)."""

    def __init__(self, name: str, message: str, candidates: list[dict[str, str]],
                 kind: str = "ambiguous", value: str | None = None) -> None:
        super().__init__(name, message, kind, value)
        self.candidates = candidates


def check_sizes(query: SavedQuery, values: Mapping[str, str], context: ServiceContext) -> None:
    """Refuse (422) a value longer than any value of its kind can be: a name to look up
    beyond MAX_NAME_CHARS, anything else beyond MAX_VALUE_CHARS."""
    for name, value in values.items():
        limit, what = (MAX_NAME_CHARS, "a name") if is_name(query, name, value, context) \
            else (MAX_VALUE_CHARS, "a value")
        if len(value) > limit:
            raise ParameterError(name, f"{what} of {len(value)} characters is longer than "
                                       f"the {limit} this parameter accepts", "too-long",
                                 str(limit))


def is_name(query: SavedQuery, name: str, value: str, context: ServiceContext) -> bool:
    """Whether the value of an IRI parameter is a name to look up (not an IRI)."""
    param = query.param(name)
    text = value.strip()
    return param is not None and param.type == "iri" and bool(text) and not looks_like_iri(
        text, context)


def resolve_names(query: SavedQuery, values: dict[str, str], context: ServiceContext,
                  lang: str, index: SearchIndex | None) -> dict[str, str]:
    """IRI parameters given as a name (王海东, wang haidong) become the entity's IRI, if
    exactly one entity of the parameter's class has that very name; a partial or
    mistyped name is never guessed: it gets 422 with the nearest names to choose from."""
    resolved = dict(values)
    for name, value in values.items():
        param = query.param(name)
        if param is None or index is None or not is_name(query, name, value, context):
            continue
        text = value.strip()
        found, near = index.resolve(text, param.classes)
        candidates = [{"iri": e.iri, "label": e.name(lang), "parameter": name}
                      for e in (found or near)[:10]]
        if len(found) == 1:
            resolved[name] = found[0].iri
        elif not found:
            raise AmbiguousName(name, f"no {' or '.join(param.classes) or 'resource'} is "
                                f"named {text!r}", candidates, "no-match", text)
        else:
            listed = "; ".join(f"{c['label']} <{c['iri']}>" for c in candidates)
            raise AmbiguousName(name, f"{text!r} names {len(found)} resources: {listed}",
                                candidates, "ambiguous", text)
    return resolved


def looks_like_iri(text: str, context: ServiceContext) -> bool:
    """An absolute IRI or a prefixed name with a known prefix (not a name to look up)."""
    prefix, colon, rest = text.partition(":")
    return bool(colon) and (prefix in context.prefixes or rest.startswith("//")) and \
        " " not in text


def single_values(request: Request) -> dict[str, str]:
    """Query-string values, one per name (a repeated name is a mistake worth a 422)."""
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in values:
            raise InvalidParameter(name, f"parameter '{name}': given more than once")
        values[name] = value
    return values


def bind_parameters(query: SavedQuery, values: Mapping[str, str], context: ServiceContext,
                    request: Request, index: SearchIndex | None = None) -> dict[str, Any]:
    """Terms for the values (names looked up in the index); IRIs addressed on this server
    are mapped back to data IRIs, and an IRI parameter with a class must name an
    instance of it in this dataset."""
    bound = query.bind(resolve_names(query, dict(values), context, choose_language(request),
                                     index), context.prefixes)
    for name, term in bound.items():
        param = query.param(name)
        if param is None or param.type != "iri":
            continue
        resource = context.data_iri(term.value, request)
        bound[name] = term = iri(resource)
        if param.classes and not is_instance(context, resource, param.classes):
            raise ParameterError(name, f"<{resource}> is not a {' or '.join(param.classes)} "
                                       "in this dataset", "not-instance", resource)
    return bound


def is_instance(context: ServiceContext, resource: str, classes: tuple[str, ...]) -> bool:
    """True if the resource has a type that is (a subclass of) one of the classes."""
    return context.memo.remember(("instance", resource, *classes),
                                 lambda: _has_type(context, resource, classes))


def _has_type(context: ServiceContext, resource: str, classes: tuple[str, ...]) -> bool:
    return context.reader.ask(INSTANCE_OF, {"node": iri(resource), "classes": list(classes)})


async def cached_answer(request: Request, context: ServiceContext, query: SavedQuery,
                        bound: Mapping[str, Any], fmt: str) -> tuple[Answer, bool]:
    key = (context.version, query.name,
           tuple(sorted((k, str(v)) for k, v in bound.items())), fmt)
    answer = context.cache.get(key)
    if answer is not None:
        return answer, True
    restrict = None
    if query.name in NARROWED:
        narrowed = await context.off_loop(lambda: context.derived.candidates(query.name, bound))
        if narrowed is not None:
            restrict = (narrowed[0], tuple(iri(value) for value in narrowed[1]))
    job = QueryJob(
        sparql=query.text,
        bindings=tuple(sorted(bound.items())),
        restrict=restrict,
        results_format=fmt if query.form != "CONSTRUCT" else None,
        graph_format=fmt if query.form == "CONSTRUCT" else None,
        union_default_graph=context.config.source.union,
        max_rows=context.config.max_rows,
        use_prefixes=True,
    )
    answer = await execute(request, context, job)
    context.cache.put(key, answer)
    return answer, False


def query_page(page: Page, query: SavedQuery,
               values: Mapping[str, str], *, answer: Answer | None = None,
               error: str | None = None,
               candidates: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """What the HTML page of a saved query shows: its form, and the table if run.

    A column `x` with a companion `xLabel` is shown once, as the label linking to x;
    column titles are translated; cells are labels, formatted numbers and dates."""
    lang = page.lang
    table = None
    if answer is not None:
        data = json.loads(answer.body)
        variables = data["head"].get("vars", [])
        columns = [v for v in variables if v != "lang"  # the echoed label language
                   and not (v.endswith("Label") and v[:-5] in variables)]
        rows = []
        for binding in data.get("results", {}).get("bindings", []):
            row = []
            for column in columns:
                cell = json_term(binding.get(column))
                label = json_term(binding.get(column + "Label"))
                text = label.value if label else (page.literal(cell) if cell else "")
                row.append({"term": cell, "label": label.value if label else None,
                            "label_lang": label.lang if label else None,
                             "short": len(text) <= 16 and not (cell and cell.is_iri)})
            rows.append(row)
        page.labels.load(c["term"].value for r in rows for c in r
                         if c["term"] is not None and c["term"].is_iri and not c["label"])
        table = {"columns": [(c, page.t.column(c)) for c in columns], "rows": rows,
                 "truncated": answer.truncated, "boolean": data.get("boolean"),
                 "coverage": comparison_charts(page, [
                     {k: t for k, v in b.items() if (t := json_term(v)) is not None}
                     for b in data.get("results", {}).get("bindings", [])])}
    return {"query": query, "values": values, "table": table, "error": error,
            "candidates": candidates or [], "title": query.title.get(lang) or query.name}


def json_term(binding: dict[str, str] | None) -> Term | None:
    """A SPARQL JSON binding (None: unbound) as a reader Term."""
    return None if binding is None else term_from_json(binding)


# ---------------------------------------------------------------- the list

async def list_queries(request: Request) -> Response:
    return await get_context(request).off_loop(lambda: catalogue_response(request))


def catalogue_response(request: Request) -> Response:
    """The catalogue in the negotiated format (in a page thread)."""
    context = get_context(request)
    offer = negotiate_request(request, LIST_OFFERS)
    headers = {"Vary": "Accept"}
    if offer.format == "html":
        page = Page(request)
        return page.render("queries.html", {"catalogue": context.catalogue,
                                            "title": page.t("queries.title")}, headers=headers)
    if offer.media_type == "application/json":
        body = json.dumps(catalogue_json(context.catalogue, context, request),
                          ensure_ascii=False, indent=1).encode()
        return Response(body, media_type="application/json", headers=headers)
    fmt = GRAPH_FORMATS[offer.format]
    endpoint = context.endpoint_url(request)
    body = context.memo.remember(("catalogue", endpoint, fmt.name), lambda: serialize_graph(
        catalogue_graph(context.catalogue, endpoint), fmt))
    return Response(body, media_type=fmt.media_type, headers=headers)


def catalogue_json(catalogue: Catalogue, context: ServiceContext, request: Request) -> dict[
        str, Any]:
    base = context.public_base(request)
    return {"queries": [{
        "name": q.name,
        "url": f"{base}api/queries/{q.name}",
        "title": dict(q.title),
        "description": dict(q.description),
        "tags": list(q.tags),
        "form": q.form,
        "params": [{"name": p.name, "type": p.type, "class": list(p.classes),
                    "required": p.required, "default": p.default, "example": p.example,
                    "description": p.description} for p in q.params],
        "sparql": q.sparql_with_prefixes(catalogue.prefixes),
    } for q in catalogue.values()]}
