"""Errors for people: each names the file, the record and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    file: str
    record: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, record {self.record}" if self.record else self.file
        return f"{where}: {self.message}"


class KgError(Exception):
    """Base of the errors the command line reports without a traceback."""


class DataError(KgError):
    """The curated data failed a check; nothing was published."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ValidationError(KgError):
    """The RDF failed its SHACL shapes; nothing was published."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"SHACL: {len(problems)} violation(s); nothing was published\n{lines}")
