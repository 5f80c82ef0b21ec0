"""Starting and stopping `kg serve` for the benchmarks: 127.0.0.1, a free port, a log file."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from kg.build import build

PROJECT = Path(__file__).resolve().parents[1]
STARTUP_DEADLINE = 900.0


@dataclass(frozen=True)
class Running:
    """A `kg serve` process that answers: its URL, pid and seconds to the first answer."""

    url: str
    process: subprocess.Popen[bytes]
    startup_seconds: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def built_store(folder: Path) -> Path:
    """The graph of the project's data, built into `folder`/store (kg build)."""
    location = folder / "store"
    build(location=location)
    return location


@contextmanager
def kg_serve(*args: str, log: Path) -> Iterator[Running]:
    """Run `kg serve ARGS` on 127.0.0.1 until the block ends (SIGINT, then SIGKILL)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), *args], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            seconds = _wait_for_first_answer(process, url, started, log)
            yield Running(url, process, seconds)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_first_answer(process: subprocess.Popen[bytes], url: str, started: float,
                           log: Path) -> float:
    while time.monotonic() - started < STARTUP_DEADLINE:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited with {process.returncode}: "
                               f"{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/sparql", params={"query": "ASK {}"},
                         timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            time.sleep(0.02)
    raise RuntimeError(f"kg serve did not answer within {STARTUP_DEADLINE:.0f} s")


def _proc_kib(path: str, field: str) -> int:
    """A `field: N kB` line of a /proc file, in KiB (0 if the process is gone)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB (0 if it is gone)."""
    return _proc_kib(f"/proc/{pid}/status", "VmRSS:")


def pss_kib(pid: int) -> int:
    """Proportional set size of a process in KiB (shared pages split among sharers)."""
    return _proc_kib(f"/proc/{pid}/smaps_rollup", "Pss:")


def children(pid: int) -> list[int]:
    """The direct child processes of `pid`."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def descendants(pid: int) -> list[int]:
    """Every process below `pid`: a server's fork server and the query workers it forked."""
    found, todo = [], children(pid)
    while todo:
        child = todo.pop()
        found.append(child)
        todo += children(child)
    return found
