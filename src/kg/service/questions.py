"""A question in the search box answered by a saved query (templates: kg.questions).

The question is fitted to the templates (most specific first), its names are looked up in
the search index, and the saved query runs through the saved-query route's own path
(`bind_parameters`, then `cached_answer` in the worker pool, with its cache). A name
matches several entities more often than not (托位 is in six indicators' names): the
combinations are tried best ranked first, and the first with an answer wins, at most
MAX_RUNS runs a question. What the page shows: the answer entities with the values,
quotes and sources of their rows, and how it was answered (the query, its parameters,
links to run it on its own page and to open it in the SPARQL editor).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from kg.catalogue import ParameterError, as_term
from kg.query_errors import QueryError
from kg.questions import Resolution, Template
from kg.search import SearchIndex
from kg.service.queries import _term, bind_parameters, cached_answer
from kg.service.reader import Term
from kg.service.rendering import Page
from kg.service.worker import Answer
from kg.store.terms import bind_values

#: Most saved-query runs one question may cost (each is cached like any saved query's).
MAX_RUNS = 8
#: Most answer rows shown (the saved query's own page has them all).
MAX_ROWS = 20
QUOTE_COLUMNS = (("quote", "source"), ("quote1", "source1"), ("quote2", "source2"))
#: Words that make a text a question (an unrecognised one is then said to be so).
_ASKING = re.compile(r"[?？吗呢]|谁|哪|什么|多少|几|如何|怎么|是否|^(who|what|which|how|was|were|"
                     r"is|are|does|do|did|has|have)\b", re.IGNORECASE)


@dataclass
class Attempt:
    """One run of the saved query for a question, and the rows that answer it."""

    resolution: Resolution
    values: dict[str, str]
    bound: dict[str, Any]
    answer: Answer
    rows: list[dict[str, Term]]


@dataclass
class Outcome:
    """What became of a question: answered (possibly empty), or a slot not understood."""

    attempt: Attempt | None = None
    unresolved: Resolution | None = None
    asked: bool = False
    """No template fits, but the text reads as a question."""
    tried: list[str] = field(default_factory=list)


async def answer_question(page: Page, index: SearchIndex, text: str) -> Outcome | None:
    """The outcome of a question (None for a text that is no question: a plain search)."""
    context = page.context
    book = context.questions
    matches = book.match(text)
    if not matches:
        return Outcome(asked=True) if _ASKING.search(text) else None
    resolutions = await context.off_loop(
        lambda: [book.resolve(m, index, page.lang) for m in matches])
    first_empty: Attempt | None = None
    runs = 0
    for resolution in resolutions:
        if resolution.unresolved:
            continue
        template = resolution.match.template
        for values in resolution.choices(MAX_RUNS - runs):
            runs += 1
            attempt = await _run(page, template, resolution, values)
            if attempt is None:
                continue
            if attempt.rows:
                return Outcome(attempt)
            first_empty = first_empty or attempt
        if runs >= MAX_RUNS:
            break
    if first_empty is not None:
        return Outcome(first_empty)
    unresolved = next((r for r in resolutions if r.unresolved), None)
    return Outcome(unresolved=unresolved, asked=unresolved is None)


async def _run(page: Page, template: Template, resolution: Resolution,
               values: dict[str, str]) -> Attempt | None:
    """Run the template's query with these values (None if they do not fit its types)."""
    context, query = page.context, template.query
    if query.param("lang") is not None:
        values = {**values, "lang": page.lang}
    try:
        bound = await context.off_loop(
            lambda: bind_parameters(query, values, context, page.request))
    except ParameterError:
        return None  # a slot's text that is not of its type (a year of 20 digits)
    try:
        answer, _ = await cached_answer(page.request, context, query, bound, "json")
    except QueryError:
        return None  # out of time or workers: the search results still answer
    return Attempt(resolution, values, bound, answer, answer_rows(answer, template))


