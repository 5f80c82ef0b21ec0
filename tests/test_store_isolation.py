"""Behind `kg serve --store URL`, the backing server is the last line: it must have no
route out. Here Oxigraph server runs in a network namespace of its own (loopback only)
and kg reaches it through a Unix socket bridged to 127.0.0.1 on the host; a SERVICE
sent straight to it (bypassing kg's policy, as a query kg misread would arrive) reaches
no listener on the host, while the same request to an Oxigraph server on the host does.

Needs root and iproute2 (`ip netns`); skipped otherwise, saying so.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from external_servers import oxigraph_binary, oxigraph_server
from hostile_corpus import Listener

#: Copies bytes both ways between a listening socket and a connecting one (TCP or Unix).
BRIDGE = """
import os, socket, sys, threading
def address(kind, where):
    return (socket.AF_UNIX, where) if kind == "unix" else (
        socket.AF_INET, (where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1])))
(lfam, laddr), (cfam, caddr) = address(sys.argv[1], sys.argv[2]), address(sys.argv[3], sys.argv[4])
server = socket.socket(lfam)
server.bind(laddr)
server.listen(16)
print("ready", flush=True)
def pipe(a, b):
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
while True:
    conn, _ = server.accept()
    out = socket.socket(cfam)
    try:
        out.connect(caddr)
    except OSError:
        conn.close()
        continue
    threading.Thread(target=pipe, args=(conn, out), daemon=True).start()
    threading.Thread(target=pipe, args=(out, conn), daemon=True).start()
"""


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create a network namespace (ip netns add)"
    if shutil.which("ip") is None:
        return "needs iproute2's `ip` to create a network namespace"
    return None


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=30)


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log.open("wb"),
                            stdin=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def isolated_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL, on the host's 127.0.0.1, of an Oxigraph server with no route out."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("isolated")
    namespace = f"kgstore{os.getpid()}"
    _run("ip", "netns", "add", namespace)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        _run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        inner = ["ip", "netns", "exec", namespace]
        processes.append(_start([*inner, oxigraph_binary(), "serve", "--location",
                                 str(folder / "db"), "--bind", "127.0.0.1:7878"],
                                folder / "oxigraph.log"))
        unix = str(folder / "store.sock")
        processes.append(_start([*inner, sys.executable, "-c", BRIDGE, "unix", unix, "tcp",
                                 "127.0.0.1:7878"], folder / "inner-bridge.log"))
        port = _free_port()
        processes.append(_start([sys.executable, "-c", BRIDGE, "tcp", f"127.0.0.1:{port}",
                                 "unix", unix], folder / "outer-bridge.log"))
        url = f"http://127.0.0.1:{port}/query"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (folder / "oxigraph.log").read_text()
            time.sleep(0.1)
        yield url
    finally:
        for process in processes:
            process.kill()
            process.wait()
        subprocess.run(["ip", "netns", "delete", namespace], check=False, capture_output=True)


def _host_addresses() -> list[str]:
    """127.0.0.1 and the host's other IPv4 addresses (where a careless listener binds)."""
    shown = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True,
                           check=False).stdout
    found = [line.split()[3].split("/")[0] for line in shown.splitlines() if " inet " in line]
    return ["127.0.0.1", *[a for a in found if a != "127.0.0.1"]]


def _service_calls(query_url: str, listener: Listener) -> int:
    """Send SERVICE queries aimed at the listener straight to a server (Oxigraph answers
    200 and fails in the body): the connections the listener saw."""
    for address in _host_addresses():
        query = f"SELECT * WHERE {{ SERVICE <http://{address}:{listener.port}/> {{ ?s ?p ?o }} }}"
        httpx.post(query_url, data={"query": query}, timeout=30)
    time.sleep(0.3)
    return listener.connections


def test_a_service_sent_straight_to_the_isolated_store_reaches_no_host_listener(
        isolated_store: str) -> None:
    listener = Listener(host="0.0.0.0")
    try:
        assert len(_host_addresses()) >= 1
        connections = _service_calls(isolated_store, listener)
    finally:
        listener.close()
    assert connections == 0


def test_the_same_service_from_a_store_on_the_host_does_connect(
        isolated_store: str, tmp_path: Path) -> None:
    """The control: without the namespace the request reaches the listener, so the test
    above can fail."""
    listener = Listener(host="0.0.0.0")
    try:
        with oxigraph_server(tmp_path) as endpoint:
            connections = _service_calls(endpoint.query_url, listener)
    finally:
        listener.close()
    assert connections > 0


def test_kg_reaches_the_isolated_store(isolated_store: str) -> None:
    from kg.store import RemoteStore

    store = RemoteStore(isolated_store, base_iri="https://w3id.org/cn-health-kg/")
    try:
        assert store.ask("ASK {}") is True
    finally:
        store.close()
