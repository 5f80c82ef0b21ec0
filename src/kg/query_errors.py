"""Why a query was not answered: one family of errors, each with how HTTP reports it.

Raised by the policy check (`kg.inspection`), by the query workers (pickled back
to the server as they are), by the executor and by the stores; the service answers
each with a problem document from its class (`kg.service.problems`), and the command
line prints the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from kg.errors import ReportedError
from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS

READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"
_POSITION = re.compile(r"error at (\d+):(\d+)")
AnswerKind = Literal["results", "graph", "page"]
_ANSWER_NOUNS = {"results": "query results", "graph": "a graph", "page": "this resource"}


class QueryError(ReportedError, status=400, title="query not answered", kind="query-not-answered"):
    """A query that was not answered."""


class QuerySyntaxError(QueryError, title="malformed query", kind="malformed-query"):
    """The text is not SPARQL 1.1 (the message gives line and column where known; they
    are also members `line` and `column`)."""

    def __init__(self, message: str, **extra: Any) -> None:
        if "line" not in extra and (match := _POSITION.search(message)):
            extra.update(line=int(match.group(1)), column=int(match.group(2)))
        super().__init__(message, **extra)


class NoQuery(QuerySyntaxError, title="no query", kind="no-query"):
    """An empty text, or only comments and a prologue (the update grammar reads it as an
    update of no operation): there is nothing to run, nor any position to point at."""

    def __init__(self, message: str = "there is no query here: the text holds no SELECT,"
                 " CONSTRUCT, ASK or DESCRIBE", **extra: Any) -> None:
        super().__init__(message, **extra)


class QueryRefused(QueryError, title="query not allowed", kind="query-refused"):
    """The query asks for something this read-only, offline service never does.

    `policy` ('service', 'remote-graph', 'unverifiable', 'network'; 'read-only' for an
    update) lets clients tell a refusal on purpose from an error."""

    @property
    def policy(self) -> str:
        return str(self.extra.get("policy", ""))


class UpdateRefused(QueryRefused, status=403, title="read-only", kind="read-only"):
    """A SPARQL update, or a request to run one: this endpoint is read-only."""

    def __init__(self, message: str = READ_ONLY, **extra: Any) -> None:
        super().__init__(message, **{**extra, "policy": "read-only"})


class QueryTooComplex(QueryError, title="query too complex", kind="query-too-complex"):
    """The text exceeds a size or nesting limit checked before any parser runs."""


class QueryUnsupported(QueryError, title="query not supported", kind="query-unsupported"):
    """The engine parsed the query but cannot evaluate it (e.g. an unknown function)."""


class NotAcceptable(QueryError, status=406, title="not acceptable", kind="not-acceptable"):
    """The client accepts no format offered for this kind of answer: `answer_kind` is
    'results' (SELECT, ASK), 'graph' (CONSTRUCT, DESCRIBE) or 'page'; `offered` lists
    the media types it could have had (by default those of the answer kind); a `note`
    says where else to look."""

    def __init__(self, answer_kind: AnswerKind, offered: Iterable[str] = (),
                 note: str = "") -> None:
        self.answer_kind = answer_kind
        self.offered = tuple(dict.fromkeys(offered)) or default_media_types(answer_kind)
        self.note = note
        super().__init__(f"no acceptable format for {_ANSWER_NOUNS[answer_kind]}; offered: "
                         f"{', '.join(self.offered)}" + (f" ({note})" if note else ""))

    def __reduce__(self) -> tuple[Any, ...]:
        return (NotAcceptable, (self.answer_kind, self.offered, self.note))


def default_media_types(answer_kind: AnswerKind) -> tuple[str, ...]:
    """The media types of the formats of one kind of answer (none for a page)."""
    formats = {"results": RESULTS_FORMATS, "graph": GRAPH_FORMATS}.get(answer_kind, {})
    return tuple(dict.fromkeys(f.media_type for f in formats.values()))


class QueryTimeout(QueryError, status=503, title="query timed out", kind="query-timeout",
                   retry_after=1):
    """The query did not finish within the time limit and was stopped."""


class TooManyQueries(QueryError, status=429, title="too many queries", kind="too-many-queries",
                     retry_after=1):
    """The client's query held a worker beyond its share and another client needed it."""


class QueryMemoryLimit(QueryError, status=503, title="query memory limit",
                       kind="query-memory-limit", retry_after=1):
    """The query needed more memory than a query worker may have, and was stopped."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message, **{"limit": "memory", **extra})


class QueryFailed(QueryError, status=503, title="query service unavailable", kind="query-failed",
                  retry_after=2, public=False):
    """No answer through no fault of the query: its worker died, none can start, or the
    store did not answer (the message, which may name hosts, is logged, not shown)."""

