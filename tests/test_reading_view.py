"""The reading view: a source's whole article with every claim's quote in place."""

from __future__ import annotations

import yaml
from fastapi.testclient import TestClient

from kg.claim_defaults import flatten
from kg.datafiles import DEFAULT_DATA_DIR
from kg.service.sentences import article_passages
from kg.sources import locate_source, read_source_text, sha256_of, source_folders


def _spans(source_id: str) -> tuple[str, str, str, list[tuple[str, int, int]]]:
    content = yaml.safe_load((DEFAULT_DATA_DIR / "facts" / f"{source_id}.yaml").read_text(
        encoding="utf-8"))
    path = locate_source(content["source"]["file"], source_folders())
    text = read_source_text(path)
    spans = []
    for claim in flatten(content).claims:
        start = text.find(claim.raw["evidence"])
        spans.append((claim.raw["id"], start, start + len(claim.raw["evidence"])))
    return content["source"]["file"], sha256_of(path), text, spans


def test_the_passages_are_the_article_and_every_quote_is_covered_by_its_claim() -> None:
    for path in sorted((DEFAULT_DATA_DIR / "facts").glob("*.yaml")):
        file, sha256, text, spans = _spans(path.stem)
        passages = article_passages(source_folders(), file, sha256, spans)
        assert passages is not None
        assert "".join(p.text for p in passages) == text
        position, covered = 0, {}
        for p in passages:
            for claim in p.claims:
                covered.setdefault(claim, []).append((position, position + len(p.text)))
            position += len(p.text)
        for claim, start, end in spans:
            runs = covered[claim]
            assert runs[0][0] == start and runs[-1][1] == end, claim
            assert sum(b - a for a, b in runs) == end - start, claim


def test_an_article_with_another_checksum_is_not_shown() -> None:
    file, _, _, spans = _spans("004")
    assert article_passages(source_folders(), file, "0" * 64, spans) is None


def test_the_source_page_links_each_quote_in_place(service_client: TestClient) -> None:
    page = service_client.get("/source/004",
                              headers={"accept": "text/html"}).text
    view = page[page.index('<div class="article"'):]
    view = view[:view.index("</div>")]
    _, _, _, spans = _spans("004")
    shared = {(a, b) for i, (_, a, b) in enumerate(spans)
              if any((a, b) == (a2, b2) for _, a2, b2 in spans[:i])}
    linked = [claim for claim, a, b in spans if (a, b) not in shared]
    assert linked
    for claim in linked:  # a quote nested in another still gets its own link
        assert f'/claim/004/{claim}"' in view, claim
