"""Every setting in one object, each overridable by a KG_* environment variable.

Built once per process, by the command line (`kg.cli.settings_from`) or by whoever
makes the service, and passed down: nothing else reads the environment. Command-line
options override the environment (`Settings.with_options`), which overrides the
defaults here. A library function called without a value falls back to the same
defaults (the constants below), never to the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The checkout (pyproject.toml, data/, queries/, ontology/, shapes/), two folders above this file.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LOCATION = PROJECT_ROOT / "var" / "kg"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_QUERIES_DIR = PROJECT_ROOT / "queries"
DEFAULT_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
#: Time limit of one query, in seconds (the only one: see `Settings.timeout`).
DEFAULT_TIMEOUT = 10.0
#: Default base of every data IRI (entities, claims, graphs); override with KG_BASE_IRI.
DEFAULT_BASE_IRI = "https://w3id.org/cn-health-kg/"


class Settings(BaseSettings):
    """Where the data is, which store serves it, and the service's limits."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore", frozen=True)

    location: Path = Field(DEFAULT_LOCATION, description="Folder of the built embedded store.")
    base_iri: str = Field(DEFAULT_BASE_IRI, description="Base of data IRIs.")
    seeds: Path = Field(DEFAULT_SEEDS, description="Folder of the seed articles.")
    corpus: Path = Field(DEFAULT_CORPUS, description="Folder of the later source articles "
                         "(looked up after the seeds).")
    data_dir: Path = Field(DEFAULT_DATA_DIR, description="Curated data folder.")
    queries_dir: Path = Field(DEFAULT_QUERIES_DIR, description="Saved queries folder.")
    store_url: str | None = Field(None, description="SPARQL 1.1 query endpoint of an external "
                                  "server; unset: the embedded store at `location`.")
    gsp_url: str | None = Field(None, description="Graph Store Protocol endpoint of that server "
                                "(for `kg push`).")
    store_union_default_graph: bool = Field(
        False, description="That server's default graph already is the union of the "
        "project's graphs (`oxigraph serve --union-default-graph`, Fuseki's "
        "`unionDefaultGraph`): queries are sent without every graph listed in each request.")
    store_user: str | None = Field(None, description="User for writing graphs to that server "
                                   "(HTTP digest or basic, as the server asks).")
    store_password: str | None = Field(None, description="That user's password.")
    timeout: float = Field(DEFAULT_TIMEOUT, gt=0, description="Time limit of one query, in "
                           "seconds: a SPARQL request, a saved query, a query worker's run, "
                           "and all the store reads of one page (the service's one limit).")
    workers: int | None = Field(None, ge=1, description="Query worker processes "
                                "(unset: CPU count, at least 2).")
    max_rows: int = Field(50_000, ge=1, description="Most solutions or triples per answer.")
    max_request_bytes: int = Field(1_000_000, ge=1, description="Largest query text.")
    cache_bytes: int = Field(64 * 2**20, ge=0, description="Saved-query answers kept.")
    client_queries: int | None = Field(
        None, ge=1, description="Query workers one client (remote address) may hold while "
        "another client waits; beyond it a worker is only borrowed, and given back (its query "
        "answered 503) when another client needs it (unset: half the workers, at least 1).")
    worker_memory: int = Field(2 * 2**30, ge=64 * 2**20, description="Private memory "
                               "(RLIMIT_DATA) of one query worker, in bytes; a query that "
                               "needs more is stopped (503, memory limit).")
    max_connections: int = Field(1000, ge=8, description="Open HTTP connections; beyond it "
                                 "the connection waiting longest for its request head is "
                                 "closed (or the new one refused with 503).")
    header_timeout: float = Field(10.0, gt=0, description="Seconds a client has to send a "
                                  "whole request head (line and headers); then 408 and close.")
    body_timeout: float = Field(30.0, gt=0, description="Seconds a client has to send a "
                                "request body once its head is in; then the connection closes.")
    keep_alive: float = Field(5.0, gt=0, description="Seconds an idle keep-alive connection "
                              "is kept open.")
    max_header_bytes: int = Field(64 * 1024, ge=4096, description="Largest request head "
                                  "(request line and headers), in bytes; more is 431.")
    max_headers: int = Field(100, ge=8, description="Most header fields in one request; "
                             "more is 431.")

    def with_options(self, **options: Any) -> Settings:
        """These settings with the command-line options that were given (None: not given)."""
        given = {k: v for k, v in options.items() if v is not None}
        return self.model_validate({**self.model_dump(), **given}) if given else self

    @property
    def base(self) -> str:
        """The base IRI ending in / or #."""
        return normalise_base(self.base_iri)

    @property
    def worker_count(self) -> int:
        import os

        return self.workers or max(2, os.cpu_count() or 2)


def normalise_base(base: str | None) -> str:
    """A base IRI (None: the default) ending in / or #."""
    base = base or DEFAULT_BASE_IRI
    return base if base.endswith(("/", "#")) else base + "/"


def client_share(client_queries: int | None, workers: int) -> int:
    """Workers one client may hold while another waits: `client_queries`, else half."""
    return client_queries or max(1, workers // 2)
