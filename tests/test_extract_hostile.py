"""Hostile articles: `kg extract` runs in linear time and refuses bad input with one error line.

Issue 16, item 7. Articles that used to hang, exhaust memory or take minutes run in a
subprocess with a time limit and an address-space limit (FIFOs, devices and huge files are
made at test time); articles that used to end in a traceback run in process.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.extract.text import CLAUSE_END, CLAUSE_REACH, SENTENCE_END, SENTENCE_REACH, Compact
from kg.sources import MAX_ARTICLE_BYTES

SECONDS = 60
ADDRESS_SPACE = 3 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def extract_in_subprocess(article: Path) -> subprocess.CompletedProcess[str]:
    """`kg extract` in its own process, stopped after SECONDS and limited to 3 GiB."""
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "extract", str(article), "--source-id", "999"],
        capture_output=True, text=True, timeout=SECONDS, check=False, preexec_fn=_limit_memory)


EN_WORDS = ("the", "hospital", "reported", "that", "beds", "doctors", "patients", "increased",
            "to", "in", "by", "per", "cent", "of", "which", "were", "treated", "and")
ZH_WORDS = ("医院", "床位", "医生", "患者", "增加到", "达到", "其中", "全国")


def numbers_article(language: str, size: int = 40_000, seed: int = 1) -> str:
    """About `size` bytes of text full of numbers: English (no Chinese punctuation, so one
    clause runs the whole text) or Chinese."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        if language == "en":
            words = rng.choices(EN_WORDS, k=rng.randint(3, 8))
            part = " ".join([*words, str(rng.randint(1, 99_999))]) + (
                ". " if rng.random() < 0.2 else " ")
        else:
            words = rng.choices(ZH_WORDS, k=rng.randint(2, 5))
            part = "".join(words) + str(rng.randint(1, 99_999)) + rng.choice("个家张") + (
                "。" if rng.random() < 0.2 else "，")
        parts.append(part)
        total += len(part.encode())
    return "".join(parts)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_40_kb_article_full_of_numbers_is_drafted_in_seconds(language: str,
                                                                tmp_path: Path) -> None:
    """The English one took 212 s when every number's clause was the whole text."""
    article = tmp_path / "article.txt"
    article.write_text(numbers_article(language), encoding="utf-8")
    done = extract_in_subprocess(article)
    assert done.returncode == 0, done.stderr[-2000:]
    assert " candidates (" in done.stderr


def test_clauses_and_sentences_reach_a_bounded_distance() -> None:
    view = Compact(numbers_article("en"))
    middle = len(view.text) // 2
    left, right = view.clause(middle, middle + 1)
    assert right - left <= 2 * CLAUSE_REACH + 1
    left, right = view.sentence(middle, middle + 1)
    assert right - left <= 2 * SENTENCE_REACH + 1


def _longest_run(text: str, stops: str) -> int:
    ends = [i for i, c in enumerate(text) if c in stops]
    return max(b - a for a, b in zip([0, *ends], [*ends, len(text)], strict=True))


def test_reaches_exceed_the_longest_clause_and_sentence_of_the_seeds(seeds: Path) -> None:
    """So that the reach changes nothing on real articles."""
    for path in seeds.glob("*.txt"):
        view = Compact(path.read_text(encoding="utf-8"))
        assert _longest_run(view.text, CLAUSE_END) < CLAUSE_REACH, path.name
        assert _longest_run(view.text, SENTENCE_END) < SENTENCE_REACH, path.name


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _sparse(path: Path) -> None:
    with path.open("wb") as f:
        f.truncate(50 << 20)


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("fifo", _fifo, "cannot be read: it is a FIFO (named pipe), not a file"),
    ("50-mb-file", _sparse, f"is {50 << 20:,} bytes, more than the limit of "
                            f"{MAX_ARTICLE_BYTES:,}"),
    ("dev-zero", lambda path: path.symlink_to("/dev/zero"),
     "cannot be read: it is a character device, not a file"),
])
def test_an_article_that_is_no_text_file_is_refused_at_once(name: str, make, reason: str,
                                                            tmp_path: Path) -> None:
    article = tmp_path / f"{name}.txt"
    make(article)
    done = extract_in_subprocess(article)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"error: {article}: {reason}\n"


NUMBER = "9" * 5_000
BODY = "国家卫生健康委表示，全国床位达到10张。\n"


@pytest.mark.parametrize(("text", "reason"), [
    (f"DATE: 2025-13-45\n\n{BODY}",
     "line 1: DATE header: '2025-13-45' is not a calendar date (month must be in 1..12)"),
    (f"TITLE: 标题\nDATE: 2025-02-30\n\n{BODY}",
     "line 2: DATE header: '2025-02-30' is not a calendar date (day is out of range for "
     "month)"),
    (f"DATE: 0000-01-01\n\n{BODY}",
     "line 1: DATE header: '0000-01-01' is not a calendar date (year 0 is out of range)"),
    (f"DATE: soon\n\n{BODY}",
     "line 1: DATE header: 'soon' is not a date (write 2025-01-15, 2025-01 or 2025年1月15日)"),
    (f"DATE: 2025-01-05\nDATE: 2025-01-06\n\n{BODY}",
     "line 2: DATE header given twice (first on line 1)"),
    (f"TITLE: 标题\n\n{BODY}全国床位增加{NUMBER}万张。\n",
     "line 4: the number 99999999…9999 (5,000 digits) is out of range (more than 30 digits)"),
])
def test_a_malformed_header_or_number_gives_one_error_line(text: str, reason: str,
                                                          tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(article), "--source-id", "999"])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: {article}: {reason}"]


def test_an_impossible_date_in_the_text_leaves_the_event_undated(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("DATE: 2025-01-05\n\n2025年13月45日，国家卫生健康委召开新闻发布会。\n",
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(article), "--source-id", "999",
                                       "--output", str(tmp_path / "999.yaml")])
    assert result.exit_code == 0, result.output
    review = (tmp_path / "999.review.yaml").read_text(encoding="utf-8")
    assert "date_inferred: true" in review and "date as stated: 2025年13月45日" in review


BOMB = "".join([f"- &a0 [{', '.join(['lol'] * 9)}]\n"]
               + [f"- &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)])


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("alias-bomb", lambda path: path.write_text(f"source: {{id: '009'}}\nclaims:\n{BOMB}",
                                                encoding="utf-8"),
     "cannot be read as YAML: &a0 at line 3, column 3: anchors and aliases are not allowed"),
    ("fifo", _fifo, "cannot be read as YAML: cannot be read: it is a FIFO (named pipe)"),
])
def test_kg_diff_refuses_a_runaway_draft_at_once(name: str, make, reason: str,
                                                  tmp_path: Path) -> None:
    draft = tmp_path / "009.yaml"
    make(draft)
    done = subprocess.run([sys.executable, "-m", "kg.cli", "diff", str(draft)],
                          capture_output=True, text=True, timeout=SECONDS, check=False,
                          preexec_fn=_limit_memory)
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stderr.startswith(f"error: {draft}: {reason}"), done.stderr
