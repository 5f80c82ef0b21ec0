"""Memory of `kg serve` (server + forkserver + query workers) on a built store.

Printed figures, not a test. Starts the server on 127.0.0.1, waits for its first
answer, runs a few queries so every worker has read the data, then sums RSS and
PSS (proportional: shared pages counted once) over the process tree.

    uv run python bench/memory.py --location var/kg --workers 2 4
    uv run python bench/memory.py --location DIR --python /other/checkout/.venv/bin/python
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

QUERIES = ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
           "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree(root: int) -> list[int]:
    """The pid and all its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        values[key] = int(value.split()[0])
    return values.get("Rss", 0), values.get("Pss", 0)


def measure(python: str, cwd: Path, location: Path, workers: int) -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    started = time.monotonic()
    process = subprocess.Popen(
        [python, "-m", "kg.cli", "serve", "--location", str(location), "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--timeout", "120"],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit("the server stopped before answering")
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        first = time.monotonic() - started
        for _ in range(workers):
            for query in QUERIES:
                httpx.get(url, params={"query": query}, timeout=120,
                          headers={"accept": "text/tab-separated-values"})
        rss = pss = 0
        pids = tree(process.pid)
        for pid in pids:
            r, p = memory_kb(pid)
            rss, pss = rss + r, pss + p
        return {"workers": workers, "processes": len(pids), "first_answer_s": first,
                "rss_mb": rss / 1024, "pss_mb": pss / 1024}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", type=Path, required=True)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--python", default=sys.executable,
                        help="Interpreter of the checkout to measure (default: this one).")
    args = parser.parse_args()
    cwd = Path(args.python).parents[2] if args.python != sys.executable else Path.cwd()
    print(f"{'workers':>7} {'procs':>5} {'first answer s':>14} {'RSS MB':>8} {'PSS MB':>8}")
    for workers in args.workers:
        m = measure(args.python, cwd, args.location.resolve(), workers)
        print(f"{m['workers']:>7} {m['processes']:>5} {m['first_answer_s']:>14.1f} "
              f"{m['rss_mb']:>8.0f} {m['pss_mb']:>8.0f}")


if __name__ == "__main__":
    main()
