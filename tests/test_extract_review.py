"""End to end: extract a new article -> scripted review -> build -> a saved query finds it."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.datafiles import load_curated
from kg.errors import DataError
from kg.extract.draft import extract_file

ARTICLE = Path(__file__).parent / "fixtures" / "extract" / "press_release.txt"
#: the candidates the reviewer accepts, by id (the rest are deleted)
ACCEPTED = ("p-zheng-lixin-deputy-director", "m-jian-cheng-biao-zhun-hua-cun-wei-sheng")


@pytest.fixture
def workspace(tmp_path: Path, data_copy: Path, seeds: Path) -> tuple[Path, Path]:
    """A private data folder and a seeds folder holding the real seeds and the new article."""
    new_seeds = tmp_path / "seeds"
    shutil.copytree(seeds, new_seeds)
    shutil.copy(ARTICLE, new_seeds / "005_press_release.txt")
    return data_copy, new_seeds


def _write(path: Path, value: Any) -> None:
    path.write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _review(draft_facts: dict[str, Any], proposals: dict[str, list[dict[str, Any]]],
            data_dir: Path) -> None:
    """What a reviewer does: keep the accepted candidates, fill in English, add entities."""
    claims = [c for c in draft_facts["claims"] if c["id"] in ACCEPTED]
    assert sorted(c["id"] for c in claims) == sorted(ACCEPTED)
    for claim in claims:
        del claim["review"]
    facts = {**draft_facts, "claims": claims}
    facts["source"]["title_en"] = "Gansu reports on primary care in the first half-year"
    _write(data_dir / "facts" / "005.yaml", facts)
    wanted = {v for c in claims for v in c.values() if isinstance(v, str)}
    for file, records in proposals.items():
        path = data_dir / "registry" / file
        existing = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for record in records:
            if record["id"] in wanted:
                if "name_en" in record:
                    record["name_en"] = f"{record['name_zh']} (reviewed)"
                existing.append(record)
        _write(path, existing)


def test_extract_review_build_query(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    data_dir, seeds = workspace
    article = seeds / "005_press_release.txt"
    draft = extract_file(article, "005", load_curated(data_dir))

    # an unreviewed draft is refused, naming the file and each candidate
    _write(data_dir / "facts" / "005.yaml", draft.facts)
    with pytest.raises(DataError) as refused:
        build(data_dir, seeds, publish=False)
    message = str(refused.value)
    assert "facts/005.yaml, record p-zheng-lixin-deputy-director: unreviewed candidate" in message

    _review(draft.facts, draft.proposals, data_dir)
    location = tmp_path / "store"
    build(data_dir, seeds, location=location)

    profile = _query(location, "official-profile", "person=kgd:person/zheng-lixin")
    assert any(r["quote"] == "甘肃省卫生健康委副主任郑立新" for r in profile), profile
    claims = _query(location, "source-claims", "source=kgd:source/005")
    assert {r["value"] for r in claims} >= {"16000"}, claims


def _query(location: Path, name: str, param: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["query", name, "--param", param, "--format", "csv",
                                       "--location", str(location)])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_extract_cli_writes_the_draft_and_its_review_file(tmp_path: Path) -> None:
    output = tmp_path / "005.yaml"
    result = CliRunner().invoke(main, ["extract", str(ARTICLE), "--source-id", "005",
                                       "--output", str(output)])
    assert result.exit_code == 0, result.output
    facts = yaml.safe_load(output.read_text(encoding="utf-8"))
    review = yaml.safe_load((tmp_path / "005.review.yaml").read_text(encoding="utf-8"))
    assert facts["source"]["published"] == "2025-06-18"
    assert {r["name_zh"] for r in review["registry"]["people.yaml"]} == {"郑立新", "韩静宜"}
    [event] = review["registry"]["events.yaml"]
    assert (event["start"], event["date_inferred"]) == ("2025-06-17", True)


@pytest.mark.parametrize(("args", "message"), [
    (["--source-id", "5"], "'5' is not a source id"),
    (["--source-id", "005"], "not UTF-8 text"),
])
def test_extract_cli_errors_name_the_input(tmp_path: Path, args: list[str], message: str
                                           ) -> None:
    article = tmp_path / "gbk.txt"
    article.write_bytes("国家卫生健康委".encode("gbk"))
    result = CliRunner().invoke(main, ["extract", str(article), *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
