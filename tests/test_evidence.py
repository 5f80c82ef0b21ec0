"""Every evidence quote is a verbatim, short clause of its source article."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.claim_defaults import flatten
from kg.datafiles import DEFAULT_DATA_DIR
from kg.records import MAX_QUOTE_CHARS
from kg.sources import locate_source, source_folders

FACT_FILES = sorted((DEFAULT_DATA_DIR / "facts").glob("*.yaml"))


def quotes(path: Path) -> list[tuple[str, str]]:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(c.raw["id"], c.raw["evidence"]) for c in flatten(content).claims]


@pytest.mark.parametrize("path", FACT_FILES, ids=[p.stem for p in FACT_FILES])
def test_every_quote_is_verbatim_in_its_source(path: Path, seeds: Path) -> None:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    article = locate_source(content["source"]["file"], source_folders(seeds))
    text = article.read_text(encoding="utf-8")
    missing = [cid for cid, quote in quotes(path) if quote not in text]
    assert not missing, f"{path.name}: quotes not in {content['source']['file']}: {missing}"


@pytest.mark.parametrize("path", FACT_FILES, ids=[p.stem for p in FACT_FILES])
def test_quotes_are_short(path: Path) -> None:
    long = [cid for cid, quote in quotes(path) if len(quote) > MAX_QUOTE_CHARS]
    assert not long


def test_project_never_holds_long_runs_of_a_source(seeds: Path) -> None:
    """No data file carries 120 consecutive characters of an article (its full text)."""
    window = 120
    grams = set()
    for seed in (a for folder in source_folders(seeds) for a in folder.glob("*.txt")):
        text = "".join(seed.read_text(encoding="utf-8").split())
        grams.update(text[i:i + window] for i in range(0, max(0, len(text) - window), 10))
    for path in DEFAULT_DATA_DIR.rglob("*.yaml"):
        text = "".join(path.read_text(encoding="utf-8").split())
        hits = [i for i in range(0, max(0, len(text) - window)) if text[i:i + window] in grams]
        assert not hits, f"{path} holds a long passage of a source article"
