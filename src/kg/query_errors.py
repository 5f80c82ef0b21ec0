"""Why a query was not answered: one family of errors, each with its HTTP status.

Raised by the policy check (`kg.inspection`), by the query workers (pickled back
to the server as they are) and by the executor; the service turns any of them
into a problem document in one place, and the command line prints the message.
"""

from __future__ import annotations

from typing import Any

from kg.errors import KgError


class QueryError(KgError):
    """A query that was not answered; `status` and `title` say how HTTP reports it."""

    status = 400
    title = "query not answered"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = {k: v for k, v in extra.items() if v is not None}

    def __reduce__(self) -> tuple[Any, ...]:  # keep the extras across the worker's pipe
        return (_rebuild, (type(self), self.message, self.extra))

    @property
    def headers(self) -> dict[str, str]:
        return {}


def _rebuild(cls: type[QueryError], message: str, extra: dict[str, Any]) -> QueryError:
    return cls(message, **extra)


class QuerySyntaxError(QueryError):
    """The text is not SPARQL 1.1 (the message gives line and column where known)."""

    title = "malformed query"


class QueryRefused(QueryError):
    """The query asks for something this read-only, offline service never does.

    `policy` ('read-only', 'service' or 'remote-graph') lets clients tell a refusal
    on purpose from an error."""

    title = "query not allowed"

    @property
    def status(self) -> int:  # type: ignore[override]
        return 403 if self.extra.get("policy") == "read-only" else 400

    @property
    def policy(self) -> str:
        return str(self.extra.get("policy", ""))


class QueryTooComplex(QueryError):
    """The text exceeds a size or nesting limit checked before any parser runs."""

    title = "query too complex"


class QueryUnsupported(QueryError):
    """The engine parsed the query but cannot evaluate it (e.g. an unknown function)."""

    title = "query not supported"


class NotAcceptable(QueryError):
    """The client accepts no format for this kind of result ('results' or 'graph')."""

    status = 406
    title = "not acceptable"


class QueryTimeout(QueryError):
    """The query did not finish within the time limit and was stopped."""

    status = 503
    title = "query timed out"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class TooManyQueries(QueryError):
    """The client's query held a worker beyond its share and another client needed it."""

    status = 429
    title = "too many queries"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class QueryMemoryLimit(QueryError):
    """The query needed more memory than a query worker may have, and was stopped."""

    status = 503
    title = "query memory limit"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message, **{"limit": "memory", **extra})

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class QueryFailed(QueryError):
    """No answer through no fault of the query: its worker died, or none can start."""

    status = 503
    title = "query service unavailable"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "2"}
