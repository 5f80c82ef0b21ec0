"""`kg serve` in its own process for the tests that need a real server: 127.0.0.1 only,
a free port, stopped when the block ends."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STARTUP_DEADLINE = 120.0
READY = re.compile(r"^kg: serving (http://127\.0\.0\.1:(\d+))/ ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Running:
    """A `kg serve` process that answers: its URL, its process and the seconds from its
    start to its first answer."""

    url: str
    process: subprocess.Popen[bytes]
    startup_seconds: float


@contextmanager
def kg_serve(*args: str, log: Path, deadline: float = STARTUP_DEADLINE) -> Iterator[Running]:
    """Run `kg serve ARGS` on 127.0.0.1 and a free port until the block ends (Ctrl-C, then
    a kill); the one launcher of the tests and the benchmarks (bench/kgserver.py).

    `kg serve` prints its URL only once it answers (tests/test_serve_cli.py checks that),
    so the line is waited for, not polled for; its other output goes to `log`. The time
    to that line is the start-up figure bench/startup.py prints; the deadline only keeps
    a server that never comes up from hanging the caller."""
    port = free_port()
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), *args], stdout=subprocess.PIPE, stderr=out, stdin=subprocess.DEVNULL)
        assert process.stdout is not None
        guard = threading.Timer(deadline, process.kill)
        guard.start()
        try:
            line = process.stdout.readline()  # empty if it exited (or was killed by the guard)
            guard.cancel()
            seconds = time.monotonic() - started
            match = READY.match(line.decode(errors="replace"))
            if not match:
                raise RuntimeError(f"kg serve did not start: {line!r}\n{log.read_text()}")
            assert int(match.group(2)) == port
            threading.Thread(target=_drain, args=(process.stdout, log.with_suffix(".stdout")),
                             daemon=True).start()
            yield Running(match.group(1), process, seconds)
        finally:
            guard.cancel()
            stop(process)


@contextmanager
def serving(*args: str, log: Path) -> Iterator[str]:
    """`kg serve ARGS` until the block ends: its URL (see kg_serve)."""
    with kg_serve(*args, log=log) as running:
        yield running.url


def _drain(stream: Any, path: Path) -> None:
    """Copy what the server prints after its URL (a pipe nobody reads would fill up)."""
    with path.open("wb") as copy:
        shutil.copyfileobj(stream, copy)


def stop(process: subprocess.Popen[Any]) -> None:
    """Ctrl-C, as a user stops it; killed if it has not stopped within 15 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
