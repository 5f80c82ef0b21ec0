"""gzip on text answers and cache lifetimes of static files (in process)."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import AsyncIterator

import anyio
import httpx
from fastapi.testclient import TestClient
from starlette.responses import StreamingResponse
from starlette.types import Message

from kg.service.assets import IMMUTABLE, REVALIDATE
from kg.service.compression import CompressionMiddleware

PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


def raw(client: TestClient, path: str, headers: dict[str, str]) -> httpx.Response:
    """The answer as sent (the body still compressed when it was)."""
    with client.stream("GET", path, headers=headers) as response:
        response.raw_body = b"".join(response.iter_raw())  # type: ignore[attr-defined]
        return response


def test_pages_are_gzipped_and_say_so(service_client: TestClient) -> None:
    plain = raw(service_client, "/", {**PLAIN, "Accept-Language": "en"})
    packed = raw(service_client, "/", {**GZIP, "Accept-Language": "en"})
    assert plain.headers.get("content-encoding") is None
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert gzip.decompress(packed.raw_body) == plain.raw_body  # type: ignore[attr-defined]
    assert len(packed.raw_body) < len(plain.raw_body) / 2  # type: ignore[attr-defined]
    assert packed.headers["etag"].startswith('W/"')  # the dataset tag is weak already


def test_sparql_results_gzipped(service_client: TestClient) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 2000"
    packed = raw(service_client, f"/sparql?query={query}",
                 {**GZIP, "Accept": "application/sparql-results+json"})
    assert packed.headers["content-encoding"] == "gzip"
    rows = json.loads(gzip.decompress(packed.raw_body))["results"]["bindings"]  # type: ignore[attr-defined]
    assert len(rows) == 2000


def test_a_stream_stays_a_stream() -> None:
    """Each chunk of a streamed answer leaves compressed and complete, before the next
    is produced (nothing is held back until the end)."""
    chunks = [f"chunk {i} ".encode() * 200 for i in range(3)]
    produced: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for i, chunk in enumerate(chunks):
            produced.append(i)
            yield chunk

    app = CompressionMiddleware(StreamingResponse(body(), media_type="text/plain"))
    sent: list[Message] = []
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)

    async def receive() -> Message:  # the client never leaves
        await anyio.sleep_forever()
        raise AssertionError

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and message.get("more_body"):
            # what has left so far decodes to exactly the chunks produced so far
            seen = decoder.decompress(message["body"])
            assert seen == chunks[len(produced) - 1]
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [
        (b"accept-encoding", b"gzip")], "query_string": b""}
    anyio.run(app, scope, receive, send)
    assert dict(sent[0]["headers"])[b"content-encoding"] == b"gzip"
    assert len([m for m in sent if m["type"] == "http.response.body"]) >= 3


def test_compressed_static_file_has_a_weak_tag_that_revalidates(
        service_client: TestClient) -> None:
    plain = raw(service_client, "/static/kg.css", PLAIN)
    packed = raw(service_client, "/static/kg.css", GZIP)
    assert plain.headers["etag"].startswith('"')
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["etag"] == "W/" + plain.headers["etag"]
    again = service_client.get("/static/kg.css",
                               headers={**GZIP, "If-None-Match": packed.headers["etag"]})
    assert again.status_code == 304


def test_versioned_assets_are_immutable_others_revalidate(service_client: TestClient) -> None:
    page = service_client.get("/sparql", headers={"Accept": "text/html"}).text
    linked = re.findall(r'(?:href|src)="https?://[^/"]+(/static/[^"]+)"', page)
    own = [u for u in linked if "?v=" in u]
    vendored = [u for u in linked if u.startswith("/static/vendor/")]
    assert own and vendored, linked
    assert {u.split("?")[0] for u in own} >= {"/static/kg.css", "/static/editor.js"}
    for url in own + vendored:
        assert service_client.get(url).headers["cache-control"] == IMMUTABLE, url
    bare = own[0].split("?")[0]
    assert service_client.get(bare).headers["cache-control"] == REVALIDATE
    assert service_client.get(bare + "?v=000000000000").headers["cache-control"] == REVALIDATE
