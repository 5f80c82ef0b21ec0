"""The graph view: an entity's typed neighbourhood and the shortest paths between two.

Both read through the context's reader (SPARQL only, off the event loop), so they work
on the embedded store and on a remote one. A node is any IRI linked to or from the
entity (rdf:type is the node's kind, not an edge); a claim stays a node of its own,
marked `claim`, so "official → announcedBy⁻¹ → claim → indicator" reads as the typed
edges the data holds. Sizes are bounded: at most MAX_NODES nodes, EDGES_PER_STEP edges
read per step, paths of at most MAX_PATH_HOPS edges.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from kg.namespaces import HKG
from kg.service.context import get_context
from kg.service.entities import is_known
from kg.service.negotiation import HTML_OFFER, Offer, negotiate_request
from kg.service.problems import InvalidParameter, NotFound
from kg.service.reader import iri
from kg.service.rendering import Page

router = APIRouter(tags=["Graph"])
MAX_NODES = 150
DEFAULT_NODES = 60
PAGE_NODES = 40
"""How many neighbours an entity page lists (and draws first)."""
MAX_PATH_HOPS = 4
EDGES_PER_STEP = 2000
MAX_PATHS = 5
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
JSON_OFFER = Offer("application/json", "json")
#: An absolute IRI as the parameters take it (a scheme, then no space, quote or bracket);
#: the OpenAPI schema says the same, so a value the schema accepts is never refused here.
IRI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$"
MAX_PARAMETER = 2000
EXAMPLE = "https://w3id.org/cn-health-kg/person/wang-haidong"
# Both directions by VALUES in each branch, not a BIND of the node (Virtuoso 7.2.5: SP031),
# and ordered, so that the edges kept under the limit are the same on every store.
EDGES = """
SELECT ?s ?p ?o WHERE {
  { VALUES ?s { $nodes } ?s ?p ?o FILTER(isIRI(?o)) }
  UNION { VALUES ?o { $nodes } ?s ?p ?o FILTER(isIRI(?s)) }
  FILTER(?p != rdf:type)
} ORDER BY ?s ?p ?o LIMIT $limit"""
KINDS = """
SELECT ?n ?type WHERE {
  VALUES ?n { $nodes }
  ?n a ?type FILTER(isIRI(?type))
} ORDER BY ?n ?type"""
#: the claim classes, read once: a node is a claim if one of its types is one
CLAIM_CLASSES = "SELECT ?c WHERE { ?c rdfs:subClassOf* hkg:Claim } LIMIT 100000"


@dataclass
class Neighbourhood:
    """Nodes (IRI → kind, claim flag) and typed edges (subject, predicate, object)."""

    nodes: dict[str, tuple[str, bool]] = field(default_factory=dict)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    truncated: bool = False


def edges_around(page: Page, nodes: list[str]) -> list[tuple[str, str, str]]:
    """Every typed IRI-to-IRI edge to or from the nodes (at most EDGES_PER_STEP)."""
    rows = page.context.reader.select(EDGES, {"nodes": [iri(n) for n in nodes],
                                              "limit": EDGES_PER_STEP})
    return [(r["s"].value, r["p"].value, r["o"].value) for r in rows]


def kinds_of(page: Page, nodes: list[str]) -> dict[str, tuple[str, bool]]:
    """Each node's kind (its ontology class, else any class) and whether it is a claim."""
    found: dict[str, tuple[str, bool]] = {}
    claim_classes = page.context.memo.remember(("claim-classes",), lambda: frozenset(
        r["c"].value for r in page.context.reader.select(CLAIM_CLASSES, {})))
    claims = set()
    for start in range(0, len(nodes), 200):
        rows = page.context.reader.select(KINDS, {"nodes": [iri(n) for n in nodes[start:
                                                                                   start + 200]]})
        for row in rows:
            node, kind = row["n"].value, row["type"].value
            if kind in claim_classes:
                claims.add(node)
            if node not in found or (kind.startswith(str(HKG)) and
                                     not found[node][0].startswith(str(HKG))):
                found[node] = (kind, False)
    return {node: (kind, node in claims) for node, (kind, _) in found.items()}


