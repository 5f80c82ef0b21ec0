"""Hostile data files: `kg build` refuses each with one error line and publishes nothing.

Issue 16, item 6. Each case plants one hostile file in a private copy of data/ (FIFOs,
symbolic links and huge files are made here, at test time). Cases whose old behaviour was a
hang, a crash or unbounded memory run `kg build` in a subprocess with a time limit and an
address-space limit, so that a regression fails the test instead of hanging the suite or
exhausting the machine's memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_build import snapshot

from kg.cli import main
from kg.yamlreader import MAX_FILE_BYTES, MAX_NESTING

FACTS = "facts/002.yaml"
#: a few lines that expand to 9^9 (387 million) strings when aliases are followed
ALIAS_BOMB = "".join(
    [f"- &a0 [{', '.join(['lol'] * 9)}]\n"]
    + [f"- &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)]
)
SECONDS = 60
ADDRESS_SPACE = 3 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def build_in_subprocess(data: Path, published: Path) -> subprocess.CompletedProcess[str]:
    """`kg build` in its own process, stopped after SECONDS and limited to 3 GiB."""
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--data-dir", str(data), "--location",
         str(published)], capture_output=True, text=True, timeout=SECONDS, check=False,
        preexec_fn=_limit_memory)


def write(file: str, text: str) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        (data / file).write_text(text, encoding="utf-8")

    return edit


def replace_with(file: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        (data / file).unlink(missing_ok=True)
        make(data / file)

    return edit


def sparse_file(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("wb") as f:
            f.truncate(size)  # no disk blocks are written

    return make


#: (name, edit, file, reason); each ran away before (hang, crash or gigabytes of memory)
RUNAWAY = [
    ("alias-bomb", write("registry/units.yaml", ALIAS_BOMB), "registry/units.yaml",
     "&a0 at line 1, column 3: anchors and aliases are not allowed in data files"),
    ("nested-brackets", write("registry/units.yaml", "[" * 200_000), "registry/units.yaml",
     f"nested more than {MAX_NESTING} levels deep at line 1"),
    ("nested-block-sequences", write(FACTS, "- " * 200_000 + "x\n"), FACTS,
     f"nested more than {MAX_NESTING} levels deep at line 1"),
    ("fifo", replace_with("facts/005.yaml", lambda p: os.mkfifo(p)), "facts/005.yaml",
     "cannot be read: it is a FIFO (named pipe), not a file"),
    ("link-to-dev-zero", replace_with(FACTS, lambda p: p.symlink_to("/dev/zero")), FACTS,
     "is a symbolic link to /dev/zero, outside data/"),
    ("12-gib-file", replace_with(FACTS, sparse_file(12 << 30)), FACTS,
     f"is {12 << 30:,} bytes, more than the limit of {MAX_FILE_BYTES:,}"),
]


@pytest.mark.parametrize(("name", "edit", "file", "reason"), RUNAWAY,
                         ids=[case[0] for case in RUNAWAY])
def test_runaway_data_file_is_refused_at_once(name: str, edit: Callable[[Path], None],
                                              file: str, reason: str, data_copy: Path,
                                              published: Path) -> None:
    before = snapshot(published)
    edit(data_copy)
    done = build_in_subprocess(data_copy, published)
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: data/{file}: ") and reason in line, line
    assert snapshot(published) == before


def test_merge_key_is_refused_with_its_line(data_copy: Path, published: Path) -> None:
    path = data_copy / "registry" / "units.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + "- <<: {id: extra-unit, name_zh: 个}\n  name_en: extra\n", encoding="utf-8")
    line = path.read_text(encoding="utf-8").count("\n") - 1
    lines = refused(data_copy, published)
    assert lines == [f"error: data/registry/units.yaml: merge key << at line {line}, column 3: "
                     f"merge keys are not allowed in data files (write the fields out)"]


@pytest.mark.parametrize("file", [FACTS, "registry/people.yaml"])
def test_link_out_of_the_data_folder_is_refused_without_printing_its_lines(
        file: str, data_copy: Path, published: Path) -> None:
    replace_with(file, lambda p: p.symlink_to("/etc/passwd"))(data_copy)
    lines = refused(data_copy, published)
    assert lines == [f"error: data/{file}: is a symbolic link to /etc/passwd, outside data/"]


def test_link_inside_the_data_folder_is_read(data_copy: Path, tmp_path: Path) -> None:
    (data_copy / "shared-units.yaml").write_bytes((data_copy / "registry/units.yaml").read_bytes())
    replace_with("registry/units.yaml", lambda p: p.symlink_to("../shared-units.yaml"))(data_copy)
    from kg.datafiles import load_curated

    assert load_curated(data_copy).of_kind("unit")


def test_source_path_out_of_the_sources_folder_is_refused_without_printing_its_lines(
        data_copy: Path, published: Path) -> None:
    path = data_copy / FACTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("file: 002_4a3f87a1da74a320.txt",
                                 "file: ../../../../etc/passwd"), encoding="utf-8")
    lines = refused(data_copy, published)
    assert lines == [f"error: data/{FACTS}, record source: file: '../../../../etc/passwd' is "
                     f"not a bare file name (a source file is named without any folder)"]


def test_source_linked_out_of_the_sources_folder_is_refused(
        data_copy: Path, published: Path, seeds: Path, tmp_path: Path) -> None:
    own_seeds = tmp_path / "seeds"
    own_seeds.mkdir()
    for article in seeds.iterdir():
        (own_seeds / article.name).write_bytes(article.read_bytes())
    (own_seeds / "002_4a3f87a1da74a320.txt").unlink()
    (own_seeds / "002_4a3f87a1da74a320.txt").symlink_to("/etc/passwd")
    lines = refused(data_copy, published, "--seeds", str(own_seeds))
    assert len(lines) == 1
    assert lines[0].startswith(f"error: data/{FACTS}, record source: file: ")
    assert lines[0].endswith(f"002_4a3f87a1da74a320.txt points outside {own_seeds}")


def test_source_that_is_not_utf8_is_named_without_a_traceback(
        data_copy: Path, published: Path, seeds: Path, tmp_path: Path) -> None:
    own_seeds = tmp_path / "seeds"
    own_seeds.mkdir()
    for article in seeds.iterdir():
        (own_seeds / article.name).write_bytes(article.read_bytes())
    (own_seeds / "002_4a3f87a1da74a320.txt").write_bytes("国家卫生健康委".encode("gb18030"))
    lines = refused(data_copy, published, "--seeds", str(own_seeds))
    assert (f"error: data/{FACTS}, record source: file: 002_4a3f87a1da74a320.txt is not UTF-8 "
            f"text (byte 0xb9 on line 1)") in lines


def refused(data: Path, published: Path, *options: str) -> list[str]:
    """The error lines of `kg build` on data that must fail; checks the store is untouched
    and that no line of /etc/passwd was printed."""
    before = snapshot(published)
    result = CliRunner().invoke(main, ["build", "--data-dir", str(data), "--location",
                                       str(published), *options])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "root:" not in result.output
    assert snapshot(published) == before
    return result.stderr.splitlines()
