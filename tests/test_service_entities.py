"""Entity pages by kind, list pages, ontology, dataset, VoID partitions, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, VOID

from kg.settings import Settings

BASE = "https://w3id.org/cn-health-kg/"
HTML = {"accept": "text/html"}
TAGS = re.compile(r"xsd:|\^\^|@en\b|@zh\b")


def visible(html: str) -> str:
    """The page without its attributes and preformatted SPARQL (where IRIs may stay)."""
    html = re.sub(r"<pre>.*?</pre>", "", html, flags=re.S)
    return re.sub(r'\s(title|href|src|lang|class|hreflang|action|content)="[^"]*"', "", html)


@pytest.mark.parametrize(("url", "expected"), [
    ("/person/wang-haidong", ["职务", "宣布与报告", "2025年12月26日", "国家卫生健康委人口家庭司"]),
    ("/agency/nhc", ["内设机构", "医政司", "人员", "焦雅辉"]),
    ("/region/cn", ["下级地区", "河南省", "数据", "89万"]),
    ("/region/qinghai", ["机构设施"]),
    ("/indicator/new-inclusive-childcare-places", ["<svg", "66万", "89万", "目标"]),
    ("/source/001", ["按原文顺序的断言", "全国托育服务机构已达12.6万家"]),
    ("/claim/002/t-new-inclusive-childcare-places", ["<blockquote", "66万"]),
    ("/task/task-2025-childcare", ["每千人口"]),
])
def test_entity_pages_by_kind(service_client: TestClient, url: str,
                              expected: list[str]) -> None:
    service_client.cookies.clear()
    response = service_client.get(url, headers=HTML)
    assert response.status_code == 200
    for text in expected:
        assert text in response.text, (url, text)
    assert not TAGS.search(visible(response.text)), TAGS.search(visible(response.text))


def test_official_timeline_is_dated_in_order(service_client: TestClient) -> None:
    service_client.cookies.clear()
    html = service_client.get("/person/wang-haidong", headers=HTML).text
    said = html.split("宣布与报告")[1].split("</table>")[0]
    dates = re.findall(r"<td>(\d{4})年(\d+)月(?:(\d+)日)?</td>", said)
    assert len(dates) >= 3
    keys = [(int(y), int(m), int(d or 0)) for y, m, d in dates]
    assert keys == sorted(keys)


def test_source_claims_in_text_order(service_client: TestClient) -> None:
    html = service_client.get("/source/002", headers=HTML).text
    section = html.split("按原文顺序的断言")[1].split("</table>")[0]
    offsets = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', section)]
    assert len(offsets) > 10 and offsets == sorted(offsets)


def test_source_page_shows_each_quote_highlighted_in_its_sentence(
        service_client: TestClient, seeds: Path) -> None:
    """The sentence around each quote comes from the article on this machine; the quote in
    it is marked and is exactly the text at the claim's offsets."""
    html = service_client.get("/source/002", headers={"accept": "text/html"}).text
    sentences = re.findall(r'<span lang="zh" class="sentence">(.*?)</span>', html, re.S)
    assert len(sentences) > 50
    article = next(seeds.glob("002_*.txt")).read_text(encoding="utf-8")
    for sentence in sentences[:40]:
        before, marked, after = re.match(r"(.*?)<a [^>]*><mark>(.*?)</mark></a>(.*)",
                                         sentence, re.S).groups()
        assert unescape(before + marked + after) in article
        assert unescape(marked) in article