def neighbourhood(page: Page, resource: str, hops: int, cap: int) -> Neighbourhood:
    """The nodes within `hops` edges of the resource (breadth first, at most `cap`)."""
    result = Neighbourhood()
    result.nodes[resource] = ("", False)
    frontier = [resource]
    for _ in range(hops):
        found: list[str] = []
        for s, p, o in edges_around(page, frontier):
            for node in (s, o):
                if node not in result.nodes:
                    if len(result.nodes) >= cap:
                        result.truncated = True
                        continue
                    result.nodes[node] = ("", False)
                    found.append(node)
            if s in result.nodes and o in result.nodes:
                result.edges.add((s, p, o))
        frontier = found
        if not frontier:
            break
    kinds = kinds_of(page, list(result.nodes))
    result.nodes = {n: kinds.get(n, ("", False)) for n in result.nodes}
    return result


def shortest_paths(page: Page, start: str, goal: str,
                   max_hops: int = MAX_PATH_HOPS) -> list[list[tuple[str, str, str]]]:
    """The shortest chains of typed edges (either direction) from start to goal, by a
    breadth-first search from both ends bounded to `max_hops` edges and MAX_NODES nodes
    a side; at most MAX_PATHS of them, each a list of (subject, predicate, object)."""
    if start == goal:
        return []
    # parents[node] = the edges that reached it on the shortest level, from each side
    sides: list[dict[str, list[tuple[str, tuple[str, str, str]]]]] = [{start: []}, {goal: []}]
    frontiers = [[start], [goal]]
    for hop in range(max_hops):
        side = hop % 2 if frontiers[0] and frontiers[1] else (0 if frontiers[0] else 1)
        if not frontiers[side]:
            return []
        parents, reached = sides[side], {}
        for s, p, o in edges_around(page, frontiers[side]):
            for here, there in ((s, o), (o, s)):
                if here in frontiers[side] and there not in parents:
                    reached.setdefault(there, []).append((here, (s, p, o)))
        reached = dict(list(reached.items())[:MAX_NODES])
        parents.update(reached)
        frontiers[side] = list(reached)
        meeting = [n for n in reached if n in sides[1 - side]]
        if meeting:
            paths = [left + right for node in meeting
                     for left in _chains(sides[0], node) for right in _chains(sides[1], node,
                                                                              reverse=True)]
            return sorted(paths)[:MAX_PATHS]
    return []


def _chains(parents: dict[str, list[tuple[str, tuple[str, str, str]]]], node: str,
            reverse: bool = False) -> list[list[tuple[str, str, str]]]:
    """The edge chains from the side's root to `node` (root first; reversed: node first)."""
    if not parents.get(node):
        return [[]]
    chains = [[*chain, edge] for parent, edge in parents[node][:MAX_PATHS]
              for chain in _chains(parents, parent)]
    return [list(reversed(c)) for c in chains] if reverse else chains


def graph_json(page: Page, nodes: dict[str, tuple[str, bool]],
               edges: set[tuple[str, str, str]] | list[tuple[str, str, str]],
               **extra: Any) -> dict[str, Any]:
    """Nodes and edges as the browser draws them (labels in the page language)."""
    page.labels.load([*nodes, *(p for _, p, _ in edges), *(k for k, _ in nodes.values())])
    return {
        **extra,
        "nodes": [{"id": n, "url": page.href(n), "label": page.labels.name(n) or page.compact(n),
                   "kind": kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if kind else "",
                   "lang": page.labels.lang_of(n), "kind_iri": kind,
                   "kind_lang": page.labels.lang_of(kind) if kind else None,
                   "kind_label": (page.labels.name(kind) or page.compact(kind)) if kind else "",
                   "claim": claim} for n, (kind, claim) in nodes.items()],
        "edges": [{"source": s, "target": o, "predicate": p, "label": page.predicate(p)}
                  for s, p, o in sorted(edges)],
    }


def resource_of(page: Page, value: str, name: str) -> str:
    """The IRI a parameter names (a data IRI or its address on this server), or 422; 404 if
    the dataset says nothing of it."""
    context = page.context
    resource = context.data_iri(value.strip(), page.request)
    if not re.match(IRI_PATTERN, resource):
        raise InvalidParameter(name, f"{name}: {value!r} is not an IRI")
    if not is_known(context.reader, resource):
        raise NotFound(f"<{resource}> is not a resource of this dataset")
    return resource


