"""`kg build`: bad input fails loudly, names file and record, and never touches the store."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.build import BuildSummary, build, build_graphs, dataset_version
from kg.cli import main
from kg.datafiles import DEFAULT_DATA_DIR
from kg.errors import DataError
from kg.store import EmbeddedStore

PROJECT_QUERIES = Path(__file__).resolve().parents[1] / "queries"


def snapshot(location: Path) -> tuple[Path, str]:
    """Which release is current, and a hash of every file in it."""
    release = (location / "current").resolve()
    digest = hashlib.sha256()
    for path in sorted(release.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return release, digest.hexdigest()


def edit_yaml(path: Path, change: Callable[[object], None]) -> None:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


def claim(content: object, claim_id: str) -> dict:
    """The claim with this id, also inside blocks of claims that share defaults."""
    items = list(content["claims"])  # type: ignore[index]
    while items:
        item = items.pop(0)
        if "id" not in item:
            items[:0] = item["claims"]
        elif item["id"] == claim_id:
            return item
    raise KeyError(claim_id)


def drop_indicator(content: object) -> None:
    del claim(content, "t-childcare-places-per-1000")["indicator"]


def unknown_indicator(content: object) -> None:
    claim(content, "t-childcare-places-per-1000")["indicator"] = "childcare-places-per-100"


def wrong_type(content: object) -> None:
    claim(content, "t-childcare-places-per-1000")["value"] = "lots"


def duplicate_claim(content: object) -> None:
    content["claims"].append(dict(claim(content, "p-jiao-yahui")))  # type: ignore[index]


def bad_quote(content: object) -> None:
    claim(content, "p-jiao-yahui")["evidence"] = "医政司司长焦雅辉宣布"


BAD_FACTS = [
    (drop_indicator, "t-childcare-places-per-1000", "indicator: Field required"),
    (unknown_indicator, "t-childcare-places-per-1000",
     "unknown indicator 'childcare-places-per-100' (did you mean 'childcare-places-per-1000'?)"),
    (wrong_type, "t-childcare-places-per-1000", "not a quantity"),
    (duplicate_claim, "p-jiao-yahui", "duplicate claim id"),
    (bad_quote, "p-jiao-yahui", "evidence quote not found verbatim"),
]


@pytest.fixture
def good_location(published: Path) -> Path:
    """The module's copy of the session's built store: builds that fail must not touch it."""
    return published


def run_build(data_dir: Path, location: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["build", "--data-dir", str(data_dir), "--location", str(location), *extra]
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(("breakage", "record", "message"), BAD_FACTS,
                         ids=[b[0].__name__ for b in BAD_FACTS])
def test_bad_fact_fails_naming_file_and_record_and_keeps_store(
    data_copy: Path, good_location: Path, breakage: Callable, record: str, message: str
) -> None:
    before = snapshot(good_location)
    edit_yaml(data_copy / "facts" / "002.yaml", breakage)
    code, output = run_build(data_copy, good_location)
    assert code == 1
    assert f"facts/002.yaml, record {record}:" in output
    assert message in output
    assert "Traceback" not in output
    assert snapshot(good_location) == before


def test_duplicate_registry_id_fails(data_copy: Path, good_location: Path) -> None:
    before = snapshot(good_location)
    with (data_copy / "registry" / "people.yaml").open("a", encoding="utf-8") as f:
        f.write("\n- id: jiao-yahui\n  name_zh: 焦雅辉\n")
    code, output = run_build(data_copy, good_location)
    assert code == 1
    assert "registry/people.yaml, record jiao-yahui: duplicate id" in output
    assert snapshot(good_location) == before


def test_unparsable_file_fails_with_line(data_copy: Path, good_location: Path) -> None:
    before = snapshot(good_location)
    (data_copy / "registry" / "roles.yaml").write_text("- id: x\n  name_zh: [unclosed\n")
    code, output = run_build(data_copy, good_location)
    assert code == 1
    assert "registry/roles.yaml: not valid YAML at line" in output
    assert snapshot(good_location) == before


def test_wrong_source_checksum_fails(data_copy: Path, good_location: Path) -> None:
    def change(content: object) -> None:
        content["source"]["sha256"] = "0" * 64  # type: ignore[index]

    edit_yaml(data_copy / "facts" / "002.yaml", change)
    code, output = run_build(data_copy, good_location)
    assert code == 1
    assert "facts/002.yaml, record source: sha256 of 002_4a3f87a1da74a320.txt is" in output


def test_build_keeps_previous_store_when_shapes_fail(
    data_copy: Path, good_location: Path, tmp_path: Path
) -> None:
    """A shape the data cannot meet stops the build before anything is published."""
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "strict.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix hkg: <https://w3id.org/cn-health-kg/ontology#> .\n"
        "@prefix schema: <https://schema.org/> .\n"
        "hkg:PersonEmailShape a sh:NodeShape ; sh:targetClass hkg:Person ;\n"
        "  sh:property [ sh:path schema:email ; sh:minCount 1 ;\n"
        "                sh:message \"a person needs an e-mail address\" ] .\n"
    )
    before = snapshot(good_location)
    with pytest.raises(Exception, match="a person needs an e-mail address") as info:
        build(data_dir=data_copy, location=good_location, shapes_dir=shapes)
    assert "registry/people.yaml, record jiao-yahui" in str(info.value)
    assert snapshot(good_location) == before


def test_successful_build_switches_release_and_reports(
    built_store: tuple[Path, object], tmp_path: Path
) -> None:
    good_location = tmp_path / "store"
    shutil.copytree(built_store[0], good_location, symlinks=True)
    before, _ = snapshot(good_location)
    code, output = run_build(DEFAULT_DATA_DIR, good_location)
    assert code == 0, output
    for heading in ("triples per graph:", "entities per class:", "claims per kind:",
                    "SHACL: 0 violations"):
        assert heading in output
    after, _ = snapshot(good_location)
    assert after != before
    assert EmbeddedStore.open(good_location).version in output


def test_broken_saved_query_fails_the_build(good_location: Path, tmp_path: Path) -> None:
    """A saved query that does not parse must fail the build, never vanish from the API."""
    queries = tmp_path / "queries"
    shutil.copytree(PROJECT_QUERIES, queries)
    (queries / "broken-question.rq").write_text(
        "#+ title:\n#+   zh: 坏查询\n#+   en: Broken\n"
        "SELECT ?s WHERE { ?s ?p }\n", encoding="utf-8")
    before = snapshot(good_location)
    with pytest.raises(DataError, match=r"broken-question\.rq"):
        build(location=good_location, queries_dir=queries)
    assert snapshot(good_location) == before


def test_version_is_a_hash_of_the_content(
    built_store: tuple[Path, BuildSummary], data_copy: Path
) -> None:
    """Issue 8, defect 6: rebuilding identical data gives the identical version."""
    session_version = built_store[1].version
    assert EmbeddedStore.open(built_store[0]).manifest["version"] == session_version
    assert dataset_version(build_graphs(data_copy).serialised()) == session_version

    def change(content: object) -> None:
        claim(content, "t-childcare-places-per-1000")["value"] = 4.6

    edit_yaml(data_copy / "facts" / "002.yaml", change)
    assert dataset_version(build_graphs(data_copy).serialised()) != session_version


def test_version_ignores_blank_node_labels_and_order() -> None:
    p, o = "<http://example.org/p>", "<http://example.org/o>"
    one = {"http://example.org/g": f"_:a {p} {o} .\n_:a {p} _:b .\n".encode()}
    two = {"http://example.org/g": f"_:x {p} _:y .\n_:x {p} {o} .\n".encode()}
    other = {"http://example.org/g": f"_:x {p} _:y .\n_:y {p} {o} .\n".encode()}
    assert dataset_version(one) == dataset_version(two)
    assert dataset_version(one) != dataset_version(other)
    assert dataset_version(one) != dataset_version({"http://example.org/h": one[
        "http://example.org/g"]})
