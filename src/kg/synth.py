"""`kg synth`: deterministic synthetic national-scale data, written as streamed N-Quads.

The data is modelled exactly as `kg build` models the real graph (see rdf.py): entities
in the entities graph, one named graph per source article holding the article node,
its claims (post holdings, targets, monthly measurements) and their evidence
selectors. Everything synthetic is marked as such: IRIs carry `synth-`, labels say
合成 / synthetic, and no fact, name or quote comes from a real source.

Memory is flat in N: lines are written as they are made and only the entity tables
(at most ~2,800 counties with their agencies, officials and facilities) are kept.
"""

from __future__ import annotations

import gzip
import hashlib
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kg.settings import DEFAULT_BASE_IRI

H = "https://w3id.org/cn-health-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"

MAX_COUNTIES = 2800
PROVINCES = 31
TRIPLES_PER_COUNTY = 3600  # 10^7 triples -> ~2,800 counties
FACILITIES_PER_COUNTY = 10
FIRST_YEAR = 2015

SURNAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("黄", "Huang"),
    ("周", "Zhou"),
    ("吴", "Wu"),
]
GIVEN = [
    ("明", "ming"),
    ("华", "hua"),
    ("丽", "li"),
    ("强", "qiang"),
    ("军", "jun"),
    ("平", "ping"),
    ("芳", "fang"),
    ("伟", "wei"),
    ("静", "jing"),
    ("磊", "lei"),
]
FACILITY_KINDS = [
    ("Hospital", "医院", "hospital"),
    ("PrimaryCareCentre", "卫生院", "health centre"),
    ("Clinic", "诊所", "clinic"),
    ("ChildcareCentre", "托育中心", "childcare centre"),
]
#: (slug, Chinese name, English name, unit slug, low, high)
INDICATORS = [
    (
        "beds-per-1000",
        "每千人口医疗卫生机构床位数",
        "Hospital beds per 1,000 population",
        "per-1000",
        3,
        9,
    ),
    (
        "doctors-per-1000",
        "每千人口执业医师数",
        "Practising doctors per 1,000 population",
        "per-1000",
        1,
        5,
    ),
    (
        "childcare-places-per-1000",
        "每千人口托位数",
        "Childcare places per 1,000 population",
        "per-1000",
        1,
        6,
    ),
    (
        "family-doctor-coverage",
        "家庭医生签约覆盖率",
        "Family-doctor contract coverage",
        "percent",
        20,
        90,
    ),
    ("outpatient-visits", "门诊人次", "Outpatient visits", "visit", 1000, 900000),
    ("inpatient-admissions", "住院人次", "Inpatient admissions", "visit", 100, 90000),
    (
        "vaccination-rate",
        "适龄儿童免疫规划疫苗接种率",
        "Childhood vaccination rate",
        "percent",
        90,
        100,
    ),
    (
        "elderly-health-checks",
        "老年人健康体检人数",
        "Older people given health checks",
        "person",
        100,
        200000,
    ),
]
UNITS = {
    "per-1000": ("个/千人口", "per 1,000 population"),
    "percent": ("百分比", "per cent"),
    "visit": ("人次", "visits"),
    "person": ("人", "people"),
}


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal with the escapes the syntax requires."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


def typed(value: object, datatype: str) -> str:
    return literal(str(value), datatype=XSD + datatype)


@dataclass
class County:
    slug: str
    zh: str
    en: str
    province: int
    agency: str
    person: str
    post: str


