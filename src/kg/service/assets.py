"""The browser's own assets, served offline: /static (vendored editor, API docs, graph
view), /docs.

Nothing here is fetched from another host at run time: Swagger UI, YASGUI and
cytoscape.js are vendored under ``static/vendor/`` (see its README for versions,
licences and updates), and the pages name them by this server's own URLs.

Versioned URLs are cached for a year (`immutable`): a vendored folder names its
version, and the project's own files are linked as ``?v=<content hash>`` (`asset_url`).
Any other static URL is revalidated on each use (`no-cache`, by its ETag).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse, Response
from starlette.types import Scope

from kg.service.context import get_context
from kg.service.security import content_security_policy, inline_blocks, source_hash

STATIC_DIR = Path(__file__).parent / "static"
SWAGGER_UI = "vendor/swagger-ui-dist-5.35.0"
YASGUI = "vendor/yasgui-4.6.2"
CYTOSCAPE = "vendor/cytoscape-3.35.0"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

router = APIRouter(include_in_schema=False)


class CachedStaticFiles(StaticFiles):
    """StaticFiles whose answers say how long they may be kept (see the module text)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            version = dict(_query_items(scope)).get("v")
            versioned = path.startswith("vendor/") or (
                version is not None and version == asset_version(path))
            response.headers["Cache-Control"] = IMMUTABLE if versioned else REVALIDATE
        return response


def _query_items(scope: Scope) -> list[tuple[str, str]]:
    query = scope.get("query_string", b"").decode("latin-1")
    return [tuple(p.split("=", 1)) for p in query.split("&") if "=" in p]  # type: ignore[misc]


@cache
def asset_version(path: str) -> str | None:
    """First 12 hex digits of the SHA-256 of static/`path`; None if there is no such file
    (the static files ship with the package and do not change while it runs)."""
    file = (STATIC_DIR / path).resolve()
    if not file.is_relative_to(STATIC_DIR.resolve()) or not file.is_file():
        return None
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12]


def mount_static(app: FastAPI) -> None:
    """Serve static/ at /static (before any catch-all route, which would shadow it)."""
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")


def static_url(base: str, path: str) -> str:
    return f"{base}static/{path}"


def asset_url(base: str, path: str) -> str:
    """The URL of static/`path` that may be cached for a year: vendored folders carry
    their version in the path, the project's own files their content hash as `?v=`."""
    if path.startswith("vendor/"):
        return static_url(base, path)
    return f"{static_url(base, path)}?v={asset_version(path)}"


@router.get("/docs")
async def api_docs(request: Request) -> Response:
    """Swagger UI for /openapi.json, from the vendored copy; its one inline script (the
    initialiser FastAPI writes) is allowed by hash, nothing else inline."""
    base = get_context(request).public_base(request)
    page = get_swagger_ui_html(
        openapi_url=f"{base}openapi.json",
        title=f"{request.app.title} — API",
        swagger_js_url=static_url(base, f"{SWAGGER_UI}/swagger-ui-bundle.js"),
        swagger_css_url=static_url(base, f"{SWAGGER_UI}/swagger-ui.css"),
        swagger_favicon_url=asset_url(base, "favicon.svg"),
        swagger_ui_parameters={"validatorUrl": None, "deepLinking": False},
    )
    # Swagger UI's page names no language, and some of its colours fall short of WCAG AA:
    # docs.css (ours) mends them
    html = bytes(page.body).decode("utf-8").replace("<html>", '<html lang="en">', 1).replace(
        "</head>", f'<link rel="stylesheet" href="{asset_url(base, "docs.css")}">\n</head>', 1)
    policy = content_security_policy(
        scripts=[source_hash(b) for b in inline_blocks(html)["script"]])
    return Response(html, media_type="text/html",
                    headers={"Content-Security-Policy": policy})


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own; answer with the site's icon."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")
