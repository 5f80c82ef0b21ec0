"""Errors for people, over HTTP: RFC 9457 problem documents with a plain message."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from starlette.responses import Response

from kg.query_errors import QueryError, QueryFailed

PROBLEM_MEDIA_TYPE = "application/problem+json"
_POSITION = re.compile(r"error at (\d+):(\d+)")
UNAVAILABLE = ("the query service could not answer just now (a query worker stopped, or the "
               "store did not answer); try again shortly")
log = logging.getLogger("kg.service")


class HttpProblem(Exception):
    """An error a route raises to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = extra.pop("headers", None) or {}


def problem_response(problem: HttpProblem) -> Response:
    body = {"status": problem.status, "title": problem.title, "detail": problem.detail,
            **problem.extra}
    return Response(json.dumps(body, ensure_ascii=False).encode(), status_code=problem.status,
                    media_type=PROBLEM_MEDIA_TYPE, headers=problem.headers)


def query_problem(error: QueryError) -> HttpProblem:
    """The one mapping from a query error to its HTTP answer (status, title, extras).

    A failure of the service itself (QueryFailed) is logged and told in user terms: its
    own message may name files, hosts or exceptions."""
    if isinstance(error, QueryFailed):
        log.warning("query failed: %s", error.message)
        return HttpProblem(error.status, error.title, UNAVAILABLE, headers=error.headers)
    extra = dict(error.extra)
    if "line" not in extra and (match := _POSITION.search(error.message)):
        extra.update(line=int(match.group(1)), column=int(match.group(2)))
    return HttpProblem(error.status, error.title, error.message, headers=error.headers, **extra)


def parameter_problem(error: Exception) -> HttpProblem:
    """422 for a request FastAPI's validation refused, naming the first bad parameter."""
    details = getattr(error, "errors", list)()
    first = details[0] if details else {}
    name = str(first.get("loc", ("", "request"))[-1])
    return HttpProblem(422, "invalid parameter", f"parameter '{name}': {first.get('msg', error)}",
                       parameter=name)


_DIGITS = re.compile(r"[0-9]{1,%d}")


def whole_number(name: str, value: str, *, digits: int = 9, minimum: int = 1) -> int:
    """A count written as ASCII digits (no more than `digits`, no sign, no '²' or '①', which
    Python's int() would take or choke on), or 422 naming the parameter."""
    if not re.fullmatch(_DIGITS.pattern % digits, value) or int(value) < minimum:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise HttpProblem(422, "invalid parameter",
                          f"parameter '{name}': {shown!r} is not a whole number from {minimum} "
                          f"to {10 ** digits - 1}", parameter=name)
    return int(value)
