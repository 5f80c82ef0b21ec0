"""Embedded Oxigraph: a built store on disk (opened read-only), or RDF files in memory.

A built store lives in a *location* folder::

    <location>/current -> releases/<version>/      (symlink, switched atomically)
    <location>/releases/<version>/oxigraph/        (Oxigraph's RocksDB files)
    <location>/releases/<version>/manifest.json    (version, base IRI, summary, statistics)
    <location>/releases/<version>/index.sqlite     (search index and kind listings)

so a failed build never touches the store that is being served. Every process
that serves it opens the same files read-only: no process holds a copy. What the
server would otherwise read the whole graph for (the search index, class counts,
graph sizes) is made once with the release, before it becomes current.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
)
from pyoxigraph import Literal as OxLiteral

from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS, GraphFormat, graph_format_for_path
from kg.namespaces import base_iri
from kg.query_errors import NotAcceptable, QuerySyntaxError
from kg.settings import PROJECT_ROOT
from kg.store.base import UNION, GraphStore, QueryDataset, Serialised, StoreError
from kg.store.convert import graph_as
from kg.store.terms import XSD, Row, Term

DEFAULT_LOCATION = PROJECT_ROOT / "var" / "kg"
KEEP_RELEASES = 2
#: Fewest bytes one solution (or triple) can take in each format: a serialisation
#: shorter than budget = max_rows x this cannot hold more than max_rows of them.
MIN_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 1, "nt": 8, "nq": 8}
DEFAULT_MIN_ROW_BYTES = 2
DEFAULT_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

Result = QuerySolutions | QueryBoolean | QueryTriples


class EmbeddedStore(GraphStore):
    """An Oxigraph store in this process."""

    embedded = True

    def __init__(self, location: Path | None = None, *, store: Store | None = None,
                 manifest: Mapping[str, Any] | None = None) -> None:
        self.location = Path(location or DEFAULT_LOCATION)
        self._store = store
        self._manifest = manifest
        self._release_lock: int | None = None
        """A shared lock on the open release, so that builds do not prune it under us."""
        self.release: Path | None = None
        """The release folder this store reads (None for files in memory)."""

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, location: Path | None = None, *, in_memory: bool = False) -> EmbeddedStore:
        """The current release of a built store, opened read-only (StoreError if none), or
        copied into memory (a snapshot that later builds cannot touch)."""
        store = cls(location)
        disk = store.oxigraph  # fail now, for people, rather than on the first query
        if in_memory:
            memory = Store()
            memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
            store._store = memory
            store.close()
        return store

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
        return cls(store=store, manifest={"version": version, "files": names})

    @property
    def oxigraph(self) -> Store:
        """The Oxigraph store, opened read-only on first use.

        The `current` link is resolved once, so the version and the content come from
        one release even while a build switches the link; if a build prunes that
        release before it is opened, the new current one is opened instead.
        """
        if self._store is None:
            for _attempt in range(3):
                release = current_release(self.location)
                try:
                    lock = _lock_release(release)
                    manifest = json.loads((release / "manifest.json").read_text(
                        encoding="utf-8"))
                    store = Store.read_only(str(release / "oxigraph"))
                    break
                except (OSError, ValueError) as exc:
                    if current_release(self.location) == release:
                        raise StoreError(f"the store at {self.location} cannot be opened "
                                         f"(release {release.name}): {exc}") from exc
            else:  # pragma: no cover - three builds finished while one store was being opened
                raise StoreError(f"the store at {self.location} changed while it was being "
                                 "opened; retry")
            self._manifest, self._store, self._release_lock = manifest, store, lock
            self.release = release
        return self._store

    @property
    def manifest(self) -> Mapping[str, Any]:
        if self._manifest is None:
            self.oxigraph  # noqa: B018
        return self._manifest or {}

    # ------------------------------------------------------------ reading

    def _query(self, sparql: str, dataset: QueryDataset, prefixes: Mapping[str, str] | None,
               base_iri: str | None = None) -> Result:
        kwargs: dict[str, Any] = {"base_iri": base_iri}
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        if dataset.explicit:
            kwargs["default_graph"] = [NamedNode(g) for g in dataset.default_graphs or ()]
            kwargs["named_graphs"] = [NamedNode(g) for g in dataset.named_graphs or ()]
        elif dataset.union and not dataset.from_text:
            kwargs["use_default_graph_as_union"] = True
        try:
            return self.oxigraph.query(sparql, **kwargs)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None

    def select(self, sparql: str, *, dataset: QueryDataset = UNION,
               prefixes: Mapping[str, str] | None = None,
               base_iri: str | None = None) -> list[Row]:
        result = self._query(sparql, dataset, prefixes, base_iri)
        assert isinstance(result, QuerySolutions)
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                node = solution[name]
                if node is not None:
                    row[name] = _term(node)
            rows.append(row)
        return rows

    def ask(self, sparql: str, *, dataset: QueryDataset = UNION,
            prefixes: Mapping[str, str] | None = None) -> bool:
        result = self._query(sparql, dataset, prefixes)
        assert isinstance(result, QueryBoolean)
        return bool(result)

    def answer(self, sparql: str, *, results_format: str | None, graph_format: str | None,
               dataset: QueryDataset = UNION, prefixes: Mapping[str, str] | None = None,
               base_iri: str | None = None, max_rows: int | None = None,
               timeout: float | None = None) -> Serialised:
        """Serialised by Oxigraph, cut at max_rows without evaluating further (there is no
        time-out here: the service runs this in a worker it can kill)."""

        def execute() -> Result:
            return self._query(sparql, dataset, prefixes, base_iri)

        result = execute()
        if isinstance(result, QueryBoolean):
            fmt = _wanted(results_format, "results")
            return Serialised("boolean", fmt,
                              result.serialize(format=RESULTS_FORMATS[fmt].oxigraph))
        if isinstance(result, QuerySolutions):
            fmt = _wanted(results_format, "results")
            body, cut = _capped(result, execute, fmt, RESULTS_FORMATS[fmt].oxigraph, max_rows,
                                _solutions_exact)
            return Serialised("solutions", fmt, body, cut)
        fmt = _wanted(graph_format, "graph")
        oxi = GRAPH_FORMATS[fmt].oxigraph
        body, cut = _capped(result, execute, fmt, oxi, max_rows, _triples_exact)
        return Serialised("graph", fmt, body, cut)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.oxigraph.named_graphs() if isinstance(g, NamedNode))

    def read_graph(self, name: str) -> bytes:
        return self.oxigraph.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(name)) or b""

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph (and the default graph, as '', if it has
        any), counted by Oxigraph."""
        sizes = super().graph_sizes()
        default = self.select(DEFAULT_GRAPH_SIZE, dataset=QueryDataset(union=False))
        if count := int(default[0]["n"].value):
            sizes[""] = count
        return sizes

    def dump(self, fmt: GraphFormat) -> bytes:
        """The whole dataset; triple formats get the union of all graphs."""
        if fmt.quads:
            return self.oxigraph.dump(format=fmt.oxigraph) or b""
        union = Store()
        union.bulk_extend(
            Quad(q.subject, q.predicate, q.object, DefaultGraph())
            for q in self.oxigraph.quads_for_pattern(None, None, None, None)
        )
        return union.dump(format=fmt.oxigraph, from_graph=DefaultGraph()) or b""

    # ------------------------------------------------------------ writing

    def replace_graph(self, name: str, ntriples: bytes) -> None:
        raise StoreError("a built store is replaced as a whole release (kg build), "
                         "not one graph at a time")

    def close(self) -> None:
        """Let go of the release's lock (a build may prune it once nobody reads it)."""
        if self._release_lock is not None:
            os.close(self._release_lock)
            self._release_lock = None

    def publish(self, graphs: Mapping[str, bytes], manifest: Mapping[str, Any]) -> str:
        self.close()
        self._store = None
        self._manifest = None
        return str(publish_release(self.location, graphs, dict(manifest)))


