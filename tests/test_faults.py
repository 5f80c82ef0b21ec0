"""Faults while publishing: killed builds, readers during a switch, full and read-only disks.

The invariant every test checks: `current` opens, and the version in its manifest is
the hash of exactly the content it holds (so a half-written or mixed release would be
caught), and it is the previous release unless a build finished.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from test_build import claim

from kg.build import build_graphs, dataset_version
from kg.datafiles import DEFAULT_DATA_DIR
from kg.releases import KEEP_RELEASES
from kg.store import EmbeddedStore

PROJECT = Path(__file__).resolve().parents[1]
SMALL_DATA = Path(__file__).parent / "fixtures" / "claims" / "data"
SMALL_SEEDS = Path(__file__).parent / "fixtures" / "claims" / "seeds"
RUNS = 20
SWITCHES = 8
#: The publish step of `kg build` in a child process: the graphs are made by the test
#: (the steps before publishing do not touch the store), so each run is quick and a
#: kill lands inside the part that writes. One process imports kg and reads the payloads
#: once, then forks a child per publish on request (its pid is printed; the test kills it
#: directly), so no run waits for Python to start and import kg. It is single-threaded
#: when it forks (checked), and every child leaves with os._exit.
PUBLISHER = """
import json, os, sys, traceback
from pathlib import Path
from kg.releases import publish_release
payloads = [json.loads(Path(p).read_text(encoding="utf-8")) for p in sys.argv[1:]]
releases = [({name: nt.encode() for name, nt in p["graphs"].items()}, p["manifest"])
            for p in payloads]
print("ready", flush=True)
for line in sys.stdin:
    command, *args = line.split()
    if command == "publish":  # publish ROUNDS FIRST LOCATION: FIRST, FIRST+1, ... in a child
        rounds, first, location = int(args[0]), int(args[1]), Path(args[2])
        assert len(os.listdir("/proc/self/task")) == 1, "forking a multi-threaded process"
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                for i in range(rounds):
                    graphs, manifest = releases[(first + i) % len(releases)]
                    publish_release(location, graphs, manifest)
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stderr.flush()
            os._exit(code)
        print(pid, flush=True)
    elif command in ("wait", "poll"):  # the child's exit code (-N: killed by signal N)
        pid, status = os.waitpid(int(args[0]), 0 if command == "wait" else os.WNOHANG)
        print(os.waitstatus_to_exitcode(status) if pid else "running", flush=True)
"""


class Publisher:
    """The forking publisher (PUBLISHER), ready once it has imported kg and read `payloads`."""

    def __init__(self, payloads: list[Path], log: Path) -> None:
        self.log = log
        with log.open("wb") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-c", PUBLISHER, *map(str, payloads)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, cwd=PROJECT,
                bufsize=0)
        self.index = {path: i for i, path in enumerate(payloads)}
        assert self.ask("", timeout=120) == "ready", self.errors()

    def ask(self, command: str, timeout: float) -> str:
        """Send a command (none: only read) and read its one-line answer."""
        assert self.process.stdin is not None and self.process.stdout is not None
        if command:
            self.process.stdin.write(command.encode() + b"\n")
        readable, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert readable, f"the publisher did not answer {command!r} in {timeout} s"
        return self.process.stdout.readline().decode().strip()

    def start(self, location: Path, rounds: int, first: Path) -> Child:
        """A child publishing `rounds` releases to `location`, the payloads in turn from
        `first`."""
        command = f"publish {rounds} {self.index[first]} {location}"
        return Child(self, int(self.ask(command, timeout=60)))

    def errors(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Child:
    """One forked publish, with the parts of Popen the tests use."""

    def __init__(self, publisher: Publisher, pid: int) -> None:
        self.publisher, self.pid = publisher, pid
        self.returncode: int | None = None

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)  # not yet reaped: at worst a zombie gets the signal

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def poll(self) -> int | None:
        if self.returncode is None:
            answer = self.publisher.ask(f"poll {self.pid}", timeout=60)
            self.returncode = None if answer == "running" else int(answer)
        return self.returncode

    def wait(self, timeout: float) -> int:
        if self.returncode is None:
            self.returncode = int(self.publisher.ask(f"wait {self.pid}", timeout=timeout))
        return self.returncode


def content_version(store: EmbeddedStore) -> str:
    """The version the store's content would get: the hash `kg build` puts in the manifest."""
    return dataset_version({
        name: store.read_graph(name) for name in store.named_graphs()
    })


