"""`kg serve` for the benchmarks (the tests' launcher), a built store, and the memory of
its processes."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))  # the tests' launcher of `kg serve`, shared
import servers  # noqa: E402

from kg.build import build  # noqa: E402

#: A national-scale store takes minutes to open.
STARTUP_DEADLINE = 900.0
#: `kg serve ARGS` until the block ends (tests/servers.py): its Running (url, process,
#: seconds to the first answer).
kg_serve = partial(servers.kg_serve, deadline=STARTUP_DEADLINE)


def built_store(folder: Path) -> Path:
    """The graph of the project's data, built into `folder`/store (kg build)."""
    location = folder / "store"
    build(location=location)
    return location


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
