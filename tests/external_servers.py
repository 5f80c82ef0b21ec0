"""SPARQL servers the tests start and stop themselves: 127.0.0.1 only, a free port."""

from __future__ import annotations

import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
from servers import free_port

STARTUP_DEADLINE = 60.0


@dataclass(frozen=True)
class Endpoint:
    """Where a server answers queries and takes graphs."""

    name: str
    query_url: str
    gsp_url: str
    pid: int | None = None
    sql_port: int | None = None
    """Virtuoso's SQL port (isql), for its bulk loader."""


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    assert Path(found).exists(), "oxigraph server (PyPI `oxigraph`, a dev dependency) is missing"
    return found


@contextmanager
def oxigraph_server(folder: Path, union_default_graph: bool = False) -> Iterator[Endpoint]:
    """`oxigraph serve` on an empty store in `folder`, until the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (folder / "oxigraph.log").open("wb")
    union = ["--union-default-graph"] if union_default_graph else []
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(folder / "db"), *union, "--bind",
         f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        while True:
            assert process.poll() is None, (folder / "oxigraph.log").read_text()
            assert time.monotonic() - started < STARTUP_DEADLINE, "oxigraph never answered"
            try:
                if httpx.get(f"{base}/query", params={"query": "ASK {}"},
                             timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield Endpoint("oxigraph", f"{base}/query", f"{base}/store")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int, memory_mib: int) -> Path:
    """A private virtuoso.ini: files in `folder`, 127.0.0.1 only, no silent answer caps."""
    ini = folder / "virtuoso.ini"
    shutil.copy("/usr/share/virtuoso-opensource-7/virtuoso.ini", ini)
    db = folder / "db"
    db.mkdir()
    settings = [
        ("Database", "DatabaseFile", db / "virtuoso.db"),
        ("Database", "ErrorLogFile", db / "virtuoso.log"),
        ("Database", "LockFile", db / "virtuoso.lck"),
        ("Database", "TransactionFile", db / "virtuoso.trx"),
        ("Database", "xa_persistent_file", db / "virtuoso.pxa"),
        ("TempDatabase", "DatabaseFile", db / "virtuoso-temp.db"),
        ("TempDatabase", "TransactionFile", db / "virtuoso-temp.trx"),
        ("Parameters", "ServerPort", f"127.0.0.1:{sql_port}"),
        ("Parameters", "DirsAllowed", f"., {folder}, /usr/share/virtuoso-opensource-7/vad"),
        # 8 KiB pages; Virtuoso's guide: MaxDirtyBuffers three quarters of NumberOfBuffers
        ("Parameters", "NumberOfBuffers", str(memory_mib * 128)),
        ("Parameters", "MaxDirtyBuffers", str(memory_mib * 96)),
        ("HTTPServer", "ServerPort", f"127.0.0.1:{http_port}"),
        ("HTTPServer", "ServerRoot", "/var/lib/virtuoso-opensource-7/vsp"),
        ("SPARQL", "ResultSetMaxRows", "1000000"),
        ("SPARQL", "MaxQueryExecutionTime", "0"),
        ("SPARQL", "MaxQueryCostEstimationTime", "0"),
        ("URIQA", "DefaultHost", f"127.0.0.1:{http_port}"),
    ]
    for section, key, value in settings:
        subprocess.run(["inifile", "+inifile", str(ini), "+section", section, "+key", key,
                        "+value", str(value)], check=True)
    return ini


def isql(sql_port: int, statement: str, timeout: float = 60) -> str:
    done = subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba",
                           f"exec={statement}"], capture_output=True, text=True,
                          timeout=timeout)
    return done.stdout + done.stderr


@contextmanager
def virtuoso_server(folder: Path, memory_mib: int = 160) -> Iterator[Endpoint]:
    """OpenLink Virtuoso (Debian `virtuoso-opensource`) on an empty database in `folder`,
    its Sponger revoked from the SPARQL user, until the block ends; `memory_mib` of
    buffers."""
    assert shutil.which("virtuoso-t"), "virtuoso-opensource is not installed (see .ci/run)"
    sql_port, http_port = free_port(), free_port()
    ini = _virtuoso_ini(folder, sql_port, http_port, memory_mib)
    log = (folder / "virtuoso.out").open("wb")
    process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)],
                               cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        started = time.monotonic()
        while True:
            assert process.poll() is None, (folder / "virtuoso.out").read_text()
            assert time.monotonic() - started < STARTUP_DEADLINE, "virtuoso never answered"
            try:
                if httpx.get(f"{base}/sparql", params={"query": "ASK {}"},
                             timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        isql(sql_port, 'REVOKE "SPARQL_SPONGE" FROM "SPARQL";')
        yield Endpoint("virtuoso", f"{base}/sparql", f"{base}/sparql-graph-crud-auth",
                       process.pid, sql_port)
    finally:
        isql(sql_port, "shutdown;")
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Relay:
    """A TCP relay on 127.0.0.1 in front of a real server, whose `mode` a test switches:
    'forward' passes the bytes both ways; 'hang' takes the requests and never answers
    (a server that stopped responding); 'reset' drops every connection (one that went
    away). The mode holds for connections already open (clients keep them alive)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.mode = "forward"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._sockets: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "reset":
                _reset(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                chunk = source.recv(65536)
            except OSError:
                chunk = b""
            if not chunk or self.mode == "reset":
                for end in (source, target):
                    _reset(end)
                return
            if self.mode == "forward":
                try:
                    target.sendall(chunk)
                except OSError:
                    return
            # 'hang': the bytes are taken and dropped, so no answer ever comes

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        for end in self._sockets:
            _reset(end)


def _reset(end: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a server that crashed would."""
    with suppress(OSError):
        end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    end.close()