def check_current(location: Path, allowed: set[str]) -> str:
    """Open `current` as a server does; its version is allowed and names its content."""
    store = EmbeddedStore.open(location, in_memory=True)
    assert store.version in allowed
    assert content_version(store) == store.version
    return store.version


@pytest.fixture(scope="module")
def changed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real data with one value changed (so its version differs)."""
    changed = tmp_path_factory.mktemp("changed") / "data"
    shutil.copytree(DEFAULT_DATA_DIR, changed)
    path = changed / "facts" / "002.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    claim(content, "t-childcare-places-per-1000")["value"] = 4.6
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), "utf-8")
    return changed


def write_payload(folder: Path, graphs: dict[str, bytes], manifest: dict[str, object]) -> Path:
    """One release as a publish payload file named by its version."""
    target = folder / f"{manifest['version']}.json"
    target.write_text(json.dumps({"graphs": {k: v.decode() for k, v in graphs.items()},
                                  "manifest": manifest}), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def versions(built_store: tuple[Path, object], changed_data: Path) -> set[str]:
    """The versions `kg build` makes of the real data (the session's built store) and of
    the data with one value changed."""
    real = EmbeddedStore.open(built_store[0]).version
    changed = dataset_version(build_graphs(changed_data).serialised())
    assert changed != real
    return {real, changed}


@pytest.fixture(scope="module")
def small_payloads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two small releases as publish payloads by version: the claims fixture's data under
    two base IRIs. The publish steps that are killed or switched write these (the same
    code path as the real data's, a fraction of its bytes, so each check is quick)."""
    folder = tmp_path_factory.mktemp("small-payloads")
    out = {}
    for base in ("https://example.org/kg-a/", "https://example.org/kg-b/"):
        built = build_graphs(SMALL_DATA, SMALL_SEEDS, base)
        graphs = built.serialised()
        version = dataset_version(graphs)
        out[version] = write_payload(folder, graphs, {"version": version, "base_iri": base})
    assert len(out) == 2
    return out


@pytest.fixture
def location(built_store: tuple[Path, object], tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(built_store[0], target, symlinks=True)
    return target


def release_folders(location: Path) -> set[Path]:
    return {p for p in (location / "releases").iterdir() if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def publisher(small_payloads: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Publisher]:
    log = tmp_path_factory.mktemp("publisher") / "publisher.log"
    running = Publisher(sorted(small_payloads.values()), log)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def small_location(small_payloads: dict[str, Path], publisher: Publisher, tmp_path: Path
                   ) -> Path:
    """A store whose one release is the first small payload (published, not killed)."""
    target = tmp_path / "small-store"
    first = sorted(small_payloads.values())[0]
    assert publisher.start(target, 1, first).wait(timeout=120) == 0, publisher.errors()
    return target


def test_killed_publish_leaves_a_whole_release(small_location: Path,
                                               small_payloads: dict[str, Path],
                                               publisher: Publisher) -> None:
    """20 publish steps SIGKILLed at seeded random points: `current` is always one whole release."""
    location, payloads = small_location, small_payloads
    versions = set(payloads)
    current = check_current(location, versions)
    durations = []  # how long a publish writes, once started: kills are spread over it
    for _ in range(2):
        other = next(v for v in versions if v != current)
        child = publisher.start(location, 1, payloads[other])
        ready = time.perf_counter()
        assert child.wait(timeout=120) == 0, publisher.errors()
        durations.append(time.perf_counter() - ready)
        current = check_current(location, {other})
    duration = min(durations)
    rng = random.Random(8)
    outcomes = {"killed, previous kept": 0, "new release complete": 0}
    for _ in range(RUNS):
        other = next(v for v in versions if v != current)
        child = publisher.start(location, 1, payloads[other])
        time.sleep(rng.uniform(0, duration))
        child.send_signal(signal.SIGKILL)
        killed = child.wait(timeout=60) == -signal.SIGKILL
        after = check_current(location, {current, other})
        if killed and after == current:
            outcomes["killed, previous kept"] += 1
        elif after == other:
            outcomes["new release complete"] += 1
        current = after
    print(f"\n{RUNS} SIGKILLed publishes (window {duration:.2f}s): {outcomes}")
    assert outcomes["killed, previous kept"] >= RUNS // 4
    other = next(v for v in versions if v != current)
    assert publisher.start(location, 1, payloads[other]).wait(timeout=120) == 0, publisher.errors()
    assert check_current(location, {other}) == other
    assert len(list((location / "releases").iterdir())) <= KEEP_RELEASES


@pytest.mark.parametrize("seed", [1])
def test_killed_kg_build_keeps_the_store(location: Path, versions: set[str],
                                         changed_data: Path, seed: int) -> None:
    """The real command, SIGKILLed once its new release folder appears (while it writes)."""
    before = check_current(location, versions)
    releases = release_folders(location)
    build = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", "--data-dir",
                              str(changed_data), "--location", str(location)], cwd=PROJECT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while build.poll() is None and release_folders(location) == releases:
        time.sleep(0.002)
    time.sleep(random.Random(seed).uniform(0, 0.3))
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=60)
    killed = build.returncode == -signal.SIGKILL
    after = check_current(location, versions)
    print(f"\nkg build {'killed' if killed else 'finished'}; current: "
          f"{'previous' if after == before else 'new'} release")


def test_reader_never_sees_a_mix_of_releases(small_location: Path,
                                             small_payloads: dict[str, Path],
                                             publisher: Publisher) -> None:
    """Readers open the store over and over while releases are switched back and forth."""
    location, payloads = small_location, small_payloads
    versions = set(payloads)
    writer = publisher.start(location, SWITCHES, sorted(payloads.values())[0])
    seen: list[str] = []
    try:
        while writer.poll() is None:
            seen.append(check_current(location, versions))
    finally:
        writer.kill()
        writer.wait(timeout=60)
    assert writer.returncode == 0, publisher.errors()
    switches = sum(a != b for a, b in itertools.pairwise(seen))
    print(f"\n{len(seen)} reads during {SWITCHES} switches; {switches} changes of version seen")
    assert len(set(seen)) == 2


# ---------------------------------------------------------------- full and read-only disks


@functools.cache
def can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(tempfile.gettempdir()) / f"kg-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                        capture_output=True, check=False).returncode == 0
    if ok:
        subprocess.run(["umount", str(probe)], check=True)
    probe.rmdir()
    return ok


@contextmanager
def small_disk(folder: Path, size: int) -> Iterator[None]:
    """A tmpfs of `size` bytes at folder (needs root), unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                   check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Folder read-only for writers: a read-only bind mount as root, else no write permission."""
    if can_mount():
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if not p.is_symlink()}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)


