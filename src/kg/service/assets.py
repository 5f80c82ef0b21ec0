"""The browser's own assets, served offline: /static (vendored editor, API docs, graph
view), /docs.

Nothing here is fetched from another host at run time: Swagger UI, YASGUI and
cytoscape.js are vendored under ``static/vendor/`` (see its README for versions,
licences and updates), and the pages name them by this server's own URLs.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse, Response

from kg.service.context import get_context
from kg.service.security import content_security_policy, inline_blocks, source_hash

STATIC_DIR = Path(__file__).parent / "static"
SWAGGER_UI = "vendor/swagger-ui-dist-5.35.0"
YASGUI = "vendor/yasgui-4.6.2"
CYTOSCAPE = "vendor/cytoscape-3.35.0"

router = APIRouter(include_in_schema=False)


def mount_static(app: FastAPI) -> None:
    """Serve static/ at /static (before any catch-all route, which would shadow it)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def static_url(base: str, path: str) -> str:
    return f"{base}static/{path}"


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
        swagger_favicon_url=static_url(base, "favicon.svg"),
        swagger_ui_parameters={"validatorUrl": None, "deepLinking": False},
    )
    html = bytes(page.body).decode("utf-8")
    policy = content_security_policy(
        scripts=[source_hash(b) for b in inline_blocks(html)["script"]])
    return Response(html, media_type="text/html",
                    headers={"Content-Security-Policy": policy})


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own; answer with the site's icon."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")
