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


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    assert Path(found).exists(), "oxigraph server (PyPI `oxigraph`, a dev dependency) is missing"
    return found


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[Endpoint]:
    """`oxigraph serve` on an empty store in `folder`, until the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (folder / "oxigraph.log").open("wb")
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(folder / "db"), "--bind",
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
