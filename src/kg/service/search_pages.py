"""`/search` (HTML or JSON by Accept) and `/search/suggest` (autocomplete for forms)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from kg.catalogue import expand_curie
from kg.search import ENTITY_KINDS, EntityHit, QuoteHit, SearchIndex, highlight
from kg.service.i18n import choose_language
from kg.service.negotiation import HTML_OFFER, Offer, negotiate_request
from kg.service.questions import Outcome, answer_question, question_json, question_view
from kg.service.rendering import Page

router = APIRouter(tags=["Search"])
SEARCH_OFFERS = (HTML_OFFER, Offer("application/json", "json"))
MAX_QUERY = 200
PAGE_SIZE = 50


def _query(q: str) -> str:
    return q.strip()[:MAX_QUERY]


@router.get("/search", summary="Search names (zh, en, pinyin) and evidence quotes",
            response_class=Response, responses={
                200: {"content": {"text/html": {}, "application/json": {}}},
                406: {"description": "No acceptable format (Accept)"}})
async def search(request: Request, q: str = "", type: str | None = None) -> Response:
    """A question a template recognises answered by its saved query (kg.service.questions);
    entities whose names match (ranked, faceted by kind) and quotes holding the words."""
    page = Page(request)
    index = await page.context.search_index()
    outcome = await answer_question(page, index, _query(q)) if _query(q) else None
    return await page.context.off_loop(lambda: search_response(page, index, q, type, outcome))


def search_response(page: Page, index: SearchIndex, q: str, type: str | None,
                    outcome: Outcome | None = None) -> Response:
    """The search page or its JSON (in a page thread: the index is read here)."""
    request = page.request
    query = _query(q)
    question = question_view(page, outcome)
    kind = type if type in ENTITY_KINDS else None
    all_hits = index.find_entities(query, limit=1000) if query else []
    facets: dict[str, int] = {}
    for hit in all_hits:
        facets[hit.entity.kind] = facets.get(hit.entity.kind, 0) + 1
    hits = [h for h in all_hits if kind is None or h.entity.kind == kind][:PAGE_SIZE]
    found_quotes = index.find_quotes(query) if query else []
    if found_quotes:
        facets["claim"] = len(found_quotes)
    if type == "claim":
        kind, hits = "claim", []
    quotes = found_quotes if kind in (None, "claim") else []
    offer = negotiate_request(request, SEARCH_OFFERS)
    if offer.format == "json":
        body = search_json(page, query, hits, quotes, facets)
        if question is not None:
            body["answer"] = question_json(question)
        vary = "Accept" if question is None else "Accept, Accept-Language, Cookie"
        return Response(json.dumps(body, ensure_ascii=False).encode(),
                        media_type="application/json", headers={"Vary": vary})
    page.labels.load(q.quote.source for q in quotes if q.quote.source)
    return page.render("search.html", {
        "title": page.t("search.title") + (f": {query}" if query else ""), "search_query": query,
        "hits": hits, "quotes": quotes, "facets": facets, "kind": kind, "highlight": highlight,
        "total": sum(facets.values()), "question": question}, headers={"Vary": "Accept"})


def search_json(page: Page, query: str, hits: list[EntityHit], quotes: list[QuoteHit],
                facets: dict[str, int]) -> dict[str, Any]:
    return {
        "query": query,
        "facets": facets,
        "entities": [{"iri": h.entity.iri, "url": page.href(h.entity.iri), "kind": h.entity.kind,
                      "label": h.entity.name(page.lang), "names": h.entity.names,
                      "score": h.score} for h in hits],
        "quotes": [{"claim": h.quote.claim, "url": page.href(h.quote.claim),
                    "quote": h.quote.text, "source": h.quote.source,
                    "highlight": [list(span) for span in h.spans]} for h in quotes],
    }


@router.get("/search/suggest", summary="Autocomplete: entities whose names match, as JSON")
async def suggest(request: Request, q: str = "", type: str | None = None,
                  limit: int = 10) -> Response:
    """`[{label, iri, kind}]`; `type` is a kind (person) or a class (hkg:Person or IRI)."""
    context = request.app.state.context
    lang = choose_language(request)
    kind, classes = None, ()
    if type:
        if type in ENTITY_KINDS:
            kind = type
        else:
            classes = (expand_curie(type, context.prefixes),)
    index = await context.search_index()
    hits = await context.off_loop(lambda: index.find_entities(
        _query(q), kind=kind, classes=classes, limit=max(1, min(limit, 50)))) if q.strip() \
        else []
    body = [{"label": h.entity.name(lang), "iri": h.entity.iri, "kind": h.entity.kind,
             "other": next((h.entity.names[k] for k in ("pinyin", "en", "zh")
                            if k in h.entity.names and h.entity.names[k] != h.entity.name(lang)),
                           None)} for h in hits]
    return Response(json.dumps(body, ensure_ascii=False).encode(), media_type="application/json",
                    headers={"Vary": "Accept-Language, Cookie"})
