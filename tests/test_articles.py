"""Articles within a source file, photo and chart credits, anonymous speakers, Chinese summaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.articles import article_of
from kg.build import BuildSummary
from kg.checks import check_curated
from kg.datafiles import load_curated
from kg.errors import DataError
from kg.namespaces import prefix_map
from kg.store import EmbeddedStore


def select(location: Path, query: str) -> list[dict[str, str]]:
    store = EmbeddedStore.open(location)
    rows = store.select(query, prefixes=prefix_map(store.manifest["base_iri"]))
    return [{name: term.value for name, term in row.items()} for row in rows]


def test_a_quote_belongs_to_the_last_article_started_before_it() -> None:
    starts = [(10, "a"), (50, "b"), (90, "c")]
    assert article_of(starts, 5) is None
    assert article_of(starts, 10) == "a"
    assert article_of(starts, 89) == "b"
    assert article_of(starts, 400) == "c"


def test_file_001_is_six_articles_each_with_its_own_claims(
    built_store: tuple[Path, BuildSummary],
) -> None:
    rows = select(built_store[0], """
        SELECT ?title ?genre (GROUP_CONCAT(DISTINCT ?who; separator=",") AS ?authors)
               (SAMPLE(?byline) AS ?b) (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
          ?article a hkg:Article ; dcterms:isPartOf <source/001> ; dcterms:title ?title ;
                   hkg:genre ?genre .
          OPTIONAL { ?article schema:author/rdfs:label ?who FILTER(lang(?who) = "zh") }
          OPTIONAL { ?article hkg:bylineAsStated ?byline }
          OPTIONAL { ?claim hkg:inArticle ?article }
        } GROUP BY ?article ?title ?genre""".replace("<source/001>",
                                                    "<https://w3id.org/cn-health-kg/source/001>"))
    by_title = {r["title"]: r for r in rows}
    assert len(rows) == 6
    commentary = by_title["发展医养结合服务，促进健康老龄化"]
    assert commentary["genre"] == "commentary" and commentary["b"] == "本报评论员"
    assert commentary.get("authors", "") == ""
    assert set(by_title["河南发布 中医护理门诊 规范化建设指引"]["authors"].split(",")) == {
        "李季", "刘畅"}
    assert by_title["“最美”之光 照亮奋进征程"]["authors"] == "姚常房"
    assert all(int(r["claims"]) > 0 for r in rows)


def test_claims_sit_in_the_article_that_prints_them(
    built_store: tuple[Path, BuildSummary],
) -> None:
    rows = select(built_store[0], """
        SELECT ?claim ?title WHERE {
          ?c hkg:inArticle/dcterms:title ?title ; prov:wasDerivedFrom ?src .
          FILTER(?src = <https://w3id.org/cn-health-kg/source/001>)
          BIND(REPLACE(STR(?c), "^.*/", "") AS ?claim)
        }""")
    where = {r["claim"]: r["title"] for r in rows}
    assert where["s-one-hospital-one-policy"] == "发展医养结合服务，促进健康老龄化"
    assert where["t-henan-treatment-beds"] == "河南发布 中医护理门诊 规范化建设指引"
    assert where["s-wang-yufeng-age"] == "“最美”之光 照亮奋进征程"
    assert where["x-press-conference"] == "2025年卫生健康系统为民服务实事项目“成绩单”"


def test_photographers_and_chart_makers_are_not_authors(
    built_store: tuple[Path, BuildSummary],
) -> None:
    rows = select(built_store[0], """
        SELECT ?role ?name WHERE {
          ?thing schema:author|hkg:photographer|hkg:chartMaker ?p ; ?role ?p .
          FILTER(?role IN (schema:author, hkg:photographer, hkg:chartMaker))
          ?p rdfs:label ?name FILTER(lang(?name) = "zh")
        }""")
    roles: dict[str, set[str]] = {}
    for r in rows:
        roles.setdefault(r["name"], set()).add(r["role"].rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    assert roles["孙勃"] == {"photographer"}
    assert roles["梁晨"] == {"chartMaker"}
    assert roles["陈静文"] == {"author"}


def test_anonymous_speakers_and_chinese_summaries(
    built_store: tuple[Path, BuildSummary],
) -> None:
    rows = select(built_store[0], """
        SELECT ?who ?zh WHERE {
          ?s hkg:anonymousSpeaker ?who ; hkg:summary ?zh FILTER(lang(?zh) = "zh")
        }""")
    speakers = {r["who"] for r in rows}
    assert {"张女士", "陈先生", "王先生", "小李"} <= speakers
    assert any("县医院就能做心脏手术" in r["zh"] for r in rows if r["who"] == "陈先生")
    found = select(built_store[0], """
        SELECT ?s WHERE { ?s a hkg:Statement ; hkg:summary ?zh
                          FILTER(lang(?zh) = "zh" && CONTAINS(?zh, "一院一策")) }""")
    assert found


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("starts_at: 家庭医生上门", "starts_at: 家庭医生下乡", "starts_at not found verbatim"),
    ("starts_at: 河南发布 中医护理门诊 规范化建设指引", "starts_at: 发展医养结合服务",
     "in the order they start"),
    ("authors: [yao-changfang]", "authors: [yao-changfang]\n      photographers: [yao-changfang]",
     "both as author and for photos"),
])
def test_article_errors_name_the_article(
    data_copy: Path, seeds: Path, old: str, new: str, expected: str
) -> None:
    _edit(data_copy / "facts" / "001.yaml", old, new)
    with pytest.raises(DataError) as caught:
        check_curated(load_curated(data_copy), seeds)
    [problem] = caught.value.problems
    assert problem.file.endswith("facts/001.yaml")
    assert problem.record.startswith("source.articles.")
    assert expected in problem.message


def test_an_anonymous_speaker_must_be_printed(data_copy: Path, seeds: Path) -> None:
    facts = data_copy / "facts" / "004.yaml"
    _edit(facts, "anonymous_speaker: 陈先生", "anonymous_speaker: 陈女士")
    with pytest.raises(DataError) as caught:
        check_curated(load_curated(data_copy), seeds)
    [problem] = caught.value.problems
    assert problem.record == "s-anji-county-hospital" and "陈女士" in problem.message
