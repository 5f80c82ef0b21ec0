"""Source articles: looked up by bare name in the source folders, metadata lines apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.sources import SourceFileError, locate_source, metadata_spans


def test_a_name_is_found_in_the_first_folder_that_holds_it(tmp_path: Path) -> None:
    seeds, corpus = tmp_path / "seeds", tmp_path / "corpus"
    seeds.mkdir()
    corpus.mkdir()
    (corpus / "101.txt").write_text("正文", encoding="utf-8")
    assert locate_source("101.txt", [seeds, corpus]) == (corpus / "101.txt").resolve()


@pytest.mark.parametrize("name", ["../etc/passwd", "/etc/passwd", "a/b.txt", "..", ""])
def test_a_name_with_a_folder_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(SourceFileError, match="bare file name"):
        locate_source(name, [tmp_path])


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    (folder / "000.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(SourceFileError, match="outside"):
        locate_source("000.txt", [folder])


def test_metadata_lines_are_the_header_and_the_partial_marker_only() -> None:
    text = ("URL: http://example.org/2026/1.htm\nTITLE: [descriptive] 标题\nDATE: 2026-01-28\n\n"
            "正文2026年。\nDATE: 不是页头\n"
            "[PARTIAL: the retrieved excerpt ends here, mid-sentence]\n")
    shown = [text[a:b] for a, b in metadata_spans(text)]
    assert shown == ["URL: http://example.org/2026/1.htm", "TITLE: [descriptive] 标题",
                     "DATE: 2026-01-28",
                     "[PARTIAL: the retrieved excerpt ends here, mid-sentence]"]


def test_a_printed_title_is_article_text() -> None:
    text = "URL: http://x.cn/1\nTITLE: 官方:2024年医保基金收支平衡\nDATE: 2025-01-17\n\n正文"
    assert [text[a:b] for a, b in metadata_spans(text)] == ["URL: http://x.cn/1",
                                                             "DATE: 2025-01-17"]
