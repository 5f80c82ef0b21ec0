"""SHACL validation that scales: the project's shapes compiled to SPARQL, run inside Oxigraph.

Each constraint of each property shape becomes one SELECT that returns the focus nodes
(and value nodes) that break it, evaluated over the union of all graphs, ontology
included, so that instances of subclasses meet the shapes of their superclasses exactly
as pySHACL does with the ontology as `ont_graph`. A node shape's sh:node brings in the
checks of the shapes it names (for the same focus nodes), reported as the constraint
broken inside them, as pySHACL's sh:detail tells it. Only the constraint components the
shapes use are compiled; any other component is refused (`ShapeCompileError`), so a new
kind of constraint cannot pass unchecked. tests/test_shapes_sparql.py proves the verdicts
equal pySHACL's on the seed graph and on every shapes fixture.

What it costs in Oxigraph, and so how the queries are written: scanning a predicate is
cheap (~0.3 us a triple), a join that looks each focus node up is not (~5-15 us), and
every mention of a term in an expression decodes it (~2-3 us for a string). So a check
first asks, over *all* subjects of the path, whether any value breaks the constraint
(an ASK that stops at the first hit, shared by every shape with the same constraint),
and only then joins the few breaking pairs with the shape's focus nodes; class tests
are a MINUS of the typed nodes, and value tests name the value as few times as they can.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.errors import KgError
from kg.namespaces import SH
from kg.shacl import SHAPES_DIR, ShapeReport, ShapeResult, load_turtle_dir, short

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: Marks a class whose subclasses (read from the store at run time) replace it in VALUES.
CLASS_MARK = "@subclasses-of:"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
CLASS_RE = re.compile(re.escape(CLASS_MARK) + r"(<[^>]+>)")
HANDLED = {SH.path, SH.severity, SH.message, SH.name, SH.description}
#: What a node shape may say besides its property shapes' constraints.
NODE_SHAPE_TERMS = {SH.property, SH.node, SH.targetClass, SH.targetObjectsOf, SH.targetNode}
#: One value looked up per focus node costs about as much as this many values scanned.
LOOKUP_COST = 4
RDF_LANGSTRING = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
#: Datatypes whose lexical forms pySHACL checks (rdflib converts them to Python values;
#: an ill-typed literal breaks sh:datatype). For the others (xsd:gYear, xsd:gYearMonth ...)
#: pySHACL checks the datatype IRI only, and so does this compiler. Well-formed here means
#: XSD's lexical space as Oxigraph reads it; rdflib also takes a few forms that Python's
#: int() and Decimal() take ("1_000", "1e3" as a decimal, " 1"): there the two disagree.
LEXICAL_DATATYPES = frozenset(
    XSD[name]
    for name in ("integer", "decimal", "boolean", "date", "dateTime", "time", "float", "double")
)


class ShapeCompileError(KgError):
    """A shape uses something this compiler does not translate."""


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint as a query: rows of ?focus break it."""

    shape: str
    path: str
    severity: str
    message: str
    component: str
    sparql: str
    screen: str | None = None
    """An ASK that does not depend on the target: false means the check cannot fail.
    Shapes with the same constraint share its text, so it runs once for all of them."""
    per_focus: PerFocus | None = None


@dataclass(frozen=True)
class PerFocus:
    """A minimum count that looks the values up per focus node (FILTER NOT EXISTS).

    The check's own query (MINUS) scans every value of the path once, whatever the
    target: cheaper for many focus nodes, dearer when few focus nodes share a path with
    many others (rdfs:label). Which to run is decided on the store by the two counts.
    """

    sparql: str
    focus_count: str
    value_count: str


def term(node: URIRef | Literal | BNode) -> str:
    """An rdflib term in SPARQL syntax."""
    if isinstance(node, BNode):
        raise ShapeCompileError(f"blank node {node} where an IRI or literal is expected")
    return node.n3()