def neighbourhood_json(page: Page, value: str, hops: int, limit: int) -> Response:
    resource = resource_of(page, value, "iri")
    found = neighbourhood(page, resource, hops, limit)
    body = graph_json(page, found.nodes, found.edges, iri=resource, hops=hops,
                      truncated=found.truncated)
    return Response(json.dumps(body, ensure_ascii=False).encode(), media_type="application/json",
                    headers={"Vary": "Accept-Language, Cookie"})


@router.get("/graph/neighbourhood", summary="An entity's typed neighbourhood, as JSON",
            responses={404: {"description": "The dataset says nothing of that IRI"},
                       503: {"description": "The page ran out of time"}})
async def neighbourhood_route(
        request: Request,
        iri: Annotated[str, Query(pattern=IRI_PATTERN, max_length=MAX_PARAMETER,
                                  examples=[EXAMPLE])],
        hops: Annotated[int, Query(ge=1, le=2)] = 1,
        lang: Annotated[str | None, Query(pattern="^(zh|en)$")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_NODES)] = DEFAULT_NODES) -> Response:
    """`{nodes: [{id, url, label, kind, claim}], edges: [{source, target, predicate, label}]}`:
    the entity and the IRIs linked to or from it within `hops` edges, at most `limit`
    nodes (`truncated` says when more were there); claims are nodes with `claim: true`."""
    page = Page(request)
    return await page.context.off_loop(lambda: neighbourhood_json(page, iri, hops, limit))


def resolve_name(page: Page, index: Any, value: str, name: str) -> str:
    """An IRI as given, or the best entity whose name matches the text typed."""
    text = value.strip()
    if re.match(IRI_PATTERN, text):
        return resource_of(page, text, name)
    hits = index.find_entities(text, limit=1) if index is not None and text else []
    if not hits:
        raise NotFound(f"{name}: no entity is named {text!r}")
    return str(hits[0].entity.iri)


def path_response(page: Page, index: Any, start: str, goal: str) -> Response:
    offer = negotiate_request(page.request, (HTML_OFFER, JSON_OFFER))
    paths: list[list[tuple[str, str, str]]] = []
    ends: tuple[str, str] | None = None
    if start and goal:
        ends = (resolve_name(page, index, start, "from"), resolve_name(page, index, goal, "to"))
        paths = shortest_paths(page, *ends)
    edges = {edge for path in paths for edge in path}
    nodes_in = list(dict.fromkeys([*(ends or ()), *(n for s, _, o in edges for n in (s, o))]))
    kinds = kinds_of(page, nodes_in) if nodes_in else {}
    body = graph_json(page, {n: kinds.get(n, ("", False)) for n in nodes_in}, edges,
                      **({"from": ends[0], "to": ends[1]} if ends else {}),
                      paths=[[{"source": s, "predicate": p, "target": o} for s, p, o in path]
                             for path in paths])
    if offer.format == "json":
        return Response(json.dumps(body, ensure_ascii=False).encode(),
                        media_type="application/json", headers={"Vary": "Accept"})
    return page.render("path.html", {
        "title": page.t("graph.path.title"), "start": start, "goal": goal, "ends": ends,
        "paths": paths, "max_hops": MAX_PATH_HOPS,
        "data_url": page.link_here(format="json") if paths else None},
        headers={"Vary": "Accept"})


@router.get("/graph/path", summary="Shortest typed paths between two entities",
            response_class=Response, responses={
                200: {"content": {"text/html": {}, "application/json": {}}},
                404: {"description": "No entity has that IRI or name"},
                503: {"description": "The page ran out of time"}})
async def path_route(
        request: Request,
        from_: Annotated[str, Query(alias="from", max_length=MAX_PARAMETER,
                                    examples=[EXAMPLE])] = "",
        to: Annotated[str, Query(max_length=MAX_PARAMETER,
                                 examples=["https://w3id.org/cn-health-kg/region/henan"])] = "",
) -> Response:
    """Up to five shortest chains of typed edges (either direction, at most four) from one
    entity to the other; `from` and `to` are IRIs or names (the best match is taken)."""
    page = Page(request)
    context = get_context(request)
    names = [v.strip() for v in (from_, to) if v.strip()]
    index = await context.search_index() if any(
        not re.match(IRI_PATTERN, v) for v in names) else None
    return await context.off_loop(lambda: path_response(page, index, from_, to))
