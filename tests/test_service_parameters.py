"""No parameter gives a 5xx: integers are read by the grammar they claim (ASCII digits,
bounded length), names to look up are bounded, and errors name the parameter."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from kg.catalogue import load_catalogue

BASE = "https://w3id.org/cn-health-kg/"
#: Python's int() takes '²' for isdigit() yet refuses it; '①' likewise; 4,301 digits is
#: past its int-string limit; the rest are plain mistakes.
BAD_COUNTS = ["²", "①", "١", "1" * 4301, "0", "-1", "+1", "1.5", "1e3", " 1", "1\n", ""]
BAD_INTEGERS = ["²", "①", "١", "1" * 4301, "9" * 19, "1.5", "1e3", "x"]
BAD_DECIMALS = ["²", "1" * 4301, "1." + "5" * 19, "1e3", "①.5"]


def first_entity(client: TestClient, kind: str) -> str:
    query = f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{BASE}{kind}/')) }} LIMIT 1"
    row = client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]
    return str(row["s"]["value"]).removeprefix(BASE)


@pytest.fixture(scope="module")
def paged_routes(service_client: TestClient) -> list[str]:
    """Every kind of paged page: a list, an entity, a graph, a class partition."""
    return ["/person", "/source", f"/{first_entity(service_client, 'person')}",
            f"/{first_entity(service_client, 'agency')}", "/graph/entities",
            "/dataset/class/hkg:Person"]


@pytest.mark.parametrize("value", BAD_COUNTS)
def test_a_page_that_is_not_a_page_number_is_422_on_every_paged_route(
        service_client: TestClient, paged_routes: list[str], value: str) -> None:
    for route in paged_routes:
        response = service_client.get(route, params={"page": value},
                                      headers={"Accept": "text/html"})
        assert response.status_code == 422, (route, value, response.status_code)
        assert response.json()["parameter"] == "page"


def test_a_good_page_number_still_pages(service_client: TestClient,
                                        paged_routes: list[str]) -> None:
    for route in paged_routes:
        assert service_client.get(route, params={"page": "1"}).status_code == 200, route
        assert service_client.get(route, params={"page": "999999999"}).status_code == 200


def numeric_parameters() -> list[tuple[str, str, str]]:
    return [(query.name, p.name, value) for query in load_catalogue().values()
            for p in query.params if p.type in ("integer", "decimal")
            for value in (BAD_INTEGERS if p.type == "integer" else BAD_DECIMALS)]


@pytest.mark.parametrize(("name", "parameter", "value"), numeric_parameters())
def test_a_numeric_saved_query_parameter_out_of_its_grammar_is_422(
        service_client: TestClient, name: str, parameter: str, value: str) -> None:
    response = service_client.get(f"/api/queries/{name}", params={parameter: value})
    assert response.status_code == 422, response.text[:200]
    assert response.json()["parameter"] == parameter


@pytest.mark.parametrize("value", ["1" * 4301, "20255", "²⁰²⁵", "２０２５"])
def test_scorecard_year_out_of_its_grammar_is_422(service_client: TestClient,
                                                  value: str) -> None:
    response = service_client.get("/scorecard", params={"year": value})
    assert response.status_code == 422
    assert response.json()["parameter"] == "year"


@pytest.mark.parametrize("value", ["²", "1" * 4301, "-5", "x"])
def test_suggest_limit_never_gives_a_5xx(service_client: TestClient, value: str) -> None:
    response = service_client.get("/search/suggest", params={"q": "wang", "limit": value})
    assert response.status_code in (200, 422)


def iri_parameters() -> list[tuple[str, str]]:
    return [(query.name, p.name) for query in load_catalogue().values()
            for p in query.params if p.type == "iri"]


@pytest.mark.parametrize(("name", "parameter"), iri_parameters())
def test_a_long_name_for_an_iri_parameter_is_422_at_once(
        service_client: TestClient, name: str, parameter: str) -> None:
    words = " ".join(["wang haidong li"] * 3000)  # 48 kB of name
    started = time.monotonic()
    response = service_client.get(f"/api/queries/{name}", params={parameter: words})
    assert response.status_code == 422
    assert response.json()["parameter"] == parameter
    assert "characters" in response.json()["detail"]
    assert time.monotonic() - started < 1.0


def test_a_long_value_of_any_parameter_is_422(service_client: TestClient) -> None:
    response = service_client.get("/api/queries/corroborated-figures",
                                  params={"lang": "x" * 5000})
    assert response.status_code == 422 and response.json()["parameter"] == "lang"


def test_a_failure_of_the_service_is_told_without_its_internal_text(
        service_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.query_errors import QueryFailed

    executor = service_client.app.state.context.executor  # type: ignore[attr-defined]

    async def fail(*args: object, **kwargs: object) -> None:
        raise QueryFailed("OSError: [Errno 5] /srv/kg/releases/x/oxigraph/000123.sst")

    monkeypatch.setattr(executor, "run", fail)
    response = service_client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 503 and response.headers["retry-after"]
    assert "Errno" not in response.text and "/srv/" not in response.text
    assert "try again" in response.json()["detail"]
