"""HEAD and OPTIONS wherever GET is served, and 405 with the whole `Allow` list.

FastAPI routes answer only the methods they declare, so HEAD and OPTIONS got 405, and a
path served by two routes (GET and POST `/sparql`) named only one of them in `Allow`.
This pure ASGI middleware decides by path, from the application's routes: HEAD is the
GET without its body (same status and headers, Content-Length included), OPTIONS is 204
with `Allow`, and any other method the path does not serve is 405 with `Allow`. CORS
preflight requests are answered before they get here (CORSMiddleware is outside).

The methods of a path depend on the path alone (the routes are fixed once the app is
built), so they are worked out once per path and kept in a small LRU: matching every
route five times per request cost more CPU than the rest of the /sparql path.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.service.problems import PROBLEM_MEDIA_TYPE

IMPLICIT = frozenset({"HEAD", "OPTIONS"})
ROUTED = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Paths whose methods are remembered (entity pages make the set of paths unbounded).
ALLOWED_CACHE_ENTRIES = 1024


class MethodsMiddleware:
    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes
        self._allowed: OrderedDict[tuple[str, str], frozenset[str]] = OrderedDict()

    def allowed(self, scope: Scope) -> frozenset[str]:
        """The methods some route serves at this request's path (HEAD and OPTIONS with GET)."""
        key = (scope.get("root_path", ""), scope["path"])
        known = self._allowed.get(key)
        if known is not None:
            self._allowed.move_to_end(key)
            return known
        methods = {method for method in ROUTED if any(
            route.matches({**scope, "method": method})[0] == Match.FULL for route in self.routes)}
        known = frozenset(methods | IMPLICIT if "GET" in methods else methods)
        self._allowed[key] = known
        if len(self._allowed) > ALLOWED_CACHE_ENTRIES:
            self._allowed.popitem(last=False)
        return known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        allowed = self.allowed(scope)
        allow = ", ".join(sorted(allowed))
        if method == "HEAD" and "GET" in allowed:
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
        elif method == "OPTIONS" and allowed:
            await send({"type": "http.response.start", "status": 204,
                        "headers": [(b"allow", allow.encode())]})
            await send({"type": "http.response.body", "body": b""})
        elif method not in allowed:
            body = json.dumps({"status": 405, "title": "method not allowed",
                               "detail": f"{method} is not served here; use {allow}"}).encode()
            await send({"type": "http.response.start", "status": 405, "headers": [
                (b"allow", allow.encode()), (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
        else:
            await self.app(scope, receive, send)


def _without_body(send: Send) -> Send:
    """`send` for a HEAD answered as GET: the same start message, every body part empty."""

    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_head
