"""`kg serve` as a person starts it: it says where it listens, and a busy port is named."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from servers import free_port, stop

from kg.build import BuildSummary

READY = re.compile(r"^kg: serving (http://127\.0\.0\.1:(\d+)/) \(SPARQL at \1sparql")
HANG_GUARD = 120  # seconds: only stops a broken server from hanging the suite


def kg_serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--host", "127.0.0.1",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def test_serve_prints_its_url_once_it_answers(built_store: tuple[Path, BuildSummary]) -> None:
    port = free_port()
    process = kg_serve("--location", str(built_store[0]), "--port", str(port), "--workers", "1")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the server speaks (or exits)
        match = READY.match(line)
        assert match, f"first line printed: {line!r}"
        assert int(match.group(2)) == port
        # printed only once ready: the very first request to the printed URL is answered
        response = httpx.get(f"{match.group(1)}sparql", params={"query": "ASK {}"}, timeout=30)
        assert response.status_code == 200
    finally:
        stop(process)


def test_busy_port_fails_before_loading_anything_with_a_hint() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # the store does not exist either: the port must be the first thing checked
        process = kg_serve("--location", "/nonexistent/kg-store", "--port", str(port))
        try:
            out, err = process.communicate(timeout=HANG_GUARD)
        finally:
            if process.poll() is None:
                stop(process)
    assert process.returncode != 0
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"port {port}" in lines[0] and "in use" in lines[0] and "--port" in lines[0]
    assert "Traceback" not in err


def test_free_port_with_a_missing_store_names_the_store() -> None:
    process = kg_serve("--location", "/nonexistent/kg-store", "--port", str(free_port()))
    _, err = process.communicate(timeout=HANG_GUARD)
    assert process.returncode != 0
    assert "no built store at /nonexistent/kg-store" in err
    assert "Traceback" not in err

