"""Content negotiation: q-weights, specificity, aliases, and the `format` parameter."""

from __future__ import annotations

import pytest

from kg.service.negotiation import (
    GRAPH_OFFERS,
    HTML_OFFER,
    RESULTS_OFFERS,
    UnknownFormat,
    choose,
    media_type_of,
    negotiate,
    parse_accept,
)

PAGE = (HTML_OFFER, *GRAPH_OFFERS)


@pytest.mark.parametrize(("accept", "offers", "expected"), [
    (None, RESULTS_OFFERS, "json"),
    ("", GRAPH_OFFERS, "ttl"),
    ("*/*", PAGE, "html"),
    ("text/csv;q=0.9, application/sparql-results+xml", RESULTS_OFFERS, "xml"),
    ("text/*;q=0.3, text/tab-separated-values;q=0.8", RESULTS_OFFERS, "tsv"),
    ("text/*", RESULTS_OFFERS, "csv"),
    ("application/json", RESULTS_OFFERS, "json"),
    ("application/json", GRAPH_OFFERS, "jsonld"),
    ("text/plain", GRAPH_OFFERS, "nt"),
    ("application/xml", GRAPH_OFFERS, "xml"),
    ("text/html;q=0.1, application/n-triples;q=0.2", PAGE, "nt"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", PAGE, "html"),
    ("text/turtle;q=0, */*;q=0.1", GRAPH_OFFERS, "nt"),
    ("TEXT/TURTLE", GRAPH_OFFERS, "ttl"),
])
def test_negotiate(accept: str | None, offers: tuple, expected: str) -> None:
    offer = negotiate(accept, offers)
    assert offer is not None and offer.format == expected


def test_nothing_acceptable() -> None:
    assert negotiate("text/turtle", RESULTS_OFFERS) is None
    assert negotiate("application/sparql-results+json;q=0", RESULTS_OFFERS[:1]) is None


def test_aliases_are_answered_in_the_canonical_type() -> None:
    offer = negotiate("application/x-turtle", GRAPH_OFFERS)
    assert offer is not None and media_type_of(offer) == "text/turtle"


def test_malformed_accept_entries_are_ignored() -> None:
    assert parse_accept("garbage, text/csv;q=abc, text/tab-separated-values")[-1].q == 1.0
    offer = negotiate("garbage, text/tab-separated-values", RESULTS_OFFERS)
    assert offer is not None and offer.format == "tsv"


@pytest.mark.parametrize(("value", "offers", "expected"), [
    ("csv", RESULTS_OFFERS, "csv"), ("XML", RESULTS_OFFERS, "xml"),
    ("xml", GRAPH_OFFERS, "xml"), ("turtle", GRAPH_OFFERS, "ttl"),
    ("json-ld", GRAPH_OFFERS, "jsonld"), ("application/n-quads", GRAPH_OFFERS, "nq"),
])
def test_format_parameter_beats_accept(value: str, offers: tuple, expected: str) -> None:
    offer = choose("application/sparql-results+json, text/turtle", value, offers)
    assert offer is not None and offer.format == expected


def test_unknown_format_parameter() -> None:
    with pytest.raises(UnknownFormat, match="ttl"):
        choose(None, "ttl", RESULTS_OFFERS)
