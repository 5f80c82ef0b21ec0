"""The listening socket of `kg serve`: bound before anything slow, announced when ready,
and guarded against clients that hold connections open.

Binding first means a busy port fails at once with a hint, instead of after the
query workers have loaded the dataset; handing the bound socket to uvicorn
leaves no gap in which another process could take the port.

uvicorn's httptools protocol reads request heads of any size for as long as the
client likes. `guarded_protocol` adds what it lacks: a cap on the head's bytes and
header fields (431), a deadline for the head (408) and for the body, a well-formed
Host (400), and a cap on open connections that closes the one waiting longest for
its request head first, so that slow or idle clients cannot crowd out others.
"""

from __future__ import annotations

import asyncio
import errno
import re
import socket
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.errors import KgError
from kg.settings import Settings

if TYPE_CHECKING:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_DEFAULTS = Settings.model_fields
#: A Host header as RFC 9110 allows it: a name or IPv4 address, or an IPv6 literal in
#: brackets, and an optional port (no percent-escapes: no server name has one).
_HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=-]*)(?::[0-9]{0,5})?$")


@dataclass(frozen=True)
class ConnectionLimits:
    """What one client connection may cost (defaults and meaning: `kg.settings`)."""

    max_connections: int = _DEFAULTS["max_connections"].default
    header_timeout: float = _DEFAULTS["header_timeout"].default
    body_timeout: float = _DEFAULTS["body_timeout"].default
    keep_alive: float = _DEFAULTS["keep_alive"].default
    max_header_bytes: int = _DEFAULTS["max_header_bytes"].default
    max_headers: int = _DEFAULTS["max_headers"].default

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        return cls(settings.max_connections, settings.header_timeout, settings.body_timeout,
                   settings.keep_alive, settings.max_header_bytes, settings.max_headers)


class PortUnavailable(KgError):
    """The address cannot be listened on (in use, not allowed, not local)."""


def bind_listener(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port (port 0: any free port), or PortUnavailable."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise PortUnavailable(f"cannot listen on {host!r}: {exc.strerror} (check --host)") from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"port {port} on {host} is already in use (another server?); "
                f"choose a free one with --port, e.g. --port {port + 1}") from exc
        if exc.errno == errno.EACCES:
            raise PortUnavailable(
                f"not allowed to listen on port {port}; use a port above 1023 with --port"
            ) from exc
        raise PortUnavailable(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def server_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve_on(app: Any, sock: socket.socket, base_url: str | None = None,
             limits: ConnectionLimits | None = None) -> None:
    """Run the app on an already bound socket until interrupted; print the URL once it
    accepts connections (uvicorn is imported here, after the workers were launched)."""
    import click
    import uvicorn

    url = server_url(sock)
    message = f"kg: serving {url} (SPARQL at {url}sparql, API docs at {url}docs)"
    if base_url:
        message += f"; public URL {base_url}"

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                click.echo(message)

    limits = limits or ConnectionLimits()
    config = uvicorn.Config(app, log_level="warning", access_log=False, ws="none",
                            http=guarded_protocol(limits), timeout_keep_alive=limits.keep_alive)
    AnnouncingServer(config).run(sockets=[sock])


class _Refused(Exception):
    """Raised from a parser callback to stop reading a request that breaks a limit."""


def guarded_protocol(limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with the limits it lacks (see the module's docstring)."""
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

    # the connections whose request head is not in yet (idle keep-alive ones too), oldest
    # first: the first to close when there are too many connections
    waiting: OrderedDict[GuardedProtocol, None] = OrderedDict()

    class GuardedProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.head_bytes = 0
            self.header_fields = 0
            self.head_timer: asyncio.TimerHandle | None = None
            self.body_timer: asyncio.TimerHandle | None = None
            self.refusal: tuple[int, str] | None = None
            self.in_body = False
            """A request's body is still arriving (its bytes are not the next head's)."""

        # ---------------------------------------------------------------- connection

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                oldest = next(iter(waiting), None)
                if oldest is None:
                    self.refuse(503, "too many connections; try again shortly")
                    return
                oldest.refuse(408, "connection closed to make room for other clients")
            self.await_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self.stop_timers()
            waiting.pop(self, None)
            super().connection_lost(exc)

        def stop_timers(self) -> None:
            for timer in (self.head_timer, self.body_timer):
                if timer is not None:
                    timer.cancel()
            self.head_timer = self.body_timer = None

        def refuse(self, status: int, message: str) -> None:
            """Answer `status` (unless a response is under way) and close the connection."""
            self.stop_timers()
            waiting.pop(self, None)
            if self.transport.is_closing():
                return
            if self.cycle is None or self.cycle.response_complete:
                body = message.encode()
                self.transport.write(b"".join([
                    STATUS_LINE[status], b"content-type: text/plain; charset=utf-8\r\n",
                    b"content-length: %d\r\n" % len(body), b"connection: close\r\n\r\n",
                    body]))
            self.transport.close()

        # ---------------------------------------------------------------- the head

        def await_head(self) -> None:
            """A request head is due: count its bytes and give it `header_timeout`."""
            if self.head_timer is not None or self.in_body or self.transport.is_closing():
                return
            self.head_bytes = self.header_fields = 0
            waiting[self] = None
            self.head_timer = self.loop.call_later(
                limits.header_timeout, self.refuse, 408,
                f"the request head did not arrive within {limits.header_timeout:g} s")

        def data_received(self, data: bytes) -> None:
            if self.transport.is_closing():
                return
            if self in waiting:
                self.head_bytes += len(data)
            super().data_received(data)
            if self in waiting and self.head_bytes > limits.max_header_bytes:
                self.refuse(431, f"the request head is larger than "
                                 f"{limits.max_header_bytes} bytes")

        def send_400_response(self, msg: str) -> None:
            if self.refusal is not None:  # a limit stopped the parser, not a bad request
                self.refuse(*self.refusal)
            else:
                self.refuse(400, msg)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.await_head()  # a pipelined request's head

        def on_header(self, name: bytes, value: bytes) -> None:
            self.header_fields += 1
            if self.header_fields > limits.max_headers:
                self.refusal = (431, f"more than {limits.max_headers} header fields")
                raise _Refused
            if name.lower() == b"host" and not _HOST.match(value.decode("latin-1")):
                self.refusal = (400, "the Host header is not a host name")
                raise _Refused
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            waiting.pop(self, None)
            if self.head_timer is not None:
                self.head_timer.cancel()
                self.head_timer = None
            self.in_body = True
            super().on_headers_complete()
            self.body_timer = self.loop.call_later(limits.body_timeout, self.body_too_slow)

        # ---------------------------------------------------------------- the body

        def body_too_slow(self) -> None:
            self.body_timer = None
            if not self.transport.is_closing():
                self.transport.close()  # the application sees the client go

        def on_message_complete(self) -> None:
            self.in_body = False
            if self.body_timer is not None:
                self.body_timer.cancel()
                self.body_timer = None
            super().on_message_complete()
            if self.cycle is not None and self.cycle.response_complete:
                self.await_head()  # answered before its body was read (413): next head due

        def on_response_complete(self) -> None:
            pipelined = bool(self.pipeline)
            super().on_response_complete()
            if not pipelined:
                self.await_head()  # idle, then the next request's head

    return GuardedProtocol
