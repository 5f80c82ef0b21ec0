"""The exception table: every error a request can end in has its class's status, title and
kind, and the app registers a handler for each (kg.service.problems)."""

from __future__ import annotations

import json
import pickle

from fastapi.testclient import TestClient

import kg.service.app  # noqa: F401 (imports every module whose errors a route may raise)
from kg.errors import ReportedError
from kg.query_errors import NotAcceptable, QueryFailed, QuerySyntaxError, UpdateRefused
from kg.service.problems import PROBLEMS, problem_response
from kg.store import StoreError


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_reported_error_class_is_in_the_table_with_its_own_kind() -> None:
    classes = _subclasses(ReportedError)
    assert classes <= set(PROBLEMS), classes - set(PROBLEMS)
    kinds = [c.__dict__["kind"] for c in classes if "kind" in c.__dict__]
    assert len(kinds) == len(set(kinds)), kinds
    assert all(400 <= c.status < 600 and c.title for c in classes)


def test_the_app_registers_a_handler_for_each_class(service_client: TestClient) -> None:
    handlers = service_client.app.exception_handlers  # type: ignore[attr-defined]
    assert set(PROBLEMS) <= set(handlers)


def _body(error: ReportedError) -> dict[str, object]:
    response = problem_response(error)
    assert response.media_type == "application/problem+json"
    body: dict[str, object] = json.loads(response.body)
    assert body["status"] == response.status_code == error.status
    return body


def test_not_acceptable_carries_its_answer_kind_across_a_worker_pipe() -> None:
    error = pickle.loads(pickle.dumps(NotAcceptable("graph")))
    assert isinstance(error, NotAcceptable) and error.answer_kind == "graph"
    body = _body(error)
    assert body["kind"] == "not-acceptable" and "text/turtle" in str(body["detail"])
    assert "application/sparql-results+json" not in str(body["detail"])


def test_a_syntax_error_names_its_line_and_column_as_members() -> None:
    body = _body(pickle.loads(pickle.dumps(QuerySyntaxError("error at 3:14: expected '}'"))))
    assert (body["line"], body["column"], body["kind"]) == (3, 14, "malformed-query")


def test_an_update_is_refused_403_with_its_policy() -> None:
    body = _body(UpdateRefused())
    assert (body["status"], body["policy"], body["kind"]) == (403, "read-only", "read-only")


def test_a_failure_of_the_service_or_store_is_logged_not_shown() -> None:
    for error in (QueryFailed("worker 4711 died: /srv/kg/secret"),
                  StoreError("the store at /srv/kg/secret cannot be opened")):
        response = problem_response(error)
        assert response.status_code == 503 and response.headers["retry-after"]
        assert b"secret" not in response.body
