"""SPARQL servers the tests start and stop themselves: 127.0.0.1 only, a free port."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
