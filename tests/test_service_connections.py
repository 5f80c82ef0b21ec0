"""Connections cost bounded time and memory, over a real `kg serve` (uvicorn): request
heads have a size, field-count and time limit, bodies a time limit, open connections a
cap that closes the longest-waiting one first, and a client that behaves is served
throughout an attack."""

from __future__ import annotations

import contextlib
import http.client
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from servers import serving

HEADER_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("connections")
    data = folder / "data.nt"
    data.write_text("<http://ex.org/s> <http://ex.org/p> \"o\" .\n")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KG_HEADER_TIMEOUT", str(HEADER_TIMEOUT))
        env.setenv("KG_BODY_TIMEOUT", str(HEADER_TIMEOUT))
        env.setenv("KG_MAX_CONNECTIONS", "150")
        env.setenv("KG_WORKERS", "2")
        with serving("--data", str(data), log=folder / "serve.log") as url:
            yield url


def address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def server_rss(url: str) -> int:
    """Resident bytes of the `kg serve` process listening on the URL's port."""
    port = str(address(url)[1])
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and port.encode() in args:
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    raise AssertionError("server process not found")


def healthy(url: str, within: float = 1.0) -> bool:
    started = time.monotonic()
    response = httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=within * 5)
    return response.status_code == 200 and time.monotonic() - started < within


def closed(sock: socket.socket, within: float) -> bytes | None:
    """What the server sent before closing the socket, or None if it stayed open."""
    sock.settimeout(within)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return received


def test_slowloris_connections_are_closed_after_the_header_timeout(server: str) -> None:
    sockets = []
    for _ in range(200):
        sock = socket.create_connection(address(server))
        sock.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\nX-a: ")
        sockets.append(sock)
    started = time.monotonic()
    assert healthy(server), "a normal client waited behind the slow ones"
    for sock in sockets:
        sock.sendall(b"b")  # still trickling
    outcomes = [closed(sock, HEADER_TIMEOUT + 3 - (time.monotonic() - started))
                for sock in sockets]
    assert all(o is not None for o in outcomes), "slow connections were still open"
    assert time.monotonic() - started < HEADER_TIMEOUT + 3
    assert healthy(server)


def test_idle_connections_over_the_cap_make_room_for_new_clients(server: str) -> None:
    idle = [socket.create_connection(address(server)) for _ in range(200)]
    time.sleep(0.3)
    assert healthy(server), "the connection cap shut out a normal client"
    still_open = sum(closed(sock, 0.01) is None for sock in idle)
    assert still_open <= 150
    for sock in idle:
        sock.close()


def test_unfinished_huge_headers_are_refused_and_cost_bounded_memory(server: str) -> None:
    before = server_rss(server)
    sockets = []
    for _ in range(50):
        sock = socket.create_connection(address(server))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-big: ")
        sockets.append(sock)
    chunk = b"a" * 65536
    for _ in range(16):  # 1 MiB offered per connection, never finished
        for sock in sockets:
            with contextlib.suppress(OSError):  # already refused
                sock.sendall(chunk)
    assert healthy(server)
    grew = server_rss(server) - before
    replies = [closed(sock, 3) for sock in sockets]
    assert all(r is not None and r.startswith(b"HTTP/1.1 431") for r in replies)
    assert grew < 40 * 2**20, f"server grew by {grew / 2**20:.0f} MiB"


def test_too_many_header_fields_are_431(server: str) -> None:
    headers = {f"x-field-{i}": "1" for i in range(150)}
    response = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers=headers)
    assert response.status_code == 431


@pytest.mark.parametrize("host", ["ex%zz", "a b", "x/y", "[zz"])
def test_a_malformed_host_header_is_400(server: str, host: str) -> None:
    sock = socket.create_connection(address(server))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
    reply = closed(sock, 3)
    assert reply is not None and reply.startswith(b"HTTP/1.1 400")


def test_a_body_that_never_arrives_closes_the_connection(server: str) -> None:
    sock = socket.create_connection(address(server))
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
                 b"\r\nContent-Length: 1000\r\n\r\nASK")
    started = time.monotonic()
    assert closed(sock, HEADER_TIMEOUT + 3) is not None
    assert time.monotonic() - started < HEADER_TIMEOUT + 3
    assert healthy(server)


def test_keep_alive_still_works_within_the_limits(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        for _ in range(3):
            assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        time.sleep(0.5)
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_large_body_answered_early_does_not_count_as_the_next_head(server: str) -> None:
    """A body refused with 413 before it is read still streams in; those bytes are the
    body's, not the next request head's."""
    connection = http.client.HTTPConnection(*address(server), timeout=30)
    try:
        connection.request("POST", "/sparql", body=b"#" + b"x" * 1_100_000 + b"\nASK {}",
                           headers={"content-type": "application/sparql-query"})
        response = connection.getresponse()
        response.read()
        assert response.status == 413
        connection.request("GET", "/sparql?query=ASK%20%7B%7D")
        after = connection.getresponse()
        assert after.status == 200 and b"true" in after.read()
    finally:
        connection.close()
