"""The store behind one small interface: embedded Oxigraph (on disk or in memory).

Everything that reads or writes triples goes through here. A built store lives in
a *location* folder::

    <location>/current -> releases/<version>/      (symlink, switched atomically)
    <location>/releases/<version>/oxigraph/        (Oxigraph's RocksDB files)
    <location>/releases/<version>/manifest.json    (version, base IRI, summary)

so a failed build never touches the store that is being served.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    Variable,
)

from kg.errors import KgError
from kg.formats import GRAPH_FORMATS, GraphFormat, graph_format_for_path
from kg.sources import PROJECT_ROOT

DEFAULT_LOCATION = PROJECT_ROOT / "var" / "kg"
KEEP_RELEASES = 2

QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class StoreError(KgError):
    """The store cannot be opened or written."""


class GraphStore(Protocol):
    """What the CLI and the service need from a store (embedded or remote)."""

    version: str
    manifest: Mapping[str, Any]

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Any] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default_graph: bool = True,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult: ...

    def quads(self, subject: Any = None, predicate: Any = None, object: Any = None,
              graph: Any = None) -> Iterator[Quad]: ...

    def named_graphs(self) -> list[str]: ...

    def dump(self, fmt: GraphFormat) -> bytes: ...

    def graph_sizes(self) -> dict[str, int]: ...


class EmbeddedStore:
    """An Oxigraph store in this process; the default graph is the union of all graphs."""

    def __init__(self, store: Store, version: str, manifest: Mapping[str, Any]) -> None:
        self.store = store
        self.version = version
        self.manifest = manifest

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, location: Path | None = None, *, in_memory: bool = False) -> EmbeddedStore:
        """Open the current release of a built store, read-only (or copied into memory).

        The `current` link is resolved once, so the version and the content come from
        one release even while a build switches the link; if a build prunes that
        release before it is opened, the new current one is opened instead.
        """
        for _attempt in range(3):
            release = current_release(location)
            try:
                manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
                disk = Store.read_only(str(release / "oxigraph"))
                break
            except (OSError, ValueError) as exc:
                if current_release(location) == release:
                    raise StoreError(f"the store at {Path(location or DEFAULT_LOCATION)} cannot "
                                     f"be opened (release {release.name}): {exc}") from exc
        else:  # pragma: no cover - three builds finished while one store was being opened
            raise StoreError(f"the store at {location} changed while it was being opened; retry")
        if not in_memory:
            return cls(disk, manifest["version"], manifest)
        memory = Store()
        memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
        return cls(memory, manifest["version"], manifest)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> EmbeddedStore:
        """An in-memory dataset of RDF files; triples files go to the default graph."""
        store = Store()
        digest = hashlib.sha256()
        names = []
        for path in paths:
            try:
                fmt = graph_format_for_path(str(path))
                data = Path(path).read_bytes()
                store.load(data, format=fmt.oxigraph, base_iri=Path(path).resolve().as_uri())
            except (OSError, ValueError, SyntaxError) as exc:
                raise StoreError(f"{path}: cannot load: {exc}") from exc
            digest.update(data)
            names.append(str(path))
        version = digest.hexdigest()[:16]
        return cls(store, version, {"version": version, "files": names})

    # ------------------------------------------------------------ reading

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Any] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default_graph: bool = True,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (raises SyntaxError with the parser's message).

        Explicit graphs (the protocol's default-graph-uri / named-graph-uri) replace
        the dataset; otherwise the default graph is the union of all graphs unless
        `union_default_graph` is false (then it is the store's own default graph).
        """
        kwargs: dict[str, Any] = {"base_iri": base_iri}
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        if substitutions:
            kwargs["substitutions"] = {Variable(k): v for k, v in substitutions.items()}
        if default_graphs is not None or named_graphs is not None:
            kwargs["default_graph"] = [NamedNode(g) for g in default_graphs or ()]
            kwargs["named_graphs"] = [NamedNode(g) for g in named_graphs or ()]
        elif union_default_graph:
            kwargs["use_default_graph_as_union"] = True
        return self.store.query(sparql, **kwargs)

    def quads(self, subject: Any = None, predicate: Any = None, object: Any = None,
              graph: Any = None) -> Iterator[Quad]:
        """Quads matching a pattern (None matches anything) in any graph."""
        return self.store.quads_for_pattern(subject, predicate, object, graph)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, NamedNode))

    def dump(self, fmt: GraphFormat) -> bytes:
        """The whole dataset; triple formats get the union of all graphs."""
        if fmt.quads:
            return self.store.dump(format=fmt.oxigraph)
        union = Store()
        union.bulk_extend(
            Quad(q.subject, q.predicate, q.object, DefaultGraph())
            for q in self.store.quads_for_pattern(None, None, None, None)
        )
        return union.dump(format=fmt.oxigraph, from_graph=DefaultGraph())

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph (and the default graph, as '')."""
        sizes: dict[str, int] = {}
        for quad in self.store.quads_for_pattern(None, None, None, None):
            name = "" if isinstance(quad.graph_name, DefaultGraph) else quad.graph_name.value
            sizes[name] = sizes.get(name, 0) + 1
        return sizes


# ---------------------------------------------------------------- writing


def current_release(location: Path | None = None) -> Path:
    """The release folder the `current` link points to."""
    location = Path(location or DEFAULT_LOCATION)
    link = location / "current"
    if link.is_symlink() and not link.exists():
        raise StoreError(f"the store at {location} is damaged: `current` points to a missing "
                         f"release (run `kg build` again)")
    if not link.exists():
        raise StoreError(f"no built store at {location} (run `kg build` first)")
    return link.resolve()


def publish_release(
    location: Path | None,
    graphs: Mapping[str, bytes],
    manifest: dict[str, Any],
) -> Path:
    """Write graphs (name -> N-Triples) as a new release and switch `current` to it.

    The switch is one atomic rename of a symlink: readers see either the old or
    the new release, and any failure before it (a full disk, a read-only folder, a
    kill) leaves the old one in place. Raises StoreError naming the location.
    """
    location = Path(location or DEFAULT_LOCATION)
    try:
        release = _write_release(location, graphs, manifest)
    except OSError as exc:
        raise _write_error(location, exc) from exc
    _prune(location / "releases", keep={release.name})
    return release


def check_writable(location: Path | None) -> None:
    """Raise StoreError now if no release can be written at location (read-only, no access)."""
    location = Path(location or DEFAULT_LOCATION)
    try:
        releases = location / "releases"
        releases.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=releases, prefix=".probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise _write_error(location, exc) from exc


#: Reasons a write fails that people can act on; Oxigraph reports them inside longer texts.
WRITE_FAILURES = tuple(os.strerror(code) for code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG,
                                                       errno.EROFS, errno.EACCES, errno.EPERM))


def _write_error(location: Path, exc: OSError) -> StoreError:
    reason = exc.strerror or next((r for r in WRITE_FAILURES if r in str(exc)), str(exc))
    return StoreError(f"cannot write the store at {location}: {reason} "
                      f"(nothing was published; the current release is unchanged)")


def _write_release(location: Path, graphs: Mapping[str, bytes], manifest: dict[str, Any]) -> Path:
    releases = location / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    release = releases / f"{manifest['version']}-{time.time_ns()}"
    try:
        release.mkdir()
        store = Store(str(release / "oxigraph"))
        for name, ntriples in graphs.items():
            store.bulk_load(ntriples, format=GRAPH_FORMATS["nt"].oxigraph, to_graph=NamedNode(name))
        store.flush()
        store.optimize()
        del store
        (release / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        pending = location / f".current-{os.getpid()}"
        if pending.is_symlink():
            pending.unlink()
        pending.symlink_to(release.relative_to(location))
        os.replace(pending, location / "current")
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    return release


def _prune(releases: Path, keep: set[str]) -> None:
    """Remove all but the newest releases (the current one is always kept)."""
    try:
        ordered = sorted(releases.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in ordered[KEEP_RELEASES:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