def _term(node: Any) -> Term:
    if isinstance(node, NamedNode):
        return Term("iri", node.value)
    if isinstance(node, BlankNode):
        return Term("bnode", node.value)
    assert isinstance(node, OxLiteral)
    datatype = node.datatype.value
    return Term("literal", node.value, node.language,
                None if node.language or datatype == XSD + "string" else datatype)


def _wanted(fmt: str | None, kind: str) -> str:
    if fmt is None:
        raise NotAcceptable(kind)
    return fmt


# ---------------------------------------------------------------- answers cut at a row cap


class _StoppingSink:
    """A write target that stops the serialiser past a byte budget or a number of lines.

    Oxigraph evaluates lazily as it serialises, so raising here stops the query
    itself: a capped answer costs about cap + 1 rows of work, not the whole result."""

    def __init__(self, *, max_bytes: int | None = None, max_lines: int | None = None) -> None:
        self.parts: list[bytes] = []
        self.size = self.lines = 0
        self.max_bytes, self.max_lines = max_bytes, max_lines
        self.overflow = False

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        self.lines += data.count(b"\n")
        if (self.max_bytes is not None and self.size > self.max_bytes) or (
                self.max_lines is not None and self.lines >= self.max_lines):
            self.overflow = True
            raise OSError("answer limit reached")
        return len(data)

    def flush(self) -> None:
        pass

    def serialize(self, result: Result, oxi: Any) -> bool:
        """Serialise into this sink; True if it stopped at its limit."""
        try:
            result.serialize(self, format=oxi)  # type: ignore[union-attr]
        except OSError:
            if not self.overflow:
                raise
        return self.overflow

    def first_lines(self, count: int) -> bytes:
        return b"\n".join(b"".join(self.parts).split(b"\n", count)[:count]) + b"\n"


