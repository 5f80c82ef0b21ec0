"""`kg serve` in its own process for the tests that need a real server: 127.0.0.1 only,
a free port, stopped when the block ends."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

STARTUP_DEADLINE = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(*args: str, log: Path) -> Iterator[str]:
    """Run `kg serve ARGS` until the block ends; yield its URL once it answers.

    How fast it starts is measured by bench/startup.py, not here: the deadline below only
    keeps a server that never comes up from hanging the suite."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), *args], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            while True:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() - started < STARTUP_DEADLINE, "the server never answered"
                try:
                    if httpx.get(f"{url}/sparql", params={"query": "ASK {}"},
                                 timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.02)
            yield url
        finally:
            stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    """Ctrl-C, as a user stops it; killed if it has not stopped within 15 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
