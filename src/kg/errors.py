"""Errors for people: each names the file, the record and the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


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


class ReportedError(KgError):
    """An error the service answers with an RFC 9457 problem document.

    How HTTP reports it is said once, by its class: `status`, `title`, `kind` (a short
    name for the problem type, stable for clients) and `retry_after` (seconds, for 503 and
    429). `public` false means the message may name files, hosts or exceptions: the
    service logs it and tells the client only that it could not answer."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "internal error"
    kind: ClassVar[str] = "internal-error"
    retry_after: ClassVar[int | None] = None
    public: ClassVar[bool] = True

    def __init_subclass__(cls, *, status: int | None = None, title: str | None = None,
                          kind: str | None = None, retry_after: int | None = None,
                          public: bool | None = None, **options: Any) -> None:
        """`class QueryTimeout(QueryError, status=503, title=..., kind=..., retry_after=1)`."""
        super().__init_subclass__(**options)
        given = {"status": status, "title": title, "kind": kind, "retry_after": retry_after,
                 "public": public}
        for name, value in given.items():
            if value is not None:
                setattr(cls, name, value)

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = {k: v for k, v in extra.items() if v is not None}
        """Members of the problem document beyond status, title, kind and detail."""

    def __reduce__(self) -> tuple[Any, ...]:  # keep the extras across a worker's pipe
        return (_rebuild, (type(self), self.message, self.extra))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def _rebuild(cls: type[ReportedError], message: str, extra: dict[str, Any]) -> ReportedError:
    return cls(message, **extra)


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
