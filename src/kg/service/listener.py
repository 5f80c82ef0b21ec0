"""The listening socket of `kg serve`: bound before anything slow, announced when ready.

Binding first means a busy port fails at once with a hint, instead of after the
query workers have loaded the dataset; handing the bound socket to uvicorn
leaves no gap in which another process could take the port.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from kg.errors import KgError


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


def serve_on(app: Any, sock: socket.socket, base_url: str | None = None) -> None:
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

    config = uvicorn.Config(app, log_level="warning", access_log=False)
    AnnouncingServer(config).run(sockets=[sock])
