"""Time of `kg extract` against the article's length: synthetic articles full of numbers
(English, whose clauses Chinese punctuation never ends, and Chinese) and the seeds repeated.

Times `Extractor.extract` alone (registry loaded, word segmenter warmed up), so that the
figures show how the extraction grows with the text.

    uv run python bench/extract_speed.py
"""

from __future__ import annotations

import hashlib
import random
import time

from kg.datafiles import load_curated
from kg.extract.draft import Extractor
from kg.settings import Settings

EN_WORDS = ("the", "hospital", "reported", "that", "beds", "doctors", "patients", "increased",
            "to", "in", "by", "per", "cent", "of", "which", "were", "treated", "and")
ZH_WORDS = ("医院", "床位", "医生", "患者", "增加到", "达到", "其中", "全国")


def numbers_article(language: str, size: int = 40_000, seed: int = 1) -> str:
    """About `size` bytes of text full of numbers (as tests/test_extract_hostile.py)."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        if language == "en":
            part = " ".join([*rng.choices(EN_WORDS, k=rng.randint(3, 8)),
                             str(rng.randint(1, 99_999))]) + (". " if rng.random() < 0.2 else " ")
        else:
            part = "".join(rng.choices(ZH_WORDS, k=rng.randint(2, 5))) + str(
                rng.randint(1, 99_999)) + rng.choice("个家张") + (
                "。" if rng.random() < 0.2 else "，")
        parts.append(part)
        total += len(part.encode())
    return "".join(parts)


def main() -> None:
    data = load_curated()
    seeds = "".join(p.read_text(encoding="utf-8") for p in sorted(Settings().seeds.glob("*.txt")))
    articles = {"40 kB English, full of numbers": numbers_article("en"),
                "40 kB Chinese, full of numbers": numbers_article("zh"),
                "the seeds": seeds, "the seeds x8": seeds * 8}
    Extractor(data).extract(seeds, "999", "warm-up.txt", "0")  # loads the word segmenter
    for name, text in articles.items():
        digest = hashlib.sha256(text.encode()).hexdigest()
        started = time.perf_counter()
        Extractor(data).extract(text, "999", "article.txt", digest)
        print(f"{name:34} {len(text.encode()):>9,} bytes {time.perf_counter() - started:8.2f} s")


if __name__ == "__main__":
    main()