class QuadWriter:
    """Writes quads of one named graph at a time and counts them."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0
        self.graph = ""

    def q(self, s: str, p: str, o: str) -> None:
        self.out.write(f"<{s}> <{p}> {o} <{self.graph}> .\n")
        self.count += 1

    def iri(self, s: str, p: str, o: str) -> None:
        self.q(s, p, f"<{o}>")

    def labels(self, s: str, zh: str, en: str | None) -> None:
        self.q(s, LABEL, literal(zh, "zh"))
        if en:
            self.q(s, LABEL, literal(en, "en"))


class Synthesiser:
    """The generator: `run` writes about `triples` quads (it stops after the county that
    reaches the number)."""

    def __init__(self, triples: int, seed: int, base: str = DEFAULT_BASE_IRI) -> None:
        self.target = triples
        self.rng = random.Random(seed)
        self.seed = seed
        self.b = base
        self.counties = max(PROVINCES, min(MAX_COUNTIES, triples // TRIPLES_PER_COUNTY))
        self.prefectures = max(PROVINCES, self.counties // 8)

    # ------------------------------------------------------------ IRIs

    def region(self, slug: str) -> str:
        return f"{self.b}region/{slug}"

    def province_slug(self, p: int) -> str:
        return f"synth-p{p:02d}"

    def person_name(self) -> tuple[str, str]:
        (sz, sp), (g1, p1), (g2, p2) = (
            self.rng.choice(SURNAMES),
            self.rng.choice(GIVEN),
            self.rng.choice(GIVEN),
        )
        return sz + g1 + g2, f"{sp} {(p1 + p2).capitalize()}"

    # ------------------------------------------------------------ entities

    def entities(self, w: QuadWriter) -> list[County]:
        b = self.b
        w.graph = f"{b}graph/entities"
        cn = self.region("cn")
        w.iri(cn, RDF_TYPE, H + "Country")
        w.labels(cn, "中国", "China")
        scheme = f"{b}scheme/indicators"
        w.iri(scheme, RDF_TYPE, SKOS + "ConceptScheme")
        w.labels(scheme, "卫生健康指标", "Health indicators")
        for slug, (zh, en) in UNITS.items():
            unit = f"{b}unit/synth-{slug}"
            w.iri(unit, RDF_TYPE, H + "Unit")
            w.labels(unit, f"{zh}（合成）", f"{en} (synthetic)")
        for slug, zh, en, unit, _, _ in INDICATORS:
            ind = f"{b}indicator/synth-{slug}"
            w.iri(ind, RDF_TYPE, H + "Indicator")
            w.labels(ind, f"{zh}（合成）", f"{en} (synthetic)")
            w.iri(ind, SKOS + "inScheme", scheme)
            w.iri(ind, H + "unit", f"{b}unit/synth-{unit}")
        outlet = f"{b}outlet/synth-health-bulletin"
        w.iri(outlet, RDF_TYPE, H + "NewsOutlet")
        w.labels(outlet, "合成卫生健康通报", "Synthetic Health Bulletin")
        role = f"{b}role/synth-director"
        w.iri(role, RDF_TYPE, H + "Role")
        w.labels(role, "主任（合成）", "Director (synthetic)")
        reporter = f"{b}person/synth-reporter"
        w.iri(reporter, RDF_TYPE, H + "Person")
        w.labels(reporter, "合成记者", None)
        w.q(reporter, H + "pinyin", literal("Hecheng Jizhe", "zh-Latn-pinyin"))
        for p in range(PROVINCES):
            prov = self.region(self.province_slug(p))
            w.iri(prov, RDF_TYPE, H + "Province")
            w.labels(prov, f"合成省{p + 1:02d}", f"Synthetic Province {p + 1:02d}")
            w.iri(prov, SCHEMA + "containedInPlace", cn)
            agency = f"{b}agency/{self.province_slug(p)}-health-commission"
            w.iri(agency, RDF_TYPE, H + "ProvincialAgency")
            w.labels(
                agency,
                f"合成省{p + 1:02d}卫生健康委员会",
                f"Health Commission of Synthetic Province {p + 1:02d}",
            )
            w.iri(agency, H + "jurisdiction", prov)
        for f in range(self.prefectures):
            pref = self.region(f"synth-f{f:04d}")
            w.iri(pref, RDF_TYPE, H + "Prefecture")
            w.labels(pref, f"合成市{f + 1:04d}", f"Synthetic Prefecture {f + 1:04d}")
            w.iri(pref, SCHEMA + "containedInPlace", self.region(self.province_slug(f % PROVINCES)))
        counties = []
        for c in range(self.counties):
            counties.append(self.county(w, c, role))
        return counties

    def county(self, w: QuadWriter, c: int, role: str) -> County:
        b = self.b
        slug = f"synth-c{c:04d}"
        pref = c % self.prefectures
        region = self.region(slug)
        zh, en = f"合成县{c + 1:04d}", f"Synthetic County {c + 1:04d}"
        w.iri(region, RDF_TYPE, H + "County")
        w.labels(region, zh, en)
        w.iri(region, SCHEMA + "containedInPlace", self.region(f"synth-f{pref:04d}"))
        agency = f"{b}agency/{slug}-health-bureau"
        w.iri(agency, RDF_TYPE, H + "LocalAgency")
        w.labels(agency, f"{zh}卫生健康局", f"Health Bureau of {en}")
        w.iri(agency, H + "jurisdiction", region)
        post = f"{b}post/{slug}-health-bureau/synth-director"
        w.iri(post, RDF_TYPE, H + "Post")
        w.labels(post, f"{zh}卫生健康局局长", f"Director, Health Bureau of {en}")
        w.iri(post, ORG + "postIn", agency)
        w.iri(post, ORG + "role", role)
        person = f"{b}person/{slug}-director"
        name_zh, name_py = self.person_name()
        w.iri(person, RDF_TYPE, H + "Person")
        w.labels(person, name_zh, None)
        w.q(person, H + "pinyin", literal(name_py, "zh-Latn-pinyin"))
        for k in range(FACILITIES_PER_COUNTY):
            cls, kind_zh, kind_en = FACILITY_KINDS[k % len(FACILITY_KINDS)]
            fac = f"{b}facility/{slug}-{k:02d}"
            w.iri(fac, RDF_TYPE, H + cls)
            w.labels(fac, f"{zh}第{k + 1}{kind_zh}", f"{en} {kind_en} {k + 1}")
            w.iri(fac, SCHEMA + "containedInPlace", region)
        return County(slug, zh, en, pref % PROVINCES, agency, person, post)

    # ------------------------------------------------------------ sources and claims

    def months(self) -> Iterator[tuple[int, int]]:
        year, month = FIRST_YEAR, 1
        while True:
            yield year, month
            month += 1
            if month > 12:
                year, month = year + 1, 1

    def claims(self, w: QuadWriter, counties: list[County]) -> None:
        by_province: dict[int, list[County]] = {}
        for county in counties:
            by_province.setdefault(county.province, []).append(county)
        for year, month in self.months():
            for p in range(PROVINCES):
                if w.count >= self.target:
                    return
                self.bulletin(w, year, month, p, by_province.get(p, []))

    def bulletin(
        self, w: QuadWriter, year: int, month: int, p: int, counties: list[County]
    ) -> None:
        """One source article: a province's monthly bulletin with its claims."""
        b = self.b
        sid = f"synth-{self.province_slug(p)[6:]}-{year}{month:02d}"
        source = f"{b}source/{sid}"
        w.graph = f"{b}graph/source/{sid}"
        ym = f"{year}-{month:02d}"
        title = f"合成省{p + 1:02d}{year}年{month}月卫生健康统计通报（合成数据）"
        w.iri(source, RDF_TYPE, H + "SourceArticle")
        w.labels(
            source, title, f"Synthetic Province {p + 1:02d} health statistics, {ym} (synthetic)"
        )
        w.q(source, DCT + "title", literal(title, "zh"))
        w.q(source, DCT + "issued", typed(ym, "gYearMonth"))
        w.q(source, DCT + "language", typed("zh", "language"))
        w.iri(source, SCHEMA + "publisher", f"{b}outlet/synth-health-bulletin")
        w.iri(source, SCHEMA + "author", f"{b}person/synth-reporter")
        w.q(source, H + "fileName", literal(f"{sid}.txt"))
        w.q(
            source, H + "sha256", literal(hashlib.sha256(f"{self.seed}/{sid}".encode()).hexdigest())
        )
        w.q(source, H + "dateInferred", typed("false", "boolean"))
        province = self.region(self.province_slug(p))
        agency = f"{b}agency/{self.province_slug(p)}-health-commission"
        mentioned = [province, agency, self.region("cn"), f"{b}person/synth-reporter"]
        mentioned += [f"{b}indicator/synth-{i[0]}" for i in INDICATORS]
        if month == 1:
            mentioned.append(f"{b}role/synth-director")
            mentioned += [
                self.region(f"synth-f{f:04d}") for f in range(p, self.prefectures, PROVINCES)
            ]
        offset = [0]

        def claim(cid: str, cls: str, zh: str, en: str, quote: str) -> str:
            node = f"{b}claim/{sid}/{cid}"
            evidence = f"{node}/evidence"
            w.iri(node, RDF_TYPE, H + cls)
            w.labels(node, zh, en)
            w.iri(node, PROV + "wasDerivedFrom", source)
            w.q(node, DCT + "date", typed(ym, "gYearMonth"))
            w.iri(node, H + "evidence", evidence)
            w.iri(evidence, RDF_TYPE, H + "Evidence")
            w.q(evidence, OA + "exact", literal(quote, "zh"))
            w.q(evidence, OA + "start", typed(offset[0], "integer"))
            offset[0] += len(quote)
            w.q(evidence, OA + "end", typed(offset[0], "integer"))
            w.iri(evidence, DCT + "source", source)
            return node

        if month == 1:
            for ind_slug, ind_zh, ind_en, unit, low, high in INDICATORS:
                value = self.rng.randint(low, high)
                node = claim(
                    f"t-{ind_slug}",
                    "Target",
                    f"目标：合成省{p + 1:02d}{ind_zh} {value}",
                    f"Target: {ind_en} (Synthetic Province {p + 1:02d}) {value}",
                    f"{year}年{ind_zh}达到{value}",
                )
                w.iri(node, H + "indicator", f"{b}indicator/synth-{ind_slug}")
                w.q(node, H + "value", typed(value, "decimal"))
                w.iri(node, H + "unit", f"{b}unit/synth-{unit}")
                w.iri(node, H + "comparator", H + "GreaterOrEqual")
                w.q(node, H + "deadline", typed(year, "gYear"))
                w.iri(node, H + "announcedBy", agency)
                w.iri(node, H + "place", province)
                w.q(node, H + "attributionInferred", typed("false", "boolean"))
        for county in counties:
            if w.count >= self.target:
                break
            mentioned += [self.region(county.slug), county.agency]
            if month == 1:
                mentioned += [county.person]
                node = claim(
                    f"p-{county.slug}",
                    "PostHolding",
                    f"{county.zh}卫生健康局局长（合成）",
                    f"Director, Health Bureau of {county.en}",
                    f"{county.zh}卫生健康局局长",
                )
                w.iri(node, ORG + "member", county.person)
                w.iri(node, ORG + "organization", county.agency)
                w.iri(node, ORG + "role", f"{b}role/synth-director")
                w.iri(node, H + "post", county.post)
                w.q(node, H + "titleAsStated", literal("局长", "zh"))
                mentioned += [
                    f"{b}facility/{county.slug}-{k:02d}" for k in range(FACILITIES_PER_COUNTY)
                ]
            for ind_slug, ind_zh, ind_en, unit, low, high in INDICATORS:
                value = self.rng.randint(low * 10, high * 10) / 10
                node = claim(
                    f"m-{county.slug}-{ind_slug}",
                    "Measurement",
                    f"数据：{county.zh}{ind_zh} {value}",
                    f"Figure: {ind_en} ({county.en}) {value}",
                    f"{county.zh}{ind_zh}为{value}",
                )
                w.iri(node, H + "indicator", f"{b}indicator/synth-{ind_slug}")
                w.q(node, H + "value", typed(value, "decimal"))
                w.iri(node, H + "unit", f"{b}unit/synth-{unit}")
                w.q(node, H + "asOf", typed(ym, "gYearMonth"))
                w.iri(node, H + "place", self.region(county.slug))
                w.iri(node, H + "reportedBy", county.agency)
                w.q(node, H + "attributionInferred", typed("false", "boolean"))
        for entity in mentioned:
            w.iri(source, SCHEMA + "mentions", entity)

    def run(self, out: IO[str]) -> int:
        """Write everything; returns the number of quads written."""
        writer = QuadWriter(out)
        counties = self.entities(writer)
        self.claims(writer, counties)
        return writer.count


@contextmanager
def open_output(path: Path) -> Iterator[IO[str]]:
    """A text stream to a file, gzip-compressed when the name ends in .gz."""
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1, newline="\n") as out:
            yield out
    else:
        with path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            yield out


def synthesise(triples: int, seed: int, output: Path, base: str = DEFAULT_BASE_IRI) -> int:
    """Write about `triples` synthetic quads to `output` (.nq or .nq.gz); returns the count."""
    with open_output(output) as out:
        return Synthesiser(triples, seed, base).run(out)
