"""A crawl of the site from `/`, as a link checker sees it (HTTP, no JavaScript).

Breadth-first over same-origin links, at most MAX_PAGES HTML pages: no 5xx; no page
names an asset (script, stylesheet, image, frame) on another host; human pages show
no RDF datatype tag (`^^`, `xsd:`) in their text.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

MAX_PAGES = 300
FILE_SUFFIXES = (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".xml", ".csv", ".tsv",
                 ".xlsx", ".json", ".png", ".svg", ".js", ".css")
ASSET_ATTRIBUTES = {"script": "src", "img": "src", "iframe": "src", "source": "src",
                    "embed": "src", "video": "src", "audio": "src", "link": "href"}
DATATYPE_TAG = re.compile(r"\^\^|\bxsd:")
# Pages whose human view is being rewritten on another branch (issue 9, items 5-6:
# readable tables and entity pages). Until it is merged, their datatype tags are
# reported by this test but not failed on; remove a prefix once its pages are rewritten.


class PageParser(HTMLParser):
    """Links to follow, assets the page loads, and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "form" and values.get("action"):
            self.links.append(values["action"] or "")
        name = ASSET_ATTRIBUTES.get(tag)
        if name and values.get(name) and not (tag == "link" and "stylesheet" not in (
                values.get("rel") or "") and "icon" not in (values.get("rel") or "")):
            self.assets.append(values[name] or "")
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def same_origin(url: str, origin: str) -> bool:
    return url == origin or url.startswith(origin + "/")


def test_crawl_finds_no_server_error_no_foreign_asset_no_datatype_tag(origin: str) -> None:
    queue, seen = deque([origin + "/"]), {origin + "/"}
    crawled: list[str] = []
    errors: list[str] = []
    foreign: list[str] = []
    tagged: list[str] = []
    with httpx.Client(headers={"Accept": "text/html"}, timeout=60) as client:
        while queue and len(crawled) < MAX_PAGES:
            url = queue.popleft()
            response = client.get(url)
            crawled.append(url)
            if response.status_code >= 500:
                errors.append(f"{response.status_code} {url}")
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            page = PageParser()
            page.feed(response.text)
            foreign += [f"{url} loads {a}" for a in page.assets
                        if not same_origin(urljoin(url, a), origin)
                        and not a.startswith(("data:", "blob:"))]
            text = " ".join(page.text)
            path = urlsplit(url).path
            if path != "/docs" and (match := DATATYPE_TAG.search(text)):
                finding = f"{url}: …{text[max(0, match.start() - 40):match.end() + 20]}…"
                tagged.append(finding)
            for href in page.links:
                target = urldefrag(urljoin(url, href)).url
                parts = urlsplit(target)
                if (same_origin(target, origin) and target not in seen
                        and not parts.path.endswith(FILE_SUFFIXES)
                        and "format=" not in parts.query):
                    seen.add(target)
                    queue.append(target)
    print(f"crawled {len(crawled)} pages")
    assert len(crawled) >= 50, "the crawl should reach the entity pages from /"
    assert errors == []
    assert foreign == []
    assert tagged == []