Exact = Callable[[Result, str, Any, int], tuple[bytes, bool]]


def _capped(result: Result, execute: Callable[[], Result], fmt: str, oxi: Any,
            max_rows: int | None, exact: Exact) -> tuple[bytes, bool]:
    """Serialise directly when the answer is provably within max_rows, else count exactly.

    Small answers (the usual case) are serialised once, straight into the wanted
    format. An answer whose bytes could hold more rows than allowed is run again
    and serialised in a line-per-row format, where rows are counted and cut
    without parsing, then converted by Oxigraph.
    """
    if max_rows is None:
        return result.serialize(format=oxi) or b"", False  # type: ignore[union-attr]
    sink = _StoppingSink(max_bytes=max_rows * MIN_ROW_BYTES.get(fmt, DEFAULT_MIN_ROW_BYTES))
    if not sink.serialize(result, oxi):
        return b"".join(sink.parts), False
    return exact(execute(), fmt, oxi, max_rows)


def _first_rows(result: Result, oxi: Any, rows: int, header: int) -> tuple[bytes, bool]:
    """The first `rows` rows in a line-per-row format (after `header` lines), and whether
    more were left out; evaluation stops at the row after them."""
    sink = _StoppingSink(max_lines=header + rows + 1)
    if not sink.serialize(result, oxi):
        return b"".join(sink.parts), False
    return sink.first_lines(header + rows), True


def _solutions_exact(result: Result, fmt: str, oxi: Any, max_rows: int) -> tuple[bytes, bool]:
    from pyoxigraph import parse_query_results

    tsv, truncated = _first_rows(result, QueryResultsFormat.TSV, max_rows, header=1)
    if fmt == "tsv":
        return tsv, truncated
    return parse_query_results(tsv, format=QueryResultsFormat.TSV).serialize(format=oxi), truncated


def _triples_exact(result: Result, fmt: str, oxi: Any, max_rows: int) -> tuple[bytes, bool]:
    nt, truncated = _first_rows(result, RdfFormat.N_TRIPLES, max_rows, header=0)
    return graph_as(nt, GRAPH_FORMATS[fmt]), truncated


# ---------------------------------------------------------------- releases


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
        switch_to(location, release, manifest)
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    return release


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
    from kg.derived_indexes import write_derived_indexes
    from kg.search import INDEX_FILE, write_index  # these read through this module
    from kg.statistics import dataset_statistics

    base = str(manifest.get("base_iri") or base_iri())
    store = EmbeddedStore(store=Store.read_only(str(release / "oxigraph")), manifest=manifest)
    write_index(release / INDEX_FILE, store, base)
    write_derived_indexes(release, store.oxigraph)
    return {**manifest, "statistics": dataset_statistics(store, base)}


def _prune(releases: Path, keep: set[str]) -> None:
    """Remove all but the newest releases (the current one is always kept)."""
    try:
        ordered = sorted(releases.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in ordered[KEEP_RELEASES:]:
        if old.name not in keep and not _in_use(old):
            shutil.rmtree(old, ignore_errors=True)


def _lock_release(release: Path) -> int:
    """Hold a shared lock on a release for as long as this process reads it (the
    descriptor stays open; the lock goes with the process)."""
    fd = os.open(release / "manifest.json", os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def _in_use(release: Path) -> bool:
    """Whether a serving process holds the release open (then it is not pruned)."""
    try:
        fd = os.open(release / "manifest.json", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
