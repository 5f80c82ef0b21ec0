"""`kg new-source`: a fact-file skeleton for a new article, never over an existing file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.datafiles import load_curated
from kg.errors import DataError


def setup(tmp_path: Path, text: str, name: str = "art.txt") -> tuple[Path, Path, Path]:
    data, seeds = tmp_path / "data", tmp_path / "seeds"
    (data / "facts").mkdir(parents=True)
    seeds.mkdir()
    article = seeds / name
    article.write_text(text, encoding="utf-8")
    return article, data, seeds


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["new-source", *map(str, args)])
    return result.exit_code, result.output


def test_title_and_date_lines_fill_the_skeleton_and_only_english_is_left(tmp_path: Path) -> None:
    article, data, seeds = setup(tmp_path, "TITLE: 看病就医新举措\nDATE: 2025-01-05\n\n正文。\n")
    code, out = run(article, "--data-dir", data, "--seeds", seeds)
    assert code == 0, out
    path = data / "facts" / "000.yaml"
    assert f"wrote {path} (source 000)" in out
    assert "fill in: title_en;" in out
    assert "kg coverage --source 000" in out
    text = path.read_text(encoding="utf-8")
    assert f"sha256: {hashlib.sha256(article.read_bytes()).hexdigest()}" in text
    assert 'title_zh: "看病就医新举措"' in text
    assert "published: 2025-01-05" in text
    with pytest.raises(DataError) as caught:
        load_curated(data)
    assert [str(p) for p in caught.value.problems] == [
        "data/facts/000.yaml, record source: title_en: Field required"]


def test_without_header_lines_title_and_date_are_left_for_the_curator(tmp_path: Path) -> None:
    article, data, seeds = setup(tmp_path, "健康中国\nDATE: 2025-13\n正文。\n", "007_abc.txt")
    code, out = run(article, "--data-dir", data, "--seeds", seeds)
    assert code == 0, out
    assert "DATE line not used: invalid date '2025-13'" in out
    assert "fill in: title_zh (the headline as printed), title_en, published" in out
    text = (data / "facts" / "007.yaml").read_text(encoding="utf-8")  # id from the file name
    assert "# title_zh:" in text and "# published:" in text


def test_the_next_free_id_and_a_hint_to_copy_an_article_outside_the_seeds(tmp_path: Path) -> None:
    _, data, seeds = setup(tmp_path, "x\n")
    (data / "facts" / "004.yaml").write_text("taken\n", encoding="utf-8")
    elsewhere = tmp_path / "new.txt"
    elsewhere.write_text("TITLE: 标题\n", encoding="utf-8")
    code, out = run(elsewhere, "--data-dir", data, "--seeds", seeds)
    assert code == 0, out
    assert (data / "facts" / "005.yaml").is_file()
    assert f"copy {elsewhere} into one of the source folders ({seeds}/" in out


def test_an_existing_fact_file_is_never_overwritten(tmp_path: Path) -> None:
    article, data, seeds = setup(tmp_path, "TITLE: 标题\n")
    existing = data / "facts" / "003.yaml"
    existing.write_text("curated work\n", encoding="utf-8")
    code, out = run(article, "--id", "003", "--data-dir", data, "--seeds", seeds)
    assert code == 1
    assert out.startswith(f"error: {existing} exists already; not overwritten")
    assert existing.read_text(encoding="utf-8") == "curated work\n"


def test_bad_id_and_unreadable_article_are_errors_without_traceback(tmp_path: Path) -> None:
    article, data, seeds = setup(tmp_path, "x\n")
    code, out = run(article, "--id", "12", "--data-dir", data, "--seeds", seeds)
    assert (code, out) == (1, "error: --id '12': a source id is three ASCII digits (e.g. 005)\n")
    article.write_bytes("标题".encode("gb18030"))
    code, out = run(article, "--data-dir", data, "--seeds", seeds)
    assert code == 1 and "is not UTF-8 text" in out
    assert list((data / "facts").iterdir()) == []


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    """Issue 16: a FIFO as the article waited for a writer forever (in a subprocess, so a
    regression fails instead of hanging the suite)."""
    data, seeds = tmp_path / "data", tmp_path / "seeds"
    (data / "facts").mkdir(parents=True)
    seeds.mkdir()
    os.mkfifo(seeds / "art.txt")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "new-source", str(seeds / "art.txt"),
                           "--data-dir", str(data), "--seeds", str(seeds)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (
        1, f"error: {seeds / 'art.txt'}: cannot be read: it is a FIFO (named pipe), not a file\n")
