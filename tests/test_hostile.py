"""A hostile corpus against a real `kg serve`: nothing reaches outside, nothing changes.

Every request below is sent to a real server on 127.0.0.1 while a listening socket
(the "attacker's server" the requests point at) counts connections: it must see
none. No request may get a 5xx other than a 503 from a limit (time or memory); a health
query is answered while each one is in flight; the dataset is the same at the end.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_corpus import Hostile, Listener, corpus, send
from servers import serving

from kg.build import BuildSummary
from kg.formats import GRAPH_FORMATS
from kg.store import EmbeddedStore

CORPUS = corpus()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


@pytest.fixture(scope="module")
def hostile_server(built_store: tuple[Path, BuildSummary],
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("hostile") / "kg.log"
    with serving("--location", str(built_store[0]), "--workers", "2", "--timeout", "2",
                 log=log) as url:
        yield url


def dataset_digest(location: Path) -> str:
    """A digest of the published store's content (canonical: sorted N-Quads lines)."""
    dump = EmbeddedStore.open(location).dump(GRAPH_FORMATS["nq"])
    return hashlib.sha256(b"\n".join(sorted(dump.splitlines()))).hexdigest()


def test_the_corpus_is_large_and_distinct() -> None:
    assert len(CORPUS) >= 80
    assert len({item.name for item in CORPUS}) == len(CORPUS)


def test_hostile_corpus_reaches_nothing_and_changes_nothing(
        hostile_server: str, listener: Listener,
        built_store: tuple[Path, BuildSummary]) -> None:
    location = built_store[0]
    before = dataset_digest(location)
    health = ("SELECT (COUNT(*) AS ?n) WHERE "
              "{ ?s a <https://w3id.org/cn-health-kg/ontology#Person> }")
    failures, health_seconds = [], []
    with httpx.Client(timeout=30) as client, httpx.Client(timeout=30) as prober:
        expected_people = prober.get(f"{hostile_server}/sparql", params={"query": health}).json()
        for item in CORPUS:
            outcome: dict[str, httpx.Response | BaseException] = {}

            def attack(item: Hostile = item, outcome: dict = outcome) -> None:
                try:
                    outcome["response"] = send(client, hostile_server, item, listener.port)
                except BaseException as error:  # reported below, with the item's name
                    outcome["response"] = error

            thread = threading.Thread(target=attack)
            thread.start()
            time.sleep(0.05)
            started = time.monotonic()
            probe = prober.get(f"{hostile_server}/sparql", params={"query": health})
            health_seconds.append(time.monotonic() - started)
            thread.join(timeout=60)
            response = outcome.get("response")
            if probe.status_code != 200 or probe.json() != expected_people:
                failures.append(f"{item.name}: health query answered {probe.status_code}")
            if not isinstance(response, httpx.Response):
                failures.append(f"{item.name}: no response ({response!r})")
                continue
            # a query stopped by a limit (its time, or its worker's memory) is a 503 by design
            timed_out = response.status_code == 503 and (
                "time" in response.text or '"limit": "memory"' in response.text)
            if response.status_code >= 500 and not timed_out:
                failures.append(f"{item.name}: {response.status_code} {response.text[:200]}")
            elif response.status_code not in item.expect and not timed_out:
                failures.append(f"{item.name}: {response.status_code} (expected {item.expect}) "
                                f"{response.text[:200]}")
            if listener.connections:
                failures.append(f"{item.name}: the listener received a connection")
                listener.connections = 0
    print(f"\nhostile corpus: {len(CORPUS)} requests; health query while each ran: "
          f"median {sorted(health_seconds)[len(health_seconds) // 2] * 1000:.0f} ms, "
          f"max {max(health_seconds) * 1000:.0f} ms")
    assert not failures, "\n".join(failures)
    assert listener.connections == 0
    assert dataset_digest(location) == before


def test_a_sandboxed_process_cannot_connect_even_when_asked_directly(listener: Listener) -> None:
    """The worker's own sandbox, then a TCP connection and an Oxigraph SERVICE call made
    directly (no policy check on the way): both fail, the listener sees nothing."""
    import subprocess
    import sys

    code = (
        "import socket, pyoxigraph\n"
        "from kg.service.sandbox import forbid_network\n"
        "forbid_network()\n"
        "for attempt in (\n"
        f"    lambda: socket.create_connection(('127.0.0.1', {listener.port}), timeout=2),\n"
        f"    lambda: list(pyoxigraph.Store().query('SELECT * WHERE {{ SERVICE "
        f"<http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}')),\n"
        "    lambda: socket.socket(socket.AF_UNIX),\n"
        "    lambda: socket.socketpair(),\n"
        "):\n"
        "    try:\n"
        "        attempt()\n"
        "        print('REACHED')\n"
        "    except OSError as error:\n"
        "        print('refused' if 'denied' in str(error) else error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.split("\n")[:4] == ["refused"] * 4, done.stdout + done.stderr
    time.sleep(0.3)
    assert listener.connections == 0