def answer_rows(answer: Answer, template: Template) -> list[dict[str, Term]]:
    """The answer's rows that hold an answer entity (and pass the template's `where`)."""
    data = json.loads(answer.body)
    rows = []
    for binding in data.get("results", {}).get("bindings", []):
        row = {name: term for name, value in binding.items()
               if (term := _term(value)) is not None}
        if any(name not in row or row[name].value != value
               for name, value in template.where.items()):
            continue
        if any(name in row for name in template.answer):
            rows.append(row)
    return rows


# ---------------------------------------------------------------- what the page shows


def question_view(page: Page, outcome: Outcome | None) -> dict[str, Any] | None:
    """The answer partial's values (in a page thread: labels are read here)."""
    if outcome is None:
        return None
    if outcome.attempt is None:
        if outcome.unresolved is None:
            return {"asked": True}
        match = outcome.unresolved.match
        slot = outcome.unresolved.unresolved or ""
        param = match.template.query.param(match.template.slot_parameter(slot))
        classes = param.classes if param else ()
        page.labels.load(classes)
        return {"unresolved": {"text": match.slots[slot], "pattern": match.pattern.text,
                               "kinds": [page.labels.name(c) or page.compact(c)
                                         for c in classes]}}
    attempt = outcome.attempt
    template = attempt.resolution.match.template
    query = template.query
    entities: dict[str, tuple[Term, str | None]] = {}
    rows = []
    for row in attempt.rows:
        found = [(row[c], row.get(c + "Label")) for c in template.answer if c in row]
        for term, label in found:
            entities.setdefault(term.value, (term, label.value if label else None))
        rows.append({
            "answer": found,
            "details": [(c, row[c], row.get(c + "Label")) for c in template.show if c in row],
            "quotes": [(row[q], row.get(s)) for q, s in QUOTE_COLUMNS if q in row],
        })
    shown = rows[:MAX_ROWS]
    page.labels.load([*(t.value for t, _ in entities.values() if t.is_iri),
                      *(t.value for r in shown for t, _ in r["answer"] if t.is_iri),
                      *(t.value for r in shown for _, t, _ in r["details"] if t.is_iri),
                      *(s.value for r in shown for _, s in r["quotes"] if s is not None),
                      *(v for v in attempt.values.values() if ":" in v)])
    base = page.context.public_base(page.request)
    params = list(attempt.values.items())
    editor_text = bind_values(query.sparql_with_prefixes(page.context.prefixes),
                              {k: as_term(v) for k, v in attempt.bound.items()})
    return {
        "template": template.id,
        "pattern": attempt.resolution.match.pattern.text,
        "query": query,
        "title": query.title.get(page.lang) or query.name,
        "entities": [{"term": term, "value": term.value,
                      "label": label or (page.labels.name(term.value) if term.is_iri
                                         else page.literal(term))}
                     for term, label in entities.values()],
        "rows": shown,
        "total": len(rows),
        "params": [{"name": n, "value": v, "label": page.labels.name(v) if ":" in v else None}
                   for n, v in params],
        "query_url": f"{base}api/queries/{query.name}?"
                     + urlencode([*params, ("format", "html")]),
        "editor_url": f"{base}sparql#query={quote(editor_text)}",
        "sparql": editor_text,
        "truncated": attempt.answer.truncated,
    }


def question_json(view: dict[str, Any] | None) -> dict[str, Any] | None:
    """The answer part of the search JSON."""
    if view is None:
        return None
    if "asked" in view:
        return {"understood": False}
    if "unresolved" in view:
        return {"understood": False, **view["unresolved"]}
    return {
        "understood": True, "template": view["template"], "query": view["query"].name,
        "params": {p["name"]: p["value"] for p in view["params"]},
        "entities": [{"value": e["value"], "label": e["label"]} for e in view["entities"]],
        "rows": view["total"], "query_url": view["query_url"], "sparql": view["sparql"],
    }
