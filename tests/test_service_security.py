"""Security headers: a Content-Security-Policy on HTML, nosniff and a referrer policy on all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.service.security import inline_blocks, source_hash, template_hashes

HTML = {"Accept": "text/html"}
HTML_PAGES = ["/", "/downloads", "/api/queries", "/api/queries/task-scorecard",
              "/person/wang-haidong", "/claim/001/m-childcare-places-increase"]
VENDOR = Path(__file__).resolve().parents[1] / "src/kg/service/static/vendor"


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (d.split() for d in policy.split(";"))}


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_allow_only_own_assets_and_hashed_inline_blocks(
        service_client: TestClient, path: str) -> None:
    response = service_client.get(path, headers=HTML)
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    for kind in ("script", "style"):
        allowed = policy[f"{kind}-src"]
        assert "'unsafe-inline'" not in allowed and "*" not in allowed
        assert all(s == "'self'" or s.startswith("'sha256-") for s in allowed)
        for block in inline_blocks(response.text)[kind]:
            assert source_hash(block) in allowed, f"inline {kind} of {path} not allowed"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_editor_alone_allows_inline_styles_never_inline_scripts(
        service_client: TestClient) -> None:
    response = service_client.get("/sparql", headers=HTML)
    policy = directives(response.headers["content-security-policy"])
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    assert inline_blocks(response.text)["script"] == []


def test_api_docs_allow_exactly_their_one_inline_script(service_client: TestClient) -> None:
    response = service_client.get("/docs")
    scripts = inline_blocks(response.text)["script"]
    assert len(scripts) == 1 and "SwaggerUIBundle" in scripts[0]
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'", source_hash(scripts[0])]
    assert "cdn" not in response.text and "https://" not in response.text


def test_non_html_answers_carry_nosniff_but_no_policy(service_client: TestClient) -> None:
    response = service_client.get("/sparql", params={"query": "ASK {}"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers


def test_template_hashes_skip_blocks_built_by_jinja(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        "<style>p{color:red}</style><script src='x.js'></script>"
        "<script>var n = {{ n }};</script><script>go()</script>")
    hashes = template_hashes(tmp_path)
    assert hashes == {"style": [source_hash("p{color:red}")], "script": [source_hash("go()")]}


def test_static_assets_are_served_with_their_own_validators(service_client: TestClient) -> None:
    # uncompressed: the file's own strong tag (compressed it is the weak form of it,
    # see test_service_compression.py)
    response = service_client.get("/static/vendor/yasgui-4.6.2/yasgui.min.js",
                                  headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(("text/javascript",
                                                        "application/javascript"))
    assert response.headers.get_list("etag") == [response.headers["etag"]]
    assert not response.headers["etag"].startswith('W/"')  # not the dataset's tag


def test_every_vendored_package_keeps_its_licence_and_is_listed() -> None:
    readme = (VENDOR / "README.md").read_text()
    folders = [p for p in VENDOR.iterdir() if p.is_dir()]
    assert folders
    for folder in folders:
        assert (folder / "LICENSE").is_file(), folder.name
        name, version = re.fullmatch(r"(.+)-(\d+\.\d+\.\d+)", folder.name).groups()  # type: ignore[union-attr]
        assert f"`{folder.name}/`" in readme and f"| {version} |" in readme, folder.name
        assert name in readme
