"""Posts over time: every attested holding answers "who held post X on date D".

Each post and date is one run of the saved query, whose bound text is parsed anew (the
policy check, ~0.25 s of CPU each); so the default run checks a seeded sample of the posts
in each test, and `pytest -m exhaustive` checks every post.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

HOLDINGS = """
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?post ?person (STR(?when) AS ?d) WHERE {
  ?h a hkg:PostHolding ; hkg:post ?post ; org:member ?person ; dcterms:date ?when
}"""

#: Posts the default run checks in each test, drawn with SEED (None: every post).
SAMPLE_POSTS = 4
SEED = 20261207
EXTENT = [pytest.param(SAMPLE_POSTS, id="sample"),
          pytest.param(None, id="every-post", marks=pytest.mark.exhaustive)]


def bindings(response: object) -> list[dict[str, str]]:
    data = response.json()  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def holders(client: TestClient, post: str, day: str) -> dict[str, str]:
    response = client.get("/api/queries/post-holders", params={"post": post, "date": day},
                          headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return {row["person"]: row["status"] for row in bindings(response)}


def first_day(partial: str) -> str:
    return (partial + "-01-01")[:10] if len(partial) == 4 else (partial + "-01")[:10]


@pytest.fixture(scope="module")
def attestations(service_client: TestClient) -> dict[str, list[tuple[str, str]]]:
    """(date, person) of every attested holding, by post."""
    response = service_client.get("/sparql", params={"query": HOLDINGS},
                                  headers={"accept": "application/sparql-results+json"})
    by_post: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in bindings(response):
        by_post[row["post"]].append((row["d"], row["person"]))
    assert by_post, "the graph holds no post holdings"
    return dict(by_post)


def sample(by_post: dict[str, list[tuple[str, str]]], size: int | None
           ) -> dict[str, list[tuple[str, str]]]:
    """`size` of the posts, drawn with SEED (all of them if None or fewer)."""
    if size is None or size >= len(by_post):
        return by_post
    chosen = random.Random(SEED).sample(sorted(by_post), size)
    return {post: by_post[post] for post in sorted(chosen)}


@pytest.mark.parametrize("size", EXTENT)
def test_every_attested_holding_is_found_on_its_date(
        service_client: TestClient, attestations: dict[str, list[tuple[str, str]]],
        size: int | None) -> None:
    for post, seen in sample(attestations, size).items():
        for day in sorted({first_day(when) for when, _ in seen}):
            found = holders(service_client, post, day)
            for when, person in seen:
                if first_day(when) == day:
                    assert found.get(person) in ("attested", "dated"), (post, when, person)


def attested_more_than_once(by_post: dict[str, list[tuple[str, str]]]
                            ) -> dict[str, list[tuple[str, str]]]:
    """The posts with two or more attestations: where their order matters."""
    found = {post: seen for post, seen in by_post.items() if len(seen) > 1}
    assert found, "no post is attested twice"
    return found


@pytest.mark.parametrize("size", EXTENT)
def test_no_one_holds_a_post_before_its_first_attestation(
        service_client: TestClient, attestations: dict[str, list[tuple[str, str]]],
        size: int | None) -> None:
    for post, seen in sample(attested_more_than_once(attestations), size).items():
        earliest = min(when for when, _ in seen)
        assert holders(service_client, post, "1990-01-01") == {}, (post, earliest)


@pytest.mark.parametrize("size", EXTENT)
def test_after_the_last_attestation_the_latest_holders_remain(
        service_client: TestClient, attestations: dict[str, list[tuple[str, str]]],
        size: int | None) -> None:
    for post, seen in sample(attested_more_than_once(attestations), size).items():
        latest = max(when for when, _ in seen)
        found = holders(service_client, post, "2099-12-31")
        assert set(found) == {person for when, person in seen if when == latest}, post
        assert set(found.values()) <= {"last-attested", "dated"}


def test_a_person_page_shows_each_post_once_in_the_career(
        service_client: TestClient, attestations: dict[str, list[tuple[str, str]]]) -> None:
    people: dict[str, set[str]] = defaultdict(set)
    for post, seen in attestations.items():
        for _, person in seen:
            people[person].add(post)
    person, posts = max(people.items(), key=lambda item: len(item[1]))
    path = person.removeprefix("https://w3id.org/cn-health-kg/")
    page = service_client.get(f"/{path}",
                              headers={"accept": "text/html"}).text
    career = page[page.index('<ol class="career">'):]
    career = career[:career.index("</ol>")]
    assert career.count("<li>") == len(posts)
    for post in posts:
        assert career.count(f'/{post.removeprefix("https://w3id.org/cn-health-kg/")}">') == 1
