"""Security headers: a Content-Security-Policy on every HTML page, nosniff, referrer policy.

The policy allows only this server's own assets (``default-src 'self'``). Inline
``<script>`` and ``<style>`` blocks are allowed only by their SHA-256 hash: the
hashes of the static blocks in the templates are computed once at start-up, so a
template may keep a fixed inline block, while anything injected (or any block
built from data) is refused by the browser. A route that serves its own inline
code (the API docs) sets its own policy, which is kept.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE = re.compile(r"<(script|style)(\s[^>]*)?>(.*?)</\1\s*>", re.S | re.I)
_JINJA = re.compile(r"\{[{%#]")


def source_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline block."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def inline_blocks(html: str) -> dict[str, list[str]]:
    """The inline scripts (without src) and styles of an HTML text, by element name."""
    blocks: dict[str, list[str]] = {"script": [], "style": []}
    for match in _INLINE.finditer(html):
        kind, attributes, body = match.group(1).lower(), match.group(2) or "", match.group(3)
        if kind == "script" and "src=" in attributes.lower():
            continue
        blocks[kind].append(body)
    return blocks


def template_hashes(folder: Path) -> dict[str, list[str]]:
    """Hashes of the static inline blocks of every template (blocks with Jinja markup are
    skipped: their rendered text is not known in advance, so the browser refuses them)."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for path in sorted(folder.glob("*.html")):
        for kind, bodies in inline_blocks(path.read_text(encoding="utf-8")).items():
            hashes[kind] += [source_hash(b) for b in bodies if not _JINJA.search(b)]
    return hashes


def content_security_policy(scripts: Iterable[str] = (), styles: Iterable[str] = ()) -> str:
    """Own assets only; `scripts` and `styles` are extra hash sources for inline blocks."""
    script_src = " ".join(["'self'", *dict.fromkeys(scripts)])
    style_src = " ".join(["'self'", *dict.fromkeys(styles)])
    return ("default-src 'self'; "
            f"script-src {script_src}; style-src {style_src}; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeadersMiddleware:
    """Adds the policy to HTML responses that have none, and two headers to every response."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.policy = policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html") and \
                        b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.policy))
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in names:
                    headers.append((b"referrer-policy", b"same-origin"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