def run_kg_build(location: Path, data_dir: Path, limit_file_size: int | None = None
                 ) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_file_size is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([sys.executable, "-m", "kg.cli", "build", "--data-dir", str(data_dir),
                           "--location", str(location)], cwd=PROJECT, capture_output=True,
                          text=True, timeout=300, check=False, preexec_fn=limit)


def assert_refused_cleanly(done: subprocess.CompletedProcess[str], location: Path,
                           reason: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: cannot write the store at {location}: ")
    assert reason in lines[0]
    assert lines[0].endswith("(nothing was published; the current release is unchanged)")


def test_full_disk_gives_a_clear_error_and_keeps_the_store(
    built_store: tuple[Path, object], tmp_path: Path, changed_data: Path
) -> None:
    """A disk with room for one release only (a real tmpfs; RLIMIT_FSIZE if not root)."""
    location = tmp_path / "disk"
    release = (built_store[0] / "current").resolve()
    size = sum(p.stat().st_size for p in release.rglob("*") if p.is_file())
    with small_disk(location, size * 3 // 2) if can_mount() else _nothing():
        shutil.copytree(built_store[0], location, symlinks=True, dirs_exist_ok=True)
        before = check_current(location, {EmbeddedStore.open(location).version})
        releases = sorted((location / "releases").iterdir())
        done = run_kg_build(location, changed_data, None if can_mount() else 64 * 1024)
        reason = "No space left on device" if can_mount() else "File too large"
        assert_refused_cleanly(done, location, reason)
        assert check_current(location, {before}) == before
        assert sorted((location / "releases").iterdir()) == releases


def test_read_only_location_gives_a_clear_error_and_keeps_the_store(
    location: Path, changed_data: Path
) -> None:
    before = check_current(location, {EmbeddedStore.open(location).version})
    with read_only(location):
        done = run_kg_build(location, changed_data)
        assert_refused_cleanly(done, location, "Read-only file system" if can_mount()
                               else "Permission denied")
        assert check_current(location, {before}) == before


@contextmanager
def _nothing() -> Iterator[None]:
    yield
