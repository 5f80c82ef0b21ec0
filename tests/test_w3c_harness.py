"""The W3C harness itself: manifests read right, datasets named right, results compared
under the suite's rules, and the committed Oxigraph pass list still what Oxigraph passes."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse
from w3c.datasets import evaluation_dataset, write_dataset
from w3c.endpoints import oxigraph_endpoint
from w3c.manifest import BASE_IRI, evaluation_tests, protocol_tests, syntax_tests
from w3c.outcomes import passed, read_oxigraph_passes
from w3c.protocol_suite import run_protocol_suite
from w3c.query_suites import run_evaluation_suite, run_syntax_suite
from w3c.results import Boolean, Solutions, compare, order_keys, read_expected

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"


def solutions(*rows: dict[str, object]) -> Solutions:
    names = frozenset(name for row in rows for name in row) or frozenset({"x"})
    return Solutions(names, tuple(tuple(sorted(row.items())) for row in rows))  # type: ignore[arg-type]


def test_manifests_give_the_counts_of_the_suite_readme() -> None:
    evaluation = evaluation_tests()
    syntax = syntax_tests()
    assert len(evaluation) == 235  # 232 QueryEvaluationTest + 3 CSVResultFormatTest
    assert sum(t.positive for t in syntax) == 66
    assert sum(not t.positive for t in syntax) == 40
    assert len(protocol_tests()) == 34
    assert all(t.iri.startswith(BASE_IRI) for t in evaluation)


def test_graph_data_is_named_by_its_w3c_iri_and_relative_iris_resolve_against_it(
        tmp_path: Path) -> None:
    test = next(t for t in evaluation_tests() if t.id == "negation/manifest#graph-minus")
    files = write_dataset(evaluation_dataset(test), tmp_path)
    quads = list(parse(path=files[1], format=RdfFormat.N_QUADS))
    assert {q.graph_name for q in quads} == {NamedNode(BASE_IRI + "negation/graph-minus.ttl")}
    assert not any("file:" in str(q) for q in quads)


def test_from_clause_loads_its_suite_file_as_a_named_graph() -> None:
    test = next(t for t in evaluation_tests() if t.id == "construct/manifest#constructwhere04")
    graph = BASE_IRI + "construct/data.ttl"
    assert (graph, graph) in evaluation_dataset(test).named


def test_solutions_match_up_to_renamed_blank_nodes() -> None:
    expected = solutions({"x": BlankNode("a"), "y": Literal("1")}, {"x": BlankNode("b")})
    actual = solutions({"x": BlankNode("q")}, {"x": BlankNode("p"), "y": Literal("1")})
    assert compare(expected, actual, None) is None


def test_one_blank_node_cannot_stand_for_two() -> None:
    expected = solutions({"x": BlankNode("a")}, {"x": BlankNode("b")})
    actual = solutions({"x": BlankNode("q")}, {"x": BlankNode("q")})
    assert compare(expected, actual, None) is not None


def test_order_counts_only_with_order_by_and_only_on_its_keys() -> None:
    one = {"k": Literal("1", datatype=NamedNode(XSD + "integer")), "v": Literal("a")}
    tie = {"k": Literal("1", datatype=NamedNode(XSD + "integer")), "v": Literal("b")}
    two = {"k": Literal("2", datatype=NamedNode(XSD + "integer")), "v": Literal("c")}
    expected = solutions(one, tie, two)
    assert compare(expected, solutions(two, tie, one), None) is None
    assert compare(expected, solutions(tie, one, two), ("k",)) is None
    assert compare(expected, solutions(two, one, tie), ("k",)) is not None
    assert compare(expected, solutions(tie, one, two), ()) is not None


def test_numeric_literals_compare_by_value_within_one_datatype() -> None:
    def decimal(text: str) -> Literal:
        return Literal(text, datatype=NamedNode(XSD + "decimal"))

    assert compare(solutions({"n": decimal("2.0")}), solutions({"n": decimal("2")}), None) is None
    integer = Literal("2", datatype=NamedNode(XSD + "integer"))
    assert compare(solutions({"n": decimal("2")}), solutions({"n": integer}), None) is not None
    assert compare(solutions({"n": Literal("2.0")}), solutions({"n": Literal("2")}), None)


def test_missing_solution_and_wrong_boolean_are_reported() -> None:
    expected = solutions({"x": NamedNode(EX + "a")}, {"x": NamedNode(EX + "b")})
    problem = compare(expected, solutions({"x": NamedNode(EX + "a")}), None)
    assert problem is not None and "expected 2 solutions, got 1" in problem
    assert compare(Boolean(True), Boolean(False), None) == "expected True, got False"
    assert compare(Boolean(True), expected, None) == "expected a boolean, got solutions"


def test_results_in_rdf_are_read_as_a_result_set() -> None:
    results = read_expected(BASE_IRI + "bindings/graph.ttl")
    assert isinstance(results, Solutions) and len(results.rows) == 3


def test_only_a_top_level_order_by_orders() -> None:
    assert order_keys("SELECT * { ?s ?p ?o } ORDER BY ?s DESC(?o) LIMIT 2") == ("s", "o")
    assert order_keys("SELECT * { { SELECT * { ?s ?p ?o } ORDER BY ?s } }") is None
    assert order_keys("SELECT * { ?s ?p '}' } # ORDER BY ?s") is None
    assert order_keys("SELECT * { ?s ?p ?o } ORDER BY STR(?o)") == ()


def test_committed_oxigraph_pass_list_is_what_oxigraph_passes_now() -> None:
    """Runs the three suites against the real Oxigraph server (a few seconds)."""
    committed = read_oxigraph_passes()
    live = {
        "query": passed(run_evaluation_suite(oxigraph_endpoint, evaluation_tests())),
        "syntax": passed(run_syntax_suite(oxigraph_endpoint, syntax_tests())),
        "protocol": passed(run_protocol_suite(oxigraph_endpoint, protocol_tests())),
    }
    for suite, tests in live.items():
        assert set(committed[suite]) == tests, (
            f"{suite}: regenerate with `uv run python -m tests.w3c.run --endpoint oxigraph "
            f"--save-oxigraph-passes`")
