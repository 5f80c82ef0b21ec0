"""HTTP validators tied to the dataset version: ETag, Last-Modified and 304.

A pure ASGI middleware (no per-request task or body copy): every successful
read response carries `ETag: W/"<dataset version>"` and `Last-Modified: <build
time>`, and a GET or HEAD whose If-None-Match (or, without it, If-Modified-Since)
still matches is answered 304 before any query runs. The tag is weak because
one version is served in several formats, each a different byte sequence. Pages
also vary by interface language, so the tag names the language the request gets
(`W/"<version>-zh"`): a browser switching language never revalidates the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.service.i18n import COOKIE, COOKIE_MAX_AGE, LANGUAGES


class DatasetValidators:
    """ETag and Last-Modified of one dataset version, and the 304 decision."""

    def __init__(self, version: str, last_modified: datetime) -> None:
        self.etag = f'W/"{version}"'
        self.last_modified = last_modified
        self.last_modified_header = format_datetime(last_modified, usegmt=True)

    def etag_for(self, variant: str) -> str:
        return f'{self.etag[:-1]}-{variant}"' if variant else self.etag

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None,
                     variant: str = "") -> bool:
        if if_none_match is not None:
            etag = self.etag_for(variant)
            tags = {t.strip() for t in if_none_match.split(",")}
            return "*" in tags or etag in tags or etag[2:] in tags
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            return since.tzinfo is not None and self.last_modified <= since
        return False


def language_cookie(scope: Scope, cookies: bytes | None) -> list[tuple[bytes, bytes]]:
    """The lang cookie a page sets for `?lang=` (rendering.Page.render), for a 304 that
    answers such a request without the page: else a browser holding the page would
    not remember the language it asked for."""
    asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(COOKIE, [""])[-1]
    if asked not in LANGUAGES or f"{COOKIE}={asked}".encode() in (cookies or b"").replace(
            b" ", b"").split(b";"):
        return []
    return [(b"set-cookie", f"{COOKIE}={asked}; Max-Age={COOKIE_MAX_AGE}; Path=/; "
                            "SameSite=lax".encode())]


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp, validators: DatasetValidators,
                 variant: Callable[[Scope], str] | None = None) -> None:
        self.app = app
        self.validators = validators
        self.variant = variant or (lambda scope: "")
        self.last_modified = (b"last-modified", validators.last_modified_header.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # static files carry their own validators, which change without the dataset
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        variant = self.variant(scope)
        validators = [(b"etag", self.validators.etag_for(variant).encode()), self.last_modified]
        if scope["method"] in ("GET", "HEAD"):
            headers = dict(scope["headers"])
            inm, ims = headers.get(b"if-none-match"), headers.get(b"if-modified-since")
            if (inm is not None or ims is not None) and self.validators.not_modified(
                    inm.decode("latin-1") if inm is not None else None,
                    ims.decode("latin-1") if ims is not None else None, variant):
                await send({"type": "http.response.start", "status": 304, "headers": [
                    *validators, (b"vary", b"Accept, Accept-Language, Cookie"),
                    *language_cookie(scope, headers.get(b"cookie"))]})
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_validators(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message["headers"] = [*message.get("headers", ()), *validators]
            await send(message)

        await self.app(scope, receive, send_with_validators)
