"""Post holdings linked to the event where the text places the person (hkg:atEvent)."""

from __future__ import annotations

from pathlib import Path

from test_dates import select

from kg.build import BuildSummary


def test_a_post_holding_at_an_event_is_dated_by_the_event(
        built_store: tuple[Path, BuildSummary]) -> None:
    rows = select(built_store[0], """
        SELECT ?p ?date ?start WHERE {
          ?p a hkg:PostHolding ; hkg:atEvent ?e ; dcterms:date ?date .
          ?e schema:startDate ?start .
        }""")
    assert rows
    assert [r for r in rows if r["date"] != r["start"]] == []


def test_officials_at_press_conferences_and_not_elsewhere(
        built_store: tuple[Path, BuildSummary]) -> None:
    rows = select(built_store[0], """
        SELECT ?p ?e WHERE {
          ?p a hkg:PostHolding ; prov:wasDerivedFrom ?s .
          OPTIONAL { ?p hkg:atEvent ?e }
        }""")
    events = {r["p"].split("/claim/", 1)[1]: r.get("e", "").rsplit("/", 1)[-1] for r in rows}
    # 002: "近日,国家医保局举行新闻发布会" and then the NHSA officials speak
    assert {events[f"002/p-{p}"] for p in ("ding-yilei", "fan-weidong", "wang-wenjun",
                                          "fu-chaoqi", "huang-xinyu")} == {
        "nhsa-press-conference-2025-01"}
    # 001: "12月26日，国家卫生健康委召开新闻发布会 ... 新闻发言人、宣传司司长谢杨介绍"
    assert events["001/p-xie-yang-spokesperson"] == "nhc-press-conference-2025-12-26"
    # 004 quotes officials but does not say they spoke at the conference; doctors are at none
    assert events["004/p-yang-jianli"] == events["004/p-huang-xinyu"] == ""
    assert events["001/p-wang-yufeng"] == ""
