"""Starting and stopping the SPARQL endpoints under test, each on a free port of 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kg.settings import Settings

STARTUP_SECONDS = 60.0
QUERY_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Endpoint:
    """A running SPARQL endpoint: where to send queries and updates."""

    name: str
    base_url: str
    query_path: str
    update_path: str
    client: httpx.Client | None = field(default=None, compare=False, repr=False)
    """For an application run in this process: the client that reaches it (else plain HTTP)."""

    @property
    def query_url(self) -> str:
        return self.base_url + self.query_path

    @property
    def update_url(self) -> str:
        return self.base_url + self.update_path


    def http(self) -> AbstractContextManager[httpx.Client]:
        """A client for the queries (closed after the block unless the endpoint owns it)."""
        if self.client is not None:
            return nullcontext(self.client)
        return httpx.Client(timeout=QUERY_TIMEOUT_SECONDS + 10)


Launcher = Callable[[Sequence[Path], Path], AbstractContextManager[Endpoint]]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tool(name: str) -> str:
    """The path of a command installed in the project's environment."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"`{name}` not found: run inside `uv run`")
    return found


@contextmanager
def running(command: list[str], endpoint: Endpoint, log: Path) -> Iterator[Endpoint]:
    """Run a server process until the block ends; yield once it answers `ASK {}`."""
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        try:
            _wait_until_ready(process, endpoint, log)
            yield endpoint
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], endpoint: Endpoint, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            lines = log.read_text(errors="replace").strip().splitlines() or ["(no output)"]
            raise RuntimeError(f"{endpoint.name} server exited with {process.returncode}: "
                               f"{lines[-1]}")
        try:
            response = httpx.get(endpoint.query_url, params={"query": "ASK {}"}, timeout=2)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{endpoint.name} server did not answer within {STARTUP_SECONDS:.0f} s")


@contextmanager
def oxigraph_endpoint(files: Sequence[Path], workdir: Path) -> Iterator[Endpoint]:
    """The Oxigraph server, read-only, over a store loaded from `files`."""
    location = workdir / "oxigraph-store"
    oxigraph = tool("oxigraph")
    subprocess.run([oxigraph, "load", "--location", str(location), "--file",
                    *map(str, files)], check=True, capture_output=True)
    port = free_port()
    endpoint = Endpoint("oxigraph", f"http://127.0.0.1:{port}", "/query", "/update")
    command = [oxigraph, "serve-read-only", "--location", str(location),
               "--bind", f"127.0.0.1:{port}", "--timeout-s", str(QUERY_TIMEOUT_SECONDS)]
    with running(command, endpoint, workdir / "oxigraph.log") as ready:
        yield ready


@contextmanager
def kg_endpoint(files: Sequence[Path], workdir: Path) -> Iterator[Endpoint]:
    """`kg serve --data`: the project's endpoint over an in-memory dataset of `files`."""
    port = free_port()
    endpoint = Endpoint("kg", f"http://127.0.0.1:{port}", "/sparql", "/sparql")
    data = [arg for path in files for arg in ("--data", str(path))]
    command = [tool("kg"), "serve", *data, "--host", "127.0.0.1", "--port", str(port),
               "--timeout", str(QUERY_TIMEOUT_SECONDS)]
    with running(command, endpoint, workdir / "kg.log") as ready:
        yield ready


@contextmanager
def kg_app_endpoint(files: Sequence[Path], workdir: Path) -> Iterator[Endpoint]:
    """The application `kg serve --data FILES` runs, in this process with one query worker:
    the same routes, policy and worker pool, without starting a server per dataset."""
    from fastapi.testclient import TestClient

    from kg.service.app import create_app
    from kg.service.context import ServiceConfig
    from kg.service.dataset import DatasetSource

    config = ServiceConfig(source=DatasetSource(
        Settings(timeout=QUERY_TIMEOUT_SECONDS, workers=1), files=tuple(files)))
    base_url = "http://127.0.0.1"
    with TestClient(create_app(config), base_url=base_url,
                    raise_server_exceptions=False) as client:
        yield Endpoint("kg", base_url, "/sparql", "/sparql", client=client)


LAUNCHERS: dict[str, Launcher] = {"oxigraph": oxigraph_endpoint, "kg": kg_endpoint}
