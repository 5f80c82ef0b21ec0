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
