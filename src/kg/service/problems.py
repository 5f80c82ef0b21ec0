"""Errors for people, over HTTP: RFC 9457 problem documents with a plain message.

Every error a route may raise is a `kg.errors.ReportedError` whose class says its
status, title and kind; `PROBLEMS` lists them, and `create_app` registers one handler
per class from it, so no route translates an error by hand.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from kg import query_errors
from kg.errors import ReportedError
from kg.search import IndexNotReady
from kg.store import StoreError

PROBLEM_MEDIA_TYPE = "application/problem+json"
UNAVAILABLE = ("the query service could not answer just now (a query worker stopped, or the "
               "store did not answer); try again shortly")
log = logging.getLogger("kg.service")


class HttpProblem(ReportedError):
    """A request the service itself refuses; each subclass is one kind of refusal."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, **extra)


class BadRequest(HttpProblem, status=400, title="bad request", kind="bad-request"):
    """The request is malformed (its encoding, a repeated or missing protocol part)."""


class NotFound(HttpProblem, status=404, title="not found", kind="not-found"):
    """Nothing of that name here: a resource, a dump, a saved query, a table."""


class RequestTooLarge(HttpProblem, status=413, title="request too large", kind="request-too-large"):
    """The request body exceeds the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body exceeds {limit} bytes", limit=limit)


class UnsupportedMediaType(HttpProblem, status=415, title="unsupported media type",
                           kind="unsupported-media-type"):
    """A POST body of a media type (or charset) the protocol does not define."""


class InvalidParameter(HttpProblem, status=422, title="invalid parameter",
                       kind="invalid-parameter"):
    """A parameter's value is not one this operation accepts; `parameter` names it."""

    def __init__(self, parameter: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, parameter=parameter, **extra)


class PageTimeout(HttpProblem, status=503, title="request timed out", kind="request-timeout",
                  retry_after=1):
    """A page, search or document took longer than the time limit."""


class UnknownFormat(HttpProblem, status=400, title="unknown format", kind="unknown-format"):
    """A `format` parameter that names no format of this kind."""


#: Every error class a request may end in, each answered from its own attributes.
PROBLEMS: tuple[type[ReportedError], ...] = (
    BadRequest, NotFound, RequestTooLarge, UnsupportedMediaType, InvalidParameter, PageTimeout,
    UnknownFormat,
    query_errors.QueryError, query_errors.QuerySyntaxError, query_errors.NoQuery,
    query_errors.QueryRefused,
    query_errors.UpdateRefused, query_errors.QueryTooComplex, query_errors.QueryUnsupported,
    query_errors.NotAcceptable, query_errors.QueryTimeout, query_errors.TooManyQueries,
    query_errors.QueryMemoryLimit, query_errors.QueryFailed,
    StoreError, IndexNotReady, HttpProblem, ReportedError,
)


def problem_response(error: ReportedError) -> Response:
    """The problem document of an error, from its class (status, title, kind, Retry-After)
    and its message and extras; a message that is not public is logged, not shown."""
    detail = error.message
    if not error.public:
        log.warning("%s: %s", error.kind, error.message)
        detail = UNAVAILABLE
    body = {"status": error.status, "title": error.title, "kind": error.kind,
            "detail": detail, **error.extra}
    return Response(json.dumps(body, ensure_ascii=False).encode(), status_code=error.status,
                    media_type=PROBLEM_MEDIA_TYPE, headers=error.headers)


async def answer_problem(request: Request, error: Exception) -> Response:
    """The handler registered for each class of PROBLEMS."""
    assert isinstance(error, ReportedError)
    return problem_response(error)


async def answer_invalid_request(request: Request, error: Exception) -> Response:
    """422 for a request FastAPI's validation refused, naming the first bad parameter."""
    details = getattr(error, "errors", list)()
    first = details[0] if details else {}
    name = str(first.get("loc", ("", "request"))[-1])
    return problem_response(InvalidParameter(
        name, f"parameter '{name}': {first.get('msg', error)}"))


def exception_handlers() -> dict[type[Exception], Any]:
    """The table create_app registers: one handler per error class."""
    return {**{cls: answer_problem for cls in PROBLEMS},
            RequestValidationError: answer_invalid_request}


_DIGITS = re.compile(r"[0-9]{1,%d}")


def whole_number(name: str, value: str, *, digits: int = 9, minimum: int = 1) -> int:
    """A count written as ASCII digits (no more than `digits`, no sign, no '²' or '①', which
    Python's int() would take or choke on), or 422 naming the parameter."""
    if not re.fullmatch(_DIGITS.pattern % digits, value) or int(value) < minimum:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise InvalidParameter(name, f"parameter '{name}': {shown!r} is not a whole number "
                                     f"from {minimum} to {10 ** digits - 1}")
    return int(value)
