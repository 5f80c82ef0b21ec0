"""Releases of the embedded store: how `kg build` and `kg load` publish a new dataset.

A built store lives in a *location* folder (kg.store.embedded reads it)::

    <location>/current -> releases/<version>-<ns>/  (symlink, switched atomically)
    <location>/releases/<version>-<ns>/oxigraph/     (Oxigraph's files)
    <location>/releases/<version>-<ns>/manifest.json (version, base IRI, summary, statistics)
    <location>/releases/<version>-<ns>/index.sqlite  (search index and kind listings)

A release is written whole in a folder of its own (`new_release`), what the server would
otherwise read the whole graph for (search index, statistics) is derived from it once
(`derive_release`), then one atomic rename of a symlink makes it current (`switch_to`):
readers see the old release or the new one, never a mix, and a failure before the switch
leaves the old one in place. Older releases are pruned (`prune`), except those a serving
process holds open (`kg.store.embedded.lock_release`).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.derived_indexes import write_derived_indexes
from kg.search import INDEX_FILE, write_index
from kg.statistics import dataset_statistics
from kg.store import EmbeddedStore, GraphStore, StoreError
from kg.store.embedded import OXIGRAPH_FOLDER, in_use, write_graphs

#: Releases kept besides the current one (and any still being read).
KEEP_RELEASES = 2
#: Reasons a write fails that people can act on; Oxigraph reports them inside longer texts.
WRITE_FAILURES = tuple(os.strerror(code) for code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG,
                                                       errno.EROFS, errno.EACCES, errno.EPERM))


def publish(store: GraphStore, graphs: Mapping[str, bytes], manifest: Mapping[str, Any]) -> str:
    """Make these graphs (name -> N-Triples) the store's dataset: a new release of an
    embedded store, graph by graph on a server. Says where it went."""
    if isinstance(store, EmbeddedStore):
        store.reopen()
        return str(publish_release(store.location, graphs, dict(manifest)))
    return store.publish(graphs, manifest)


def publish_release(location: Path, graphs: Mapping[str, bytes],
                    manifest: dict[str, Any]) -> Path:
    """Write graphs (name -> N-Triples) as a new release and switch `current` to it.
    Raises StoreError naming the location (nothing published) when it cannot be written."""
    try:
        with new_release(location, manifest["version"]) as release:
            write_graphs(release / OXIGRAPH_FOLDER, graphs)
            switch_to(location, release, manifest)
    except OSError as exc:
        raise write_error(location, exc) from exc
    prune(location, keep=release)
    return release


@contextmanager
def new_release(location: Path, version: str) -> Iterator[Path]:
    """A fresh release folder for `version`, removed again if the block fails (or is
    interrupted) before the release is current."""
    releases = location / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    release = releases / f"{version}-{time.time_ns()}"
    release.mkdir()
    try:
        yield release
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise


def check_writable(location: Path) -> None:
    """Raise StoreError now if no release can be written at location (read-only, no access)."""
    try:
        releases = location / "releases"
        releases.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=releases, prefix=".probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise write_error(location, exc) from exc


def write_error(location: Path, exc: OSError) -> StoreError:
    reason = exc.strerror or next((r for r in WRITE_FAILURES if r in str(exc)), str(exc))
    return StoreError(f"cannot write the store at {location}: {reason} "
                      f"(nothing was published; the current release is unchanged)")


def switch_to(location: Path, release: Path, manifest: Mapping[str, Any]) -> None:
    """Derive what the release carries besides its graphs, write its manifest, then make
    it `current` with one atomic rename of a symlink: readers see either the old release
    or the new one, never a mix."""
    manifest = derive_release(release, manifest)
    (release / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    pending = location / f".current-{os.getpid()}"
    if pending.is_symlink():
        pending.unlink()
    pending.symlink_to(release.relative_to(location))
    os.replace(pending, location / "current")


def derive_release(release: Path, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Read the release's whole graph once, for the server not to: write its search index
    (kg.search) and add its statistics (kg.statistics) to the manifest."""
    store = EmbeddedStore.of_release(release, manifest)
    write_index(release / INDEX_FILE, store, store.base_iri)
    write_derived_indexes(release, store)
    return {**manifest, "statistics": dataset_statistics(store, store.base_iri)}


def prune(location: Path, keep: Path) -> None:
    """Remove all but the newest releases (`keep`, the one just made current, always stays;
    so does any release a serving process reads)."""
    try:
        ordered = sorted((location / "releases").iterdir(), key=lambda p: p.stat().st_mtime,
                         reverse=True)
    except OSError:
        return
    for old in ordered[KEEP_RELEASES:]:
        if old.name != keep.name and not in_use(old):
            shutil.rmtree(old, ignore_errors=True)
