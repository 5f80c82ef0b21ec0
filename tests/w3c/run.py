"""Run the W3C SPARQL 1.1 suites against Oxigraph and/or `kg serve`, side by side.

    uv run python -m tests.w3c.run [--endpoint kg|oxigraph|both] [--suite query|syntax|protocol|all]

Prints one row per suite (total, passed by each endpoint, tests Oxigraph passes and kg fails),
writes every outcome to var/w3c/ and exits 1 if kg fails a test Oxigraph passes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from .endpoints import LAUNCHERS, Launcher
from .manifest import PROJECT, evaluation_tests, protocol_tests, syntax_tests
from .outcomes import (
    FAIL,
    PASS,
    POLICY,
    SUITES,
    Outcome,
    passed,
    read_oxigraph_passes,
    write_outcomes,
    write_oxigraph_passes,
)
from .protocol_suite import run_protocol_suite
from .query_suites import run_evaluation_suite, run_syntax_suite

OUTPUT_DIR = PROJECT / "var" / "w3c"


def suite_runner(suite: str, workers: int) -> Callable[[Launcher], list[Outcome]]:
    """A function running `suite` against the endpoints one launcher starts."""
    if suite == "query":
        tests = evaluation_tests()
        return lambda launch: run_evaluation_suite(launch, tests, workers)
    if suite == "syntax":
        syntax = syntax_tests()
        return lambda launch: run_syntax_suite(launch, syntax)
    protocol = protocol_tests()
    return lambda launch: run_protocol_suite(launch, protocol)


def regressions(oxigraph_passes: set[str], kg: list[Outcome]) -> list[Outcome]:
    """kg's failures among the tests Oxigraph passes (refusals by policy are not failures)."""
    return [o for o in kg if o.test in oxigraph_passes and o.status == FAIL]


def _cell(outcomes: list[Outcome] | None) -> str:
    """'passed/applicable (rate)', and how many tests policy made not applicable."""
    if outcomes is None:
        return "-"
    policy = sum(o.status in POLICY for o in outcomes)
    applicable = len(outcomes) - policy
    count = len(passed(outcomes))
    text = f"{count}/{applicable} ({100 * count / applicable:.0f} %)" if applicable else "0/0"
    return text + (f" +{policy} policy" if policy else "")


def print_table(results: dict[str, dict[str, list[Outcome]]], committed: dict[str, list[str]],
                ) -> list[tuple[str, Outcome]]:
    """The side-by-side table, then every test Oxigraph passes and kg fails, with the reason.

    Without a live Oxigraph run, its column is the committed list of passes."""
    found = []
    print(f"\n{'suite':<9} {'total':>5}  {'oxigraph':<26} {'kg':<26} oxigraph passes, kg fails")
    for suite in SUITES:
        row = {name: per_suite.get(suite) for name, per_suite in results.items()}
        if all(v is None for v in row.values()):
            continue
        total = len(next(v for v in row.values() if v is not None))
        oxigraph, kg = row.get("oxigraph"), row.get("kg")
        reference = passed(oxigraph) if oxigraph is not None else set(committed.get(suite, []))
        lost = regressions(reference, kg) if kg is not None else []
        found += [(suite, o) for o in lost]
        oxigraph_cell = (_cell(oxigraph) if oxigraph is not None
                         else f"{len(reference)} (committed list)")
        print(f"{suite:<9} {total:>5}  {oxigraph_cell:<26} {_cell(kg):<26} "
              f"{'-' if kg is None else len(lost)}")
    print("passed/applicable; policy: SERVICE not run (refused on purpose, or its remote "
          "endpoint unreachable),\nSPARQL Update refused by a read-only endpoint, or FROM / "
          "default-graph-uri naming a graph kg does not hold (kg never fetches it)")
    for suite, outcome in found:
        print(f"  {suite} {outcome.test}: {outcome.reason}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", choices=("kg", "oxigraph", "both"), default="both")
    parser.add_argument("--suite", choices=(*SUITES, "all"), default="all")
    parser.add_argument("--workers", type=int, default=2,
                        help="endpoints running at once in the query suite (default 2)")
    parser.add_argument("--save-oxigraph-passes", action="store_true",
                        help="rewrite tests/w3c/oxigraph-passes.json from this run")
    parser.add_argument("--verbose", action="store_true", help="print every test not passed")
    args = parser.parse_args(argv)

    endpoints = ("oxigraph", "kg") if args.endpoint == "both" else (args.endpoint,)
    suites = SUITES if args.suite == "all" else (args.suite,)
    results: dict[str, dict[str, list[Outcome]]] = {name: {} for name in endpoints}
    for suite in suites:
        run_suite = suite_runner(suite, args.workers)
        for name in endpoints:
            started = time.monotonic()
            outcomes = run_suite(LAUNCHERS[name])
            results[name][suite] = outcomes
            write_outcomes(OUTPUT_DIR / f"{name}-{suite}.json", name, suite, outcomes)
            print(f"{suite} on {name}: {len(passed(outcomes))}/{len(outcomes)} passed "
                  f"in {time.monotonic() - started:.0f} s", file=sys.stderr)
            if args.verbose:
                for o in outcomes:
                    if o.status != PASS:
                        print(f"  {o.status}: {o.test}: {o.reason}", file=sys.stderr)

    if args.save_oxigraph_passes:
        if "oxigraph" not in results:
            parser.error("--save-oxigraph-passes needs --endpoint oxigraph or both")
        write_oxigraph_passes(results["oxigraph"])
    committed = read_oxigraph_passes()
    found = print_table(results, committed)
    summary = {
        name: {suite: {"total": len(o), "passed": len(passed(o)),
                       "policy": sum(x.status in POLICY for x in o)}
               for suite, o in per_suite.items()}
        for name, per_suite in results.items()
    }
    summary["oxigraph_passes_kg_fails"] = {  # type: ignore[assignment]
        f"{suite} {o.test}": o.reason for suite, o in found
    }
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DIR / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
