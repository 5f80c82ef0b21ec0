"""`kg new-source`: a fact-file skeleton for a new source article."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.files import UnreadableFile, read_regular_file
from kg.records import partial_date
from kg.sources import MAX_ARTICLE_BYTES, find_source

#: leading header lines an article file may carry ("TITLE: ...", "DATE: 2025-01-05")
HEADER_RE = re.compile(r"^\s*(TITLE|DATE|标题|日期)\s*[:：]\s*(.*?)\s*$")
HEADER_LINES = 10
ID_RE = re.compile(r"^[0-9]{3}$")


class ScaffoldError(KgError):
    """The article cannot be scaffolded (unreadable, id taken, bad id)."""


@dataclass(frozen=True)
class Scaffold:
    path: Path
    source_id: str
    title: str | None
    date: str | None
    notes: list[str]


def read_headers(text: str) -> tuple[str | None, str | None, list[str]]:
    """Title and date from leading TITLE:/DATE: lines; notes on what could not be used."""
    title = date = None
    notes: list[str] = []
    for line in [ln for ln in text.splitlines() if ln.strip()][:HEADER_LINES]:
        match = HEADER_RE.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key in ("TITLE", "标题") and value and title is None:
            title = value
        elif key in ("DATE", "日期") and value and date is None:
            try:
                date = partial_date(value)
            except ValueError as exc:
                notes.append(f"DATE line not used: {exc}")
    return title, date, notes


def choose_id(article: Path, facts_dir: Path, given: str | None) -> str:
    """--id, else the file name's leading NNN_, else one past the highest fact file."""
    if given is not None:
        if not ID_RE.match(given):
            raise ScaffoldError(f"--id {given!r}: a source id is three ASCII digits (e.g. 005)")
        return given
    if match := re.match(r"^([0-9]{3})_", article.name):
        return match.group(1)
    taken = [int(p.stem) for p in facts_dir.glob("*.yaml") if ID_RE.match(p.stem)]
    return f"{max(taken, default=-1) + 1:03d}"


def _render(source_id: str, article: Path, digest: str, title: str | None,
            date: str | None) -> str:
    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = [
        "source:",
        f'  id: "{source_id}"',
        f"  file: {text(article.name)}",
        f"  sha256: {digest}",
        "  # outlet: the registry id of the paper, if the page names it (registry/outlets.yaml)",
        f"  title_zh: {text(title)}" if title else
        "  # title_zh: the headline as printed (required)",
        "  # title_en: the headline in English (required)",
        f"  published: {date}" if date else
        "  # published: 2025-01 - as precise as the text gives it (required); if it is not\n"
        "  # printed, add published_inferred: true and a date_note saying how it was inferred",
        "  # authors: [pinyin-id, ...] - the writers the byline names (registry/people.yaml)",
        "claims: []",
        "# Each claim quotes one verbatim clause (see data/README.md); shared values go in",
        "# defaults, e.g.",
        "# claims:",
        "#   - defaults: {kind: measurement, reported_by: [nhc], as_of: 2025-01}",
        "#     claims:",
        "#       - id: m-...",
        "#         indicator: ...",
        "#         value: ...",
        "#         evidence: ...",
    ]
    return "\n".join(lines) + "\n"


def new_source(article: Path, data_dir: Path, folders: Sequence[Path],
               source_id: str | None = None) -> Scaffold:
    """Write data/facts/NNN.yaml for `article`; never overwrite an existing file."""
    try:
        raw = read_regular_file(article, MAX_ARTICLE_BYTES)
    except UnreadableFile as exc:
        raise ScaffoldError(f"{article}: {exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScaffoldError(f"{article}: is not UTF-8 text (save it as UTF-8)") from None
    facts_dir = data_dir / "facts"
    if not facts_dir.is_dir():
        raise ScaffoldError(f"{facts_dir}: folder not found")
    sid = choose_id(article, facts_dir, source_id)
    target = facts_dir / f"{sid}.yaml"
    if target.exists():
        raise ScaffoldError(f"{target} exists already; not overwritten (choose another --id)")
    title, date, notes = read_headers(text)
    body = _render(sid, article, hashlib.sha256(raw).hexdigest(), title, date)
    try:
        with target.open("x", encoding="utf-8") as out:
            out.write(body)
    except FileExistsError:
        raise ScaffoldError(f"{target} exists already; not overwritten") from None
    except OSError as exc:
        raise ScaffoldError(f"{target}: cannot write: {exc.strerror or exc}") from None
    found = find_source(article.name, folders)
    if found is None or found != article.resolve():
        notes.append(f"copy {article} into one of the source folders "
                     f"({', '.join(f'{f}/' for f in folders)}): the build checks it there by "
                     "its SHA-256")
    return Scaffold(target, sid, title, date, notes)


def next_steps(scaffold: Scaffold) -> list[str]:
    """What the curator does next, for the command to print."""
    todo = [] if scaffold.title else ["title_zh (the headline as printed)"]
    todo.append("title_en")
    if not scaffold.date:
        todo.append("published (with published_inferred and date_note if not printed)")
    return [
        f"wrote {scaffold.path} (source {scaffold.source_id})",
        *scaffold.notes,
        f"fill in: {', '.join(todo)}; outlet and authors if the page names them",
        "add claims, each with a verbatim evidence quote (data/README.md)",
        f"check: kg validate, then kg coverage --source {scaffold.source_id}",
    ]
