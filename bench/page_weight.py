"""Page weights: bytes over the wire of a page and everything it links (styles, scripts,
icons), uncompressed and as a browser fetches them (gzip/brotli offered).

    uv run python bench/page_weight.py [--origin http://127.0.0.1:8000] [PATH ...]

Against a running `kg serve`. Not a test: prints one line per page, nothing asserted.
"""

from __future__ import annotations

import argparse
import http.client
import re
from urllib.parse import urljoin, urlsplit

PAGES = ("/", "/sparql", "/indicator/all-public-general-hospitals-paediatrics")
LINKED = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"[^>]*>')


def fetch(url: str, encodings: str | None) -> tuple[int, bytes]:
    """Bytes of the body as sent (still compressed when the server compressed it)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    headers = {"Accept": "text/html"}
    if encodings:
        headers["Accept-Encoding"] = encodings
    connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                       headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def weigh(origin: str, path: str) -> tuple[int, int, int]:
    """(files, bytes uncompressed, bytes with gzip/br offered) of a page and its assets."""
    status, html = fetch(origin + path, None)
    if status != 200:
        raise SystemExit(f"{path}: HTTP {status}")
    linked = {urljoin(origin + path, u) for u in LINKED.findall(html.decode("utf-8", "replace"))}
    urls = [origin + path, *sorted(u for u in linked if u.startswith(origin))]
    plain = sum(len(fetch(u, None)[1]) for u in urls)
    packed = sum(len(fetch(u, "br, gzip")[1]) for u in urls)
    return len(urls), plain, packed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origin", default="http://127.0.0.1:8000")
    parser.add_argument("paths", nargs="*", default=list(PAGES))
    args = parser.parse_args()
    for path in args.paths:
        files, plain, packed = weigh(args.origin.rstrip("/"), path)
        print(f"{path}: {files} files, {plain / 1024:.1f} KiB uncompressed → "
              f"{packed / 1024:.1f} KiB over the wire")


if __name__ == "__main__":
    main()
