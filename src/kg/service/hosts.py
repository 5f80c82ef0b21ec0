"""The Host header: refused with 400 unless it is one valid RFC 3986 authority.

Without `--base-url`, the links, IRIs and redirects the service writes start with the
request's own address (`ServiceContext.public_base`), so its Host header ends up in them.
Starlette accepts a host with malformed escapes (`ex%zz`) and quietly puts the server's
address in place of other malformed ones; RFC 9112 (section 3.2) asks for a 400 instead,
and this is where it is given, before any route runs. With `--base-url` the header decides
nothing the service writes, but a malformed one is still a malformed request.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from kg.service.problems import BadRequest, problem_response

_UNRESERVED_OR_SUB_DELIM = r"[A-Za-z0-9\-._~!$&'()*+,;=]"
_PCT = r"%[0-9A-Fa-f]{2}"
_DEC_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_H16 = r"[0-9A-Fa-f]{1,4}"
_LS32 = rf"(?:{_H16}:{_H16}|{_DEC_OCTET}(?:\.{_DEC_OCTET}){{3}})"
_IPV6 = "|".join([
    rf"(?:{_H16}:){{6}}{_LS32}", rf"::(?:{_H16}:){{5}}{_LS32}",
    rf"(?:{_H16})?::(?:{_H16}:){{4}}{_LS32}",
    rf"(?:(?:{_H16}:){{0,1}}{_H16})?::(?:{_H16}:){{3}}{_LS32}",
    rf"(?:(?:{_H16}:){{0,2}}{_H16})?::(?:{_H16}:){{2}}{_LS32}",
    rf"(?:(?:{_H16}:){{0,3}}{_H16})?::{_H16}:{_LS32}",
    rf"(?:(?:{_H16}:){{0,4}}{_H16})?::{_LS32}",
    rf"(?:(?:{_H16}:){{0,5}}{_H16})?::{_H16}", rf"(?:(?:{_H16}:){{0,6}}{_H16})?::",
])
#: RFC 3986 authority without userinfo: host [ ":" port ], the host an IP literal (IPv6 or
#: IPvFuture in brackets) or a registered name (IPv4 addresses are registered names here);
#: the port at most 65535.
AUTHORITY = re.compile(
    rf"(?:\[(?:{_IPV6}|v[0-9A-Fa-f]+\.(?:{_UNRESERVED_OR_SUB_DELIM}|:)+)\]"
    rf"|(?:{_UNRESERVED_OR_SUB_DELIM}|{_PCT})+)"
    r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5]?[0-9]{1,4})?)?"
)


def host_problem(scope: Scope) -> BadRequest | None:
    """Why the request's Host header is not acceptable, or None when it is (or is absent)."""
    hosts = [value for key, value in scope["headers"] if key == b"host"]
    if len(hosts) > 1:
        return BadRequest("more than one Host header")
    if not hosts:
        return None  # HTTP/1.0: the links take the server's own address
    text = hosts[0].decode("latin-1")
    if not AUTHORITY.fullmatch(text):
        return BadRequest(f"Host header {text[:100]!r} is not a host name with an optional "
                          "port (RFC 3986)")
    return None


class HostMiddleware:
    """Answers 400 to a request whose Host header is malformed or given twice."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (problem := host_problem(scope)):
            await problem_response(problem)(scope, receive, send)
            return
        await self.app(scope, receive, send)