def test_incoming_links_are_counted_and_paged(service_client: TestClient) -> None:
    first = service_client.get("/agency/nhc", headers=HTML).text
    total = int(re.search(r"共 (\d+) 条链接", first).group(1))  # type: ignore[union-attr]
    assert total > 50
    assert 'rel="next"' in first
    last_page = -(-total // 50)
    last = service_client.get("/agency/nhc", params={"page": last_page}, headers=HTML).text
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert service_client.get("/agency/nhc", params={"page": "x"}).status_code == 422


@pytest.mark.parametrize(("kind", "member"), [
    ("person", "/person/wang-haidong"), ("indicator", "/indicator/childcare-places-per-1000"),
    ("agency", "/agency/nhc"), ("region", "/region/henan"), ("source", "/source/002"),
    ("task", "/task/task-2025-childcare")])
def test_list_pages(service_client: TestClient, kind: str, member: str) -> None:
    pages = []
    response = service_client.get(f"/{kind}", headers=HTML)
    assert response.status_code == 200
    pages.append(response.text)
    number = 2
    while 'rel="next"' in pages[-1]:
        pages.append(service_client.get(f"/{kind}", params={"page": number}, headers=HTML).text)
        number += 1
    assert any(f'href="http://testserver{member}"' in p for p in pages)


def test_source_list_shows_outlet_and_date(service_client: TestClient) -> None:
    html = service_client.get("/source", headers=HTML).text
    assert "/outlet/changjiang-daily" in html and "2025年1月" in html


def test_ontology_dereferences_to_the_whole_ontology(service_client: TestClient) -> None:
    turtle = service_client.get("/ontology", headers={"accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert len(graph) > 1000
    assert (URIRef(f"{BASE}ontology#Person"), None, None) in graph
    assert service_client.get("/ontology", headers=HTML).status_code == 200


def test_void_partitions_resolve(service_client: TestClient) -> None:
    void = Graph().parse(data=service_client.get("/void").text, format="turtle")
    partitions = list(void.objects(URIRef(f"{BASE}dataset"), VOID.classPartition))
    assert len(partitions) > 20
    for partition in partitions[:40]:
        path = str(partition).removeprefix(BASE)
        rdf = service_client.get(f"/{path}", headers={"accept": "text/turtle"})
        assert rdf.status_code == 200, path
        mine = Graph().parse(data=rdf.text, format="turtle")
        assert mine.value(partition, VOID["class"]) == void.value(partition, VOID["class"])
        assert service_client.get(f"/{path}", headers=HTML).status_code == 200
    person = service_client.get("/dataset/class/hkg:Person", headers=HTML).text
    assert "/person/wang-haidong" in person
    assert service_client.get("/dataset/class/hkg:Nothing").status_code == 404


def test_dataset_is_a_page_for_browsers(service_client: TestClient) -> None:
    page = service_client.get("/dataset", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/dataset/class/hkg:Person" in page.text
    rdf = Graph().parse(data=service_client.get(
        "/dataset", headers={"accept": "text/turtle"}).text, format="turtle")
    assert (URIRef(f"{BASE}dataset"), RDF.type, VOID.Dataset) in rdf
    redirect = service_client.get("/void", headers=HTML, follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"].endswith("/dataset")


def test_human_pages_carry_no_datatype_or_language_tags(service_client: TestClient) -> None:
    service_client.cookies.clear()
    for url in ("/", "/?lang=en", "/scorecard", "/api/queries/indicator-figures?indicator="
                "kgd:indicator/childcare-places-per-1000", "/api/queries/timeline",
                "/claim/001/m-new-inclusive-childcare-places-wang", "/dataset",
                "/graph/source/002", "/person"):
        html = service_client.get(url, headers=HTML).text
        assert not TAGS.search(visible(html)), (url, TAGS.search(visible(html)))
    service_client.cookies.clear()


# ---------------------------------------------------------------- escaping

HOSTILE = """\
@prefix hkg: <https://w3id.org/cn-health-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/cn-health-kg/person/evil> a hkg:Person ;
    rdfs:label "<script>alert('label')</script>"@zh ;
    hkg:pinyin "Evil <img src=x onerror=alert(1)>"@zh-Latn-pinyin .
<https://w3id.org/cn-health-kg/claim/999/s-evil> a hkg:Statement ;
    hkg:speaker <https://w3id.org/cn-health-kg/person/evil> ;
    prov:wasDerivedFrom <https://w3id.org/cn-health-kg/source/999> ;
    hkg:evidence <https://w3id.org/cn-health-kg/claim/999/s-evil/evidence> .
<https://w3id.org/cn-health-kg/claim/999/s-evil/evidence> a hkg:Evidence ;
    oa:exact "他说<b onmouseover=alert(2)>坏话</b>" .
<https://w3id.org/cn-health-kg/source/999> a hkg:SourceArticle ;
    rdfs:label "\\"><svg onload=alert(3)>"@zh .
<https://w3id.org/cn-health-kg/indicator/evil> a hkg:Indicator ;
    rdfs:label "</title><script>alert(4)</script>"@zh .
<https://w3id.org/cn-health-kg/region/evil> a hkg:Region ;
    rdfs:label "</text><script>alert(5)</script>"@zh .
<https://w3id.org/cn-health-kg/claim/999/m-evil> a hkg:Measurement ;
    hkg:indicator <https://w3id.org/cn-health-kg/indicator/evil> ;
    hkg:place <https://w3id.org/cn-health-kg/region/evil> ;
    hkg:value 12.5 ; hkg:asOf "2025-06-30"^^<http://www.w3.org/2001/XMLSchema#date> .
"""


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from kg.service.app import create_app
    from kg.service.context import ServiceConfig
    from kg.service.dataset import DatasetSource

    path: Path = tmp_path_factory.mktemp("hostile") / "hostile.ttl"
    path.write_text(HOSTILE, encoding="utf-8")
    app = create_app(ServiceConfig(source=DatasetSource(Settings(workers=1), files=(path,))))
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("url", ["/person/evil", "/person/evil?lang=en", "/person",
                                 "/search?q=script", "/search?q=%E5%9D%8F%E8%AF%9D",
                                 "/claim/999/s-evil", "/source/999", "/indicator/evil",
                                 "/region/evil"])
def test_values_from_the_data_are_escaped(hostile_client: TestClient, url: str) -> None:
    response = hostile_client.get(url, headers=HTML)
    assert response.status_code == 200, url
    html = response.text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<b onmouseover" not in html and "<svg onload" not in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html or "&lt;b onmouseover" in html \
        or "&lt;svg onload" in html


def test_suggest_json_keeps_the_text_as_data(hostile_client: TestClient) -> None:
    items = hostile_client.get("/search/suggest", params={"q": "evil"}).json()
    assert items[0]["label"] == "Evil <img src=x onerror=alert(1)>" or \
        items[0]["label"] == "<script>alert('label')</script>"


def test_pages_need_no_script(service_client: TestClient) -> None:
    """Everything but the optional autocomplete is plain HTML: no inline script, and
    the only script is our own file."""
    for url in ("/", "/scorecard", "/search?q=wang", "/person/wang-haidong",
                "/indicator/new-inclusive-childcare-places", "/api/queries/official-profile"):
        html = service_client.get(url, headers=HTML).text
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('src="http://testserver/static/' in s for s in scripts), (url, scripts)
        assert "<script>" not in html and " onclick=" not in html


def test_chart_text_is_escaped(hostile_client: TestClient) -> None:
    html = hostile_client.get("/indicator/evil", headers=HTML).text
    chart = html.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "&lt;/text&gt;&lt;script&gt;" in chart and "<script>" not in chart
