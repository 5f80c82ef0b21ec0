"""The source articles (seeds): where they are, their checksums, and quote lookup."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def seeds_dir(override: str | Path | None = None) -> Path:
    """The seeds folder: an override, else $KG_SEEDS, else ../shared/seeds beside the project."""
    if override:
        return Path(override)
    from kg.settings import Settings

    return Settings().seeds


@lru_cache(maxsize=64)
def read_source_text(path: Path) -> str:
    """Text of a source article (cached: the seeds never change during a run)."""
    return path.read_text(encoding="utf-8")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Character offsets [start, end) of the first verbatim occurrence of quote in text."""
    start = text.find(quote)
    return None if start < 0 else (start, start + len(quote))
