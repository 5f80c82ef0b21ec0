"""A real `kg serve` on 127.0.0.1 against its own OpenAPI document (schemathesis, every
check, 0 failures), and a kept-alive connection that stays usable after every kind of error."""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest

TESTS = Path(__file__).parent
#: seconds before a schemathesis run that hangs is stopped (the sample takes ~45 s on 2 busy
#: cores, the exhaustive run ~1.5 minutes)
SCHEMATHESIS_DEADLINE = 1800
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def server(kg_server: str) -> str:
    """The session's `kg serve` (tests/conftest.py): the default time limit (10 s), which a
    generated request must not hit under load."""
    return kg_server


def run_schemathesis(server: str, tmp_path: Path, config: str, *options: str) -> str:
    """schemathesis with every check against the server's /openapi.json; its output, after
    asserting it passed and selected every operation of the document."""
    run = subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "--config-file",
         str(TESTS / config), "run", f"{server}/openapi.json", "--checks", "all",
         "--seed", "1", "--workers", "2", "--request-timeout", "30", *options],
        capture_output=True, text=True, timeout=SCHEMATHESIS_DEADLINE, cwd=tmp_path,
        stdin=subprocess.DEVNULL)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    spec = httpx.get(f"{server}/openapi.json").json()
    operations = sum(1 for path in spec["paths"].values() for method in path
                     if method in ("get", "post", "put", "delete", "patch"))
    assert f"{operations} selected / {operations} total" in output  # the whole document
    return output


def test_schemathesis_sample_finds_no_failure(server: str, tmp_path: Path) -> None:
    """The default run, a fixed sample: every operation of /openapi.json through the
    examples and fuzzing phases (seed 1, 10 examples each), and the coverage phase's
    boundary and unexpected-method cases for every operation but the saved queries'
    (tests/schemathesis-sample.toml: one endpoint factory serves them all, and their
    ~2,600 coverage cases are the exhaustive run's); all checks."""
    output = run_schemathesis(server, tmp_path, "schemathesis-sample.toml",
                              "--max-examples", "10")
    assert "Coverage" in output and "Fuzzing" in output


@pytest.mark.exhaustive
def test_schemathesis_exhaustive_finds_no_failure(server: str, tmp_path: Path) -> None:
    """Opt-in (`pytest -m exhaustive`, run by .ci/run when time allows): every operation,
    examples, coverage and fuzzing phases (100 examples each, seed 1), all checks."""
    output = run_schemathesis(server, tmp_path, "schemathesis.toml", "--max-examples", "100")
    assert "Coverage" in output and "Fuzzing" in output


ERRORS = [
    ("GET", "/person/a%20b", {}, b"", 404),
    ("GET", "/api/queries/official-profile?person=http://%5B", {}, b"", 422),
    ("GET", "/api/queries/conflicting-names?post=", {}, b"", 422),
    ("GET", "/api/queries/no-such-question", {}, b"", 404),
    ("GET", "/downloads/0", {}, b"", 404),
    ("GET", "/?format=AAA", {}, b"", 400),
    ("GET", "/sparql?query=" + quote("SELEC * {"), {}, b"", 400),
    ("GET", "/sparql?query=" + quote("SELECT * { SERVICE <http://127.0.0.1:9/> {?s ?p ?o} }"),
     {}, b"", 400),
    ("GET", "/sparql?query=ASK%20%7B%7D", {"accept": "text/turtle"}, b"", 406),
    ("GET", "/sparql?update=" + quote("CLEAR ALL"), {}, b"", 403),
    ("DELETE", "/sparql", {}, b"", 405),
    ("POST", "/sparql", {"content-type": "text/plain"}, b"ASK {}", 415),
    ("POST", "/sparql", {"content-type": "application/sparql-query"},
     b"#" + b"x" * 1_100_000 + b"\nASK {}", 413),
    ("GET", "/sparql?query=" + quote(CROSS_JOIN), {}, b"", 503),
]


def test_connection_stays_usable_after_every_error(server: str) -> None:
    address = urlsplit(server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.connect()
        sock = connection.sock
        for method, path, headers, body, status in ERRORS:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            response.read()
            assert (method, path[:60], response.status) == (method, path[:60], status)
            assert not response.will_close, f"{method} {path[:60]}: the server closed"
            connection.request("GET", "/sparql?query=ASK%20%7B%7D")
            after = connection.getresponse()
            assert after.status == 200 and b"true" in after.read()
            assert connection.sock is sock, f"reconnected after {method} {path[:60]}"
    finally:
        connection.close()