class ShapeCompiler:
    """Translates the node shapes of one shapes graph to CompiledChecks."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes

    # ------------------------------------------------------------ paths

    def path(self, node: URIRef | BNode) -> tuple[str, str]:
        """A SHACL path as (SPARQL property path, readable form)."""
        g = self.g
        if isinstance(node, URIRef):
            return term(node), short(node)
        if (node, RDF.first, None) in g:
            parts = [self.path(item) for item in g.items(node)]  # type: ignore[arg-type]
            return "/".join(p for p, _ in parts), "/".join(r for _, r in parts)
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            sparql, readable = self.path(inverse)  # type: ignore[arg-type]
            return f"^({sparql})", f"^{readable}"
        alternative = g.value(node, SH.alternativePath)
        if alternative is not None:
            parts = [self.path(item) for item in g.items(alternative)]  # type: ignore[arg-type]
            return (
                "(" + "|".join(p for p, _ in parts) + ")",
                "(" + "|".join(r for _, r in parts) + ")",
            )
        raise ShapeCompileError(f"unsupported SHACL path {node}")

    # ------------------------------------------------------------ value tests

    def value_test(self, shape: URIRef | BNode, var: str = "?v") -> str:
        """A SPARQL expression true when `var` conforms to a shape made of value constraints."""
        tests = []
        for pred, obj in self.g.predicate_objects(shape):
            if pred in HANDLED:
                continue
            tests.append(self.value_constraint(pred, obj, var))
        return " && ".join(f"({t})" for t in tests) if tests else "true"

    def value_constraint(self, pred: URIRef, obj: object, var: str) -> str:
        """One value-node constraint as a boolean SPARQL expression over `var`, never an error.

        Each mention of `var` makes Oxigraph decode the term (a string lookup), so a test
        names it as few times as it can: `COALESCE(lang(?v) != "", false)` rather than
        `isLiteral(?v) && lang(?v) != ""` (lang() and str() fail where the guard would).
        """
        g = self.g
        if pred == SH.datatype:
            if obj == RDF_LANGSTRING:
                return f'COALESCE(lang({var}) != "", false)'
            test = f"datatype({var}) = {term(obj)}"  # type: ignore[arg-type]
            if obj in LEXICAL_DATATYPES:
                # well-formed: Oxigraph can cast it (it does not encode an ill-typed
                # literal as a value, so the cast fails)
                cast = f"{term(obj)}({var})"  # type: ignore[arg-type]
                test += f" && {cast} = {cast}"
            return f"COALESCE({test}, false)"
        if pred == SH["class"]:
            cls = term(obj)  # type: ignore[arg-type]
            return f"EXISTS {{ VALUES ?t {{ {CLASS_MARK}{cls} }} {var} {RDF_TYPE} ?t }}"
        if pred == SH.languageIn:
            ranges = [str(r) for r in g.items(obj)]  # type: ignore[arg-type]
            matches = " || ".join(f'langMatches(lang({var}), "{r}")' for r in ranges)
            return f"COALESCE({matches or 'false'}, false)"
        if pred == SH["in"]:
            members = [term(m) for m in g.items(obj)]  # type: ignore[arg-type]
            return " || ".join(f"sameTerm({var}, {m})" for m in members) or "false"
        if pred == SH.nodeKind:
            kinds = {SH.IRI: "isIRI", SH.Literal: "isLiteral", SH.BlankNode: "isBlank"}
            if obj not in kinds:
                raise ShapeCompileError(f"unsupported sh:nodeKind {obj}")
            return f"{kinds[obj]}({var})"  # type: ignore[index]
        if pred == SH.pattern:
            return f"COALESCE(regex(str({var}), {Literal(str(obj)).n3()}), false)"
        if pred == SH.minLength:
            return f"COALESCE(strlen(str({var})) >= {int(obj)}, false)"  # type: ignore[call-overload]
        if pred == SH.maxLength:
            return f"COALESCE(strlen(str({var})) <= {int(obj)}, false)"  # type: ignore[call-overload]
        if pred == SH.minInclusive:
            return f"COALESCE({var} >= {term(obj)}, false)"  # type: ignore[arg-type]
        if pred == SH.maxInclusive:
            return f"COALESCE({var} <= {term(obj)}, false)"  # type: ignore[arg-type]
        if pred == SH["or"]:
            options = [self.value_test(s, var) for s in g.items(obj)]  # type: ignore[arg-type]
            return " || ".join(f"({o})" for o in options) or "false"
        raise ShapeCompileError(f"unsupported constraint {short(pred)}")

    # ------------------------------------------------------------ shapes

    def targets(self, shape: URIRef) -> list[str]:
        """Graph patterns binding ?focus to the shape's focus nodes."""
        found = [
            f"VALUES ?class {{ {CLASS_MARK}{term(c)} }} ?focus {RDF_TYPE} ?class ."
            for c in self.g.objects(shape, SH.targetClass)
        ]
        found += [f"?x {term(p)} ?focus ." for p in self.g.objects(shape, SH.targetObjectsOf)]
        found += [f"BIND({term(n)} AS ?focus)" for n in self.g.objects(shape, SH.targetNode)]
        for pred in self.g.predicates(shape):
            if pred in (SH.targetSubjectsOf,):
                raise ShapeCompileError(f"{shape}: unsupported target {short(pred)}")
        return found

    def compile(self) -> list[CompiledCheck]:
        """The checks of every node shape with a target (a shape without one only counts
        where sh:node names it)."""
        checks = []
        for shape in sorted(self.g.subjects(RDF.type, SH.NodeShape)):
            targets = self.targets(shape)  # type: ignore[arg-type]
            if not targets:
                continue
            target = (
                targets[0] if len(targets) == 1 else " UNION ".join(f"{{ {t} }}" for t in targets)
            )
            checks += self.compile_node_shape(shape, target)  # type: ignore[arg-type]
        return checks

    def compile_node_shape(
        self, shape: URIRef | BNode, target: str, via: tuple[URIRef | BNode, ...] = ()
    ) -> list[CompiledCheck]:
        """The checks of a node shape on the focus nodes `target` binds, and through its
        sh:node those of the shapes it names, on the same focus nodes.

        A focus node that breaks a constraint of a named shape (however deep) does not
        conform to it, so it breaks the sh:node of `shape`: the check is reported as
        `shape`'s, with the path, component and message of the constraint inside, like
        the sh:detail of pySHACL's result. Its severity is that of the sh:node (a node
        shape has no sh:severity here, so Violation), whatever the inner constraint's.
        """
        if shape in via:
            cycle = " -> ".join(short(s) for s in (*via, shape))  # type: ignore[arg-type]
            raise ShapeCompileError(f"sh:node refers back to a shape that refers to it: {cycle}")
        for pred in set(self.g.predicates(shape)):
            if pred.startswith(str(SH)) and pred not in NODE_SHAPE_TERMS:
                raise ShapeCompileError(f"{shape}: unsupported node-shape constraint {short(pred)}")
        checks = []
        for prop in self.g.objects(shape, SH.property):
            checks += self.compile_property(str(shape), target, prop)  # type: ignore[arg-type]
        for named in self.g.objects(shape, SH.node):
            if (named, RDF.type, SH.NodeShape) not in self.g:
                raise ShapeCompileError(f"{shape}: sh:node {named} is not a node shape")
            inner = self.compile_node_shape(named, target, (*via, shape))  # type: ignore[arg-type]
            checks += [replace(c, shape=str(shape), severity="Violation") for c in inner]
        return checks

    def compile_property(self, shape: str, target: str, prop: BNode) -> list[CompiledCheck]:
        """The checks of one property shape.

        Each check is split in two: the pairs that break the constraint *whatever the
        target*, computed by scanning the path over all subjects (cheap: no per-focus
        index lookups, and the same text for every shape with the same constraint, so it
        is screened once), and the join of those few pairs with the shape's focus nodes.
        Only a count that must be reached (sh:minCount, sh:qualifiedMinCount) depends on
        the focus nodes from the start; it is the focus nodes MINUS the ones that reach it.
        """
        g = self.g
        path, readable = self.path(g.value(prop, SH.path))  # type: ignore[arg-type]
        severity = str(g.value(prop, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        messages = sorted(
            g.objects(prop, SH.message),
            key=lambda m: (getattr(m, "language", None) != "en", str(m)),
        )
        message = str(messages[0]) if messages else "constraint not met"
        focus = f"{{ SELECT DISTINCT ?focus WHERE {{ {target} }} }}"
        check = partial(CompiledCheck, shape, readable, severity, message)

        def broken(component: str, pairs: str, select: str = "?focus") -> CompiledCheck:
            """A check whose rows `pairs` (over all subjects) are joined with the focus nodes."""
            inner = f"{{ SELECT DISTINCT {select} WHERE {{ {pairs} }} }}"
            return check(
                component,
                f"SELECT DISTINCT {select} WHERE {{ {inner} {focus} }}",
                f"ASK {{ {pairs} }}",
            )

        def unmet(component: str, values: str, least: int) -> CompiledCheck:
            """A check on the focus nodes with fewer than `least` distinct ?v in `values`."""
            reached = (
                values
                if least == 1
                else f"SELECT ?focus WHERE {{ {values} }} GROUP BY ?focus "
                f"HAVING (COUNT(DISTINCT ?v) >= {least})"
            )
            per_focus = None
            if least == 1:
                per_focus = PerFocus(
                    f"SELECT DISTINCT ?focus WHERE {{ {focus} FILTER NOT EXISTS {{ {reached} }} }}",
                    f"SELECT (COUNT(*) AS ?n) WHERE {{ {focus} }}",
                    f"SELECT (COUNT(*) AS ?n) WHERE {{ {values} }}",
                )
            return check(
                component,
                f"SELECT DISTINCT ?focus WHERE {{ {focus} MINUS {{ {reached} }} }}",
                per_focus=per_focus,
            )

        def exceeded(values: str, most: int) -> str:
            return (
                f"{{ SELECT ?focus WHERE {{ {values} }} GROUP BY ?focus "
                f"HAVING (COUNT(DISTINCT ?v) > {most}) }}"
            )

        out: list[CompiledCheck] = []
        values = f"?focus {path} ?v ."
        for pred, obj in g.predicate_objects(prop):
            if pred in HANDLED or pred in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
                continue
            if pred == SH.minCount:
                if int(obj) > 0:  # type: ignore[call-overload]
                    out.append(unmet("MinCount", values, int(obj)))  # type: ignore[call-overload]
            elif pred == SH.maxCount:
                out.append(broken("MaxCount", exceeded(values, int(obj))))  # type: ignore[call-overload]
            elif pred == SH.uniqueLang:
                if str(obj).lower() != "true":
                    continue
                pairs = (
                    f"{{ SELECT ?focus ?lang WHERE {{ {values} BIND(lang(?v) AS ?lang) "
                    f'FILTER(?lang != "") }} GROUP BY ?focus ?lang '
                    f"HAVING (COUNT(DISTINCT ?v) > 1) }}"
                )
                out.append(broken("UniqueLang", pairs, "?focus ?lang"))
            elif pred == SH.lessThan:
                pairs = f"{values} ?focus {term(obj)} ?w . FILTER(!COALESCE(?v < ?w, false))"  # type: ignore[arg-type]
                out.append(broken("LessThan", pairs, "?focus ?v ?w"))
            elif pred == SH.equals:
                other = f"?focus {term(obj)} ?v"  # type: ignore[arg-type]
                pairs = (
                    f"{{ {values} MINUS {{ {other} }} }} UNION {{ {other} MINUS {{ {values} }} }}"
                )
                out.append(broken("Equals", pairs, "?focus ?v"))
            elif pred == SH.qualifiedValueShape:
                inner = self.value_test(obj, "?v")  # type: ignore[arg-type]
                qualified = f"{values} FILTER({inner})"
                least = g.value(prop, SH.qualifiedMinCount)
                most = g.value(prop, SH.qualifiedMaxCount)
                if least is not None and int(least) > 0:  # type: ignore[call-overload]
                    out.append(unmet("QualifiedMinCount", qualified, int(least)))  # type: ignore[call-overload]
                if most is not None:
                    pairs = exceeded(qualified, int(most))  # type: ignore[call-overload]
                    out.append(broken("QualifiedMaxCount", pairs))
            else:
                name = short(pred).split(":", 1)[-1]
                component = name[:1].upper() + name[1:]
                out.append(broken(component, self.value_pairs(pred, obj, values), "?focus ?v"))
        return out

    def value_pairs(self, pred: URIRef, obj: object, values: str) -> str:
        """Pairs (?focus, ?v) of `values` whose ?v breaks one value-node constraint.

        A class test (sh:class, or an sh:or of sh:class only) is a MINUS of the typed
        nodes, one hash join, rather than an EXISTS evaluated once per value.
        """
        classes = self.class_alternatives(pred, obj)
        if classes:
            members = " ".join(f"{CLASS_MARK}{c}" for c in classes)
            return f"{{ {values} }} MINUS {{ VALUES ?t {{ {members} }} ?v {RDF_TYPE} ?t }}"
        return f"{values} FILTER(!({self.value_constraint(pred, obj, '?v')}))"

    def class_alternatives(self, pred: URIRef, obj: object) -> list[str]:
        """The classes of sh:class C or sh:or ([sh:class C1] ...), else []."""
        if pred == SH["class"]:
            return [term(obj)]  # type: ignore[arg-type]
        if pred != SH["or"]:
            return []
        classes = []
        for option in self.g.items(obj):  # type: ignore[arg-type]
            tests = [(p, o) for p, o in self.g.predicate_objects(option) if p not in HANDLED]
            if len(tests) != 1 or tests[0][0] != SH["class"]:
                return []
            classes.append(term(tests[0][1]))  # type: ignore[arg-type]
        return classes


def compile_shapes(shapes: Graph | None = None) -> list[CompiledCheck]:
    """Every check of the shapes (default: shapes/ of the project)."""
    return ShapeCompiler(shapes if shapes is not None else load_turtle_dir(SHAPES_DIR)).compile()


def text_of(term_: object) -> str:
    return term_.value if isinstance(term_, (NamedNode, OxLiteral)) else str(term_)


def validate_store(
    store: Store,
    checks: Iterable[CompiledCheck] | None = None,
    *,
    graphs: list[str] | None = None,
    progress: Callable[[CompiledCheck], None] | None = None,
    workers: int | None = None,
) -> ShapeReport:
    """Run the compiled checks in a store (the union of `graphs`, default all)."""
    checks = list(checks if checks is not None else compile_shapes())
    counts = {"Violation": 0, "Warning": 0, "Info": 0}
    found: list[ShapeResult] = []
    options: dict[str, object] = {"use_default_graph_as_union": True}
    if graphs is not None:
        options = {"default_graph": [NamedNode(g) for g in graphs]}
    subclasses: dict[str, str] = {}
    counted: dict[str, int] = {}

    def expand(match: re.Match[str]) -> str:
        """A class and all its subclasses in the store (the ontology graph), as VALUES terms."""
        cls = match.group(1)
        if cls not in subclasses:
            rows = store.query(
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASS}>* {cls} }}", **options
            )  # type: ignore[arg-type]
            members = {f"<{row['c'].value}>" for row in rows if isinstance(row["c"], NamedNode)}
            subclasses[cls] = " ".join(sorted(members | {cls}))
        return subclasses[cls]

    def ask(text: str) -> bool:
        return bool(store.query(CLASS_RE.sub(expand, text), **options))  # type: ignore[arg-type]

    def count(text: str) -> int:
        if text not in counted:
            row = next(iter(store.query(CLASS_RE.sub(expand, text), **options)))  # type: ignore[arg-type, call-overload]
            counted[text] = int(row["n"].value)
        return counted[text]

    def query_of(compiled: CompiledCheck) -> str:
        """The check's query, or its per-focus form when lookups cost less than a scan."""
        lookup = compiled.per_focus
        if lookup and count(lookup.value_count) > LOOKUP_COST * count(lookup.focus_count):
            return lookup.sparql
        return compiled.sparql

    def rows(compiled: CompiledCheck) -> list[str]:
        sparql = CLASS_RE.sub(expand, query_of(compiled))
        return [text_of(row["focus"]) for row in store.query(sparql, **options)]  # type: ignore[arg-type, union-attr, index]

    for cls in {m for c in checks for m in CLASS_RE.findall(f"{c.sparql} {c.screen}")}:
        CLASS_RE.sub(expand, f"{CLASS_MARK}{cls}")  # fill the cache before the threads start
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        texts = sorted({c.screen for c in checks if c.screen is not None})
        screens = dict(zip(texts, pool.map(ask, texts), strict=True))
        needed = [c for c in checks if c.screen is None or screens[c.screen]]
        if progress:
            for compiled in checks:
                if compiled.screen is not None and not screens[compiled.screen]:
                    progress(compiled)
        for check, focus_nodes in zip(needed, pool.map(rows, needed), strict=True):
            for focus in focus_nodes:
                counts[check.severity] = counts.get(check.severity, 0) + 1
                found.append(
                    ShapeResult(focus, check.path, check.severity, check.message, check.component)
                )
            if progress:
                progress(check)
    found.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path or ""))
    text = "\n".join(f"{r.severity}: {r.focus} {r.path}: {r.message}" for r in found)
    return ShapeReport(
        conforms=counts["Violation"] == 0,
        violations=counts["Violation"],
        warnings=counts["Warning"],
        infos=counts["Info"],
        results=tuple(found),
        text=text or "Conforms.",
    )


def validate_graphs(graphs: dict[str, bytes], shapes_dir: Path | None = None) -> ShapeReport:
    """Validate named graphs given as N-Triples (name -> bytes) in an in-memory store."""
    store = Store()
    for name, ntriples in graphs.items():
        store.load(ntriples, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(name))
    shapes = load_turtle_dir(shapes_dir) if shapes_dir else None
    return validate_store(store, compile_shapes(shapes))
