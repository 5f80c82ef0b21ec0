"""gzip for text answers (Starlette's GZipMiddleware), with ETags that stay truthful.

A streamed answer (SPARQL results, dumps written on the fly) stays streamed: each chunk
is compressed and flushed as it comes. Files that are already compressed (`.gz` dumps,
images) pass as they are. A compressed answer is a different byte sequence from the
plain one, so a strong ETag on it (static files) is made weak: `W/"…"` still matches
the plain file's tag in If-None-Match, as a weak comparison should.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 500


class CompressionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_weak_tag(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if any(k.lower() == b"content-encoding" for k, _ in headers):
                    message["headers"] = [
                        (k, b"W/" + v if k.lower() == b"etag" and v.startswith(b'"') else v)
                        for k, v in headers]
            await send(message)

        await self.gzip(scope, receive, send_weak_tag)
