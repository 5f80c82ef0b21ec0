"""The FastAPI application: `create_app(config)` wires the routes to one ServiceContext."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.templating import Jinja2Templates
from starlette.middleware.cors import CORSMiddleware

from kg.service import assets, graph, pages, queries, scorecard, search_pages, sparql, tidy
from kg.service.compression import CompressionMiddleware
from kg.service.context import ServiceConfig, ServiceContext
from kg.service.executor import QueryExecutor
from kg.service.hosts import HostMiddleware
from kg.service.httpcache import ConditionalGetMiddleware
from kg.service.i18n import choose_language
from kg.service.methods import MethodsMiddleware
from kg.service.problems import PROBLEM_MEDIA_TYPE, PROBLEMS, exception_handlers
from kg.service.rendering import code_spans
from kg.service.security import (
    SecurityHeadersMiddleware,
    content_security_policy,
    template_hashes,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
DESCRIPTION = """\
Open knowledge graph of China's 2025 health-policy facts: who announced which
target, what was reported, and the source quote behind every claim.

* **`/sparql`** — the SPARQL 1.1 Protocol (read-only; no SERVICE or remote graphs).
* **`/api/queries`** — the saved questions; each is an operation below.
* **Entity IRIs** dereference here (HTML, Turtle, JSON-LD, N-Triples by Accept);
  **`/downloads`** has the whole graph in six formats, described by **`/void`**.
"""


def query_string_without_format(params: Mapping[str, str]) -> str:
    """The current query string minus `format`, ready for another `format=` (page links)."""
    kept = [(k, v) for k, v in getattr(params, "multi_items", params.items)() if k != "format"]
    return urlencode(kept) + "&" if kept else ""


def create_app(config: ServiceConfig, executor: QueryExecutor | None = None) -> FastAPI:
    """A ready application over the dataset of `config`; its query workers start with the
    app, unless an executor whose workers are already loading is passed in."""
    context = ServiceContext(config, executor)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await context.executor.start()
        try:
            yield
        finally:
            await context.executor.close()
            context.pages.shutdown(wait=False, cancel_futures=True)
            context.search.close()

    app = FastAPI(
        title="China health-policy knowledge graph",
        summary="SPARQL endpoint, saved questions and linked-data pages",
        description=DESCRIPTION,
        version=context.version,
        lifespan=lifespan,
        exception_handlers=exception_handlers(),
        docs_url=None,  # served offline by assets.router
        redoc_url=None,
    )
    app.state.context = context
    app.state.templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    app.state.templates.env.globals["context"] = context
    app.state.templates.env.globals["cytoscape"] = assets.CYTOSCAPE
    app.state.templates.env.globals["asset"] = assets.asset_url
    app.state.templates.env.filters["urlencode_without_format"] = query_string_without_format
    app.state.templates.env.filters["code_spans"] = code_spans

    assets.mount_static(app)
    app.include_router(assets.router)
    app.include_router(tidy.router)
    app.include_router(sparql.router)
    app.include_router(queries.build_router(context))
    app.include_router(scorecard.router)
    app.include_router(search_pages.router)
    app.include_router(graph.router)
    app.include_router(pages.router)
    # inside MethodsMiddleware: a HEAD, answered as a GET without its body, then carries
    # the compressed length and encoding its GET would
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(MethodsMiddleware, routes=app.router.routes)
    app.add_middleware(ConditionalGetMiddleware, validators=context.validators,
                       variant=lambda scope: choose_language(Request(scope)))
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "If-Modified-Since"],
        expose_headers=["ETag", "Last-Modified", "X-KG-Truncated", "X-KG-Row-Limit"],
        max_age=86400,
    )
    app.add_middleware(HostMiddleware)
    inline = template_hashes(TEMPLATES_DIR)
    app.add_middleware(SecurityHeadersMiddleware, policy=content_security_policy(
        inline["script"], inline["style"]))
    document_problems(app)
    return app


def document_problems(app: FastAPI) -> None:
    """Say in the OpenAPI document that 4xx/5xx answers are RFC 9457 problem documents
    (FastAPI documents its validation errors as plain JSON; ours are problems), or an
    HTML page where the operation answers browsers with pages."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    responses = operation.get("responses", {})
                    pages = "text/html" in responses.get("200", {}).get("content", {})
                    for status, response in responses.items():
                        if status[0] in "45":
                            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM},
                                                   **({"text/html": {}} if pages else {})}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


PROBLEM = {"type": "object", "required": ["status", "title", "kind", "detail"], "properties": {
    "status": {"type": "integer"}, "title": {"type": "string"},
    "kind": {"type": "string", "enum": sorted({cls.kind for cls in PROBLEMS})},
    "detail": {"type": "string"}, "parameter": {"type": "string"},
    "policy": {"type": "string"}}}
