"""What happened to each test, and the files that keep it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

PASS = "pass"
FAIL = "fail"
REFUSED = "refused by policy"  # SERVICE: refused on purpose, or its remote endpoint unreachable
REMOTE_GRAPH = "refused by policy: graph not in the dataset"  # kg never fetches FROM <remote>
READ_ONLY = "not applicable: read-only"  # SPARQL Update tests, refused by a read-only endpoint
POLICY = (REFUSED, READ_ONLY, REMOTE_GRAPH)

SUITES = ("query", "syntax", "protocol")
PASSES_FILE = Path(__file__).with_name("oxigraph-passes.json")


@dataclass(frozen=True)
class Outcome:
    """One test's result on one endpoint; `reason` says what was seen unless it passed."""

    test: str
    status: str
    reason: str = ""


def refuses_remote_graph(status: int, body: bytes) -> bool:
    """kg's documented refusal of a FROM / default-graph-uri naming a graph it does not hold."""
    if status != 400:
        return False
    try:
        return json.loads(body).get("policy") == "remote-graph"
    except (ValueError, AttributeError):
        return False


def passed(outcomes: list[Outcome]) -> set[str]:
    return {o.test for o in outcomes if o.status == PASS}


def write_outcomes(path: Path, endpoint: str, suite: str, outcomes: list[Outcome]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(
        {"endpoint": endpoint, "suite": suite, "outcomes": [asdict(o) for o in outcomes]},
        ensure_ascii=False, indent=1,
    ) + "\n", encoding="utf-8")


def read_oxigraph_passes() -> dict[str, list[str]]:
    """The committed list of the tests the Oxigraph server passes, per suite."""
    return json.loads(PASSES_FILE.read_text(encoding="utf-8"))


def write_oxigraph_passes(per_suite: dict[str, list[Outcome]]) -> None:
    """Update the committed list for the suites just run (others are kept)."""
    current = read_oxigraph_passes() if PASSES_FILE.exists() else {}
    for suite, outcomes in per_suite.items():
        current[suite] = sorted(passed(outcomes))
    PASSES_FILE.write_text(json.dumps(dict(sorted(current.items())), indent=1) + "\n",
                           encoding="utf-8")
