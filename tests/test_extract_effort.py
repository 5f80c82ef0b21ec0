"""Reviewer effort of a draft against its reviewed fact file, and the honest registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.datafiles import DEFAULT_DATA_DIR, CuratedData, load_curated
from kg.extract.effort import compare, read_reviewed, registry_before, source_order, tally
from kg.records import FactFile

TEXT = "李大川介绍,全国已接通电话70余万通,成功实施危机干预近万起,走进机关3946场。"
SOURCE = {"id": "106", "file": "106.txt", "sha256": "0" * 64, "title_zh": "t", "title_en": "t",
          "published": "2025-12-26"}


def measurement(claim_id: str, value: object, evidence: str, **extra: object) -> dict:
    return {"id": claim_id, "kind": "measurement", "indicator": claim_id, "value": value,
            "evidence": evidence, **extra}


@pytest.fixture(scope="module")
def data() -> CuratedData:
    return load_curated()


def test_sources_are_ordered_seeds_first_then_by_published_date(data: CuratedData) -> None:
    order = source_order(data)
    assert order[:1] == ["000"] and all(int(s) < 100 for s in order[:5])
    assert order.index("112") < order.index("107") < order.index("106") < order.index("104")


def test_registry_before_an_article_drops_what_it_and_later_ones_introduce(
        data: CuratedData) -> None:
    assert "hotline-12356-crisis-interventions" not in registry_before(data, "106").entities
    assert "hotline-12356-crisis-interventions" in registry_before(data, "104").entities
    before = registry_before(data, "106")
    assert "nhc" in before.entities and "106" not in before.facts


def test_effort_counts_unchanged_edited_deleted_and_added() -> None:
    reviewed = FactFile.model_validate({"source": SOURCE, "claims": [
        measurement("m-calls", "70万", "全国已接通电话70余万通", qualifiers=["over", "cumulative"]),
        measurement("m-bodies", 3946, "走进机关3946场"),
        measurement("m-crises", "1万", "成功实施危机干预近万起", qualifiers=["nearly"]),
    ]})
    draft = [
        measurement("m-a", 700000, "全国已接通电话70余万通", qualifiers=["over"]),
        measurement("m-b", 3946, "走进机关3946场"),
        measurement("m-c", 70, "全国已接通电话70余万通"),
    ]
    counts = tally(compare(draft, {}, reviewed, TEXT, CuratedData(DEFAULT_DATA_DIR)))["figures"]
    assert (counts.unchanged, counts.edited, counts.deleted, counts.added) == (1, 1, 1, 1)


def test_reviewed_files_are_read_with_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "106.yaml"
    path.write_text(
        "source: {id: '106', file: 106.txt, sha256: '" + "0" * 64 + "', title_zh: t, "
        "title_en: t, published: 2025-12-26}\n"
        "defaults: {as_of: 2025-12-26}\n"
        "claims:\n  - {id: m-b, kind: measurement, indicator: x, value: 3946, "
        "evidence: 走进机关3946场}\n", encoding="utf-8")
    [claim] = read_reviewed(path).claims
    assert str(claim.as_of) == "2025-12-26"


def test_extract_compare_prints_the_effort_table_of_the_reviewed_file() -> None:
    from click.testing import CliRunner

    from kg.cli import main
    from kg.settings import Settings

    article = Settings().corpus / "106.txt"
    if not article.is_file():
        pytest.skip("the corpus is not beside the project")
    result = CliRunner().invoke(main, ["extract", str(article), "--source-id", "106",
                                       "--compare", "data/facts/106.yaml"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "officials" in lines[1] and lines[2].startswith("106")
    assert any(line.strip().startswith(("edited", "deleted", "added")) for line in lines[3:])
