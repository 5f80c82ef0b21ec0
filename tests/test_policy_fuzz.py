"""Differential fuzz: the policy and the engine read the text that runs the same way.

Queries are generated from the SPARQL grammar with a fixed seed, full of what parsers
read differently: comments ended by every line terminator (and by characters that are
not one), codepoint escapes in and out of strings, IRIs and prefixed names, ECHARs,
long strings, `<` between an operand and a `#`, nested groups, OPTIONAL, UNION,
EXISTS, MINUS, GRAPH, subqueries, FROM / FROM NAMED, LOAD. Each is made canonical
(`kg.sparql_lexer`) as the service does; then the policy's reading (rdflib's parse
and algebra, `kg.inspection`) is compared with the engine's, observed on an
in-memory Oxigraph store, unsandboxed, whose every SERVICE, FROM and LOAD target is a
socket this test listens on: a connection during evaluation is a SERVICE the engine
read (where lazy evaluation calls none, Oxigraph's own plan, `oxigraph query --explain`,
says whether it has one); a different answer when the query's own dataset is overridden is a FROM it
read; Oxigraph's update parser accepting the text (and a LOAD connecting) is an
update it read. Any difference fails.

`KG_POLICY_FUZZ_CASES` sets how many queries are generated (default 300).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from external_servers import oxigraph_binary
from hostile_corpus import FINDINGS

from kg.inspection import inspect_query
from kg.query_errors import QueryError, QueryRefused
from kg.service.dataset import DatasetSource
from kg.service.worker import Checked, QueryJob, Worker, WorkerSetup
from kg.settings import Settings
from kg.sparql_lexer import canonicalise

SEED = 20261207
CASES = int(os.environ.get("KG_POLICY_FUZZ_CASES", "300"))


#: The listener runs in its own process: Oxigraph holds the GIL while it waits for an answer.
LISTENER = """
import socket, sys
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
counts = open(sys.argv[1], "ab", buffering=0)
while True:
    conn, _ = server.accept()
    counts.write(b".")
    conn.close()
"""


class Listener:
    """A TCP server on 127.0.0.1, in another process, that counts who connects to it."""

    def __init__(self, counts: Path) -> None:
        self.counts = counts
        counts.write_bytes(b"")
        self.process = subprocess.Popen([sys.executable, "-c", LISTENER, str(counts)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    @property
    def connections(self) -> int:
        return self.counts.stat().st_size

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def listener(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Listener]:
    listening = Listener(tmp_path_factory.mktemp("fuzz") / "connections")
    yield listening
    listening.close()


# ---------------------------------------------------------------- the engine's reading

@dataclass(frozen=True)
class EngineReading:
    query: bool
    """Oxigraph parses the text as a query."""
    service: bool
    """Evaluating it connected to the listener."""
    dataset: bool
    """Its answer changes when its own dataset (FROM, FROM NAMED) is overridden."""
    update: bool
    """Oxigraph's update parser accepts it (a LOAD in it connected, or could)."""


class Engine:
    """An in-memory Oxigraph store whose remote targets all point at the listener."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.location = listener.counts.parent / "empty-store"
        if not self.location.exists():  # an empty store for the command line to open
            empty = ox.Store(str(self.location))
            del empty
        self.graph = ox.NamedNode(f"http://127.0.0.1:{listener.port}/g")
        self.store = ox.Store()
        s, p = ox.NamedNode("urn:kg:s"), ox.NamedNode("urn:kg:p")
        self.store.add(ox.Quad(s, p, ox.Literal("default")))
        # the named graph holds the default graph's triple (so GRAPH ?g joins) and one more
        self.store.add(ox.Quad(s, p, ox.Literal("default"), self.graph))
        self.store.add(ox.Quad(s, p, ox.Literal("from"), self.graph))

    def _answer(self, text: str, **dataset: object) -> object:
        """The answer, or None if evaluation failed (a SERVICE refused: nothing to compare)."""
        try:
            result = self.store.query(text, **dataset)  # type: ignore[arg-type]
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            return sorted(tuple(str(v) for v in row) for row in result)
        except Exception:
            return None

    def plans_service(self, text: str) -> bool:
        """Whether Oxigraph's plan of the query (`oxigraph query --explain`) calls SERVICE."""
        done = subprocess.run(
            [oxigraph_binary(), "query", "--location", str(self.location), "--explain",
             "--results-format", "json"],
            input=text, capture_output=True, text=True, timeout=60, check=False)
        return "Service(" in done.stderr

    def read(self, text: str) -> EngineReading:
        before = self.listener.connections
        try:
            self.store.query(text)
            query = True
        except SyntaxError:
            query = False
        except Exception:
            query = True
        own = self._answer(text) if query else None
        overridden = self._answer(text, default_graph=[ox.DefaultGraph()],
                                  named_graphs=[self.graph]) if query else None
        update = False
        try:
            ox.Store().update(text)
            update = True
        except SyntaxError:
            pass
        except Exception:
            update = True
        return EngineReading(query, self.listener.connections > before,
                             own is not None and overridden is not None and own != overridden,
                             update)


# ---------------------------------------------------------------- the generator

#: What ends a comment (LF, CR, CRLF, as escapes too) and what does not (U+2028, U+0085...).
LINE_ENDS = ["\n", "\r", "\r\n", "\\u000A", "\\u000D", "\\u000d\\u000a"]
NOT_LINE_ENDS = ["\u2028", "\u2029", "\u0085", "\x0c", "\x0b", " "]
SAFE_PIECES = ["a", " ", "#", "'", "}", ")", "<", "\\\"", "\\\\", "\\u0041", "\\\\u0041",
               "\\U0001F46A", "\u2028", "SERVICE <{T}/s> {{}}"]
STRING_PIECES = ["a", " ", "#", "'", '"', "}", ")", "{", "\\\"", "\\'", "\\\\", "\\n",
                 "\\u0022", "\\u0027", "\\u005C", "\\u005c", "\\u0000005C", "\\U0000005C",
                 "\\u00410042", "\\u0041", "\\\\u0041", "\\U0001F46A", "\u2028", "\u0085",
                 "\n", "\r", "<", ">", "SERVICE <{T}/s> {{}}"]


class Generator:
    """Random queries from the grammar, with tricks that hide or reveal a payload."""

    def __init__(self, seed: int, port: int) -> None:
        self.rng = random.Random(seed)
        self.t = f"http://127.0.0.1:{port}"
        self.var = 0

    def fresh(self) -> str:
        self.var += 1
        return f"?v{self.var}"

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def terminator(self) -> str:
        return self.rng.choice(LINE_ENDS if self.rng.random() < 0.75 else NOT_LINE_ENDS)

    def space(self) -> str:
        r = self.rng.random()
        if r < 0.8:
            return self.pick(" ", "\n", "\t", "\r\n", "  ")
        comment = self.pick("", " c", " }", ' "', " <")
        return f" #{comment}{self.terminator()}"

    def service(self) -> str:
        t = self.t
        return self.pick(
            f"SERVICE <{t}/s> {{ ?a ?b ?c }}",
            f"SERVICE SILENT <{t}/s> {{ }}",
            f"service <{t}/s#'> {{ }}",
            "SERVICE <\\u0068ttp://127.0.0.1:" + t.rsplit(":", 1)[1] + "/s> { }",
            "SERVICE svc:x { }",
            "SERVICE svc:\\#x { }",
            "SERVICE svc:a\\'b { }",
            "\\u0053ERVICE <" + t + "/s> { }",
            f"VALUES ?e {{ <{t}/s> }} SERVICE ?e {{ }}",
        )

    def hide(self, payload: str) -> str:
        """The payload behind a trick some reader may take for a comment or a string."""
        term = self.terminator()
        comment = self.pick("", " x", ">", '"')
        return self.pick(
            f"#{comment}{term}{payload}{self.terminator()}",
            f"FILTER(1<2)#>{term}{payload}{term}",
            f'FILTER("\\u0022) }} #" != "x") {payload}\n',
            f"FILTER(\"\\u0000005C\" != 'x') {payload} #\")\n",
            f"FILTER(?o<?o||1>0) {payload}",
            f"BIND('''#''' AS {self.fresh()}) {payload}",
            f'BIND("a\\\\" AS {self.fresh()}) {payload} #"{term}',
            f"?s <{self.t}/#> ?o . {payload}",
            f"BIND(\"\\u005C\" AS {self.fresh()}) {payload}",
            f'?s ?p """\n#""" . {payload}',
            f"\\u0023{term}{payload}\n",
            payload,
        )

    def string(self) -> str:
        choices = STRING_PIECES if self.rng.random() < 0.4 else SAFE_PIECES
        pieces = "".join(self.rng.choice(choices) for _ in range(self.rng.randint(0, 5)))
        pieces = pieces.replace("{T}", self.t).replace("{{}}", "{}")
        quote = self.pick("'", '"', "'''", '"""')
        return f"{quote}{pieces}{quote}"

    def element(self, depth: int) -> str:
        kinds = ["triple", "triple", "filter", "bind", "values", "path"]
        if depth < 3:
            kinds += ["optional", "union", "exists", "subquery", "graph", "minus", "group"]
        kind = self.rng.choice(kinds)
        if self.rng.random() < 0.2:
            return self.hide(self.service())
        g = lambda: self.group(depth + 1)  # noqa: E731
        s, p, o = self.fresh(), self.fresh(), self.fresh()
        return {
            "triple": lambda: f"{s} {p} {o} .",
            "path": lambda: self.pick(f"{s} (<urn:kg:p>|<urn:kg:q>)* {o} .",
                                      f"{s} <urn:kg:p>? {o} .", f"{s} ^<urn:kg:p>/<urn:kg:p> {o} .",
                                      f"{s} svc:a\\-b|<urn:kg:p> {o} .", f"{s}<urn:kg:p>{o}."),
            "filter": lambda: self.pick(f"FILTER({s}<{o}||1<2)", "FILTER(1<2)",
                                        f"FILTER(!BOUND({s})||1>=0)", "FILTER(STR(?o)<\"z\")",
                                        f"FILTER(<urn:kg:f#>({s})||true)",
                                        f"FILTER(CONCAT (STR(?o), {self.string()}) != \"\")",
                                        f"FILTER(COALESCE ({s}, 1) IN (1, <urn:kg:v>))",
                                        "FILTER(isBLANK(BNODE ( )) && REGEX (STR(?o), \"d\"))"),
            "bind": lambda: f"BIND({self.string()} AS {self.fresh()})",
            "values": lambda: f"VALUES ({self.fresh()}) {{ (<urn:kg:v#1>) ({self.string()}) }}",
            "optional": lambda: f"OPTIONAL {{ {g()} }}",
            "union": lambda: f"{{ {g()} }} UNION {{ {g()} }}",
            "exists": lambda: f"FILTER {self.pick('', 'NOT ')}EXISTS {{ {g()} }}",
            "subquery": lambda: f"{{ SELECT * WHERE {{ {g()} }} }}",
            "graph": lambda: f"GRAPH ?g {{ {g()} }}",
            "minus": lambda: f"MINUS {{ {g()} }}",
            "group": lambda: f"{{ {g()} }}",
        }[kind]()

    def group(self, depth: int) -> str:
        parts = ["?s ?p ?o ."] + [self.element(depth) for _ in range(self.rng.randint(0, 3))]
        return self.space().join(parts)

    def query(self) -> str:
        r = self.rng.random()
        if r < 0.05:
            load = self.pick(f"LOAD <{self.t}/d>", f"LOAD SILENT <{self.t}/d> INTO GRAPH <urn:g>",
                             f"\\u004cOAD <{self.t}/d>")
            return self.pick(load, f"#{self.terminator()}{load}",
                             f"ASK {{}} #{self.terminator()}{load}")
        dataset = ""
        if r < 0.3:
            dataset = self.pick(f"FROM <{self.t}/g>", f"FROM NAMED <{self.t}/g>", "FROM svc:g",
                                "FROM <\\u0068ttp://127.0.0.1:" + self.t.rsplit(":", 1)[1]
                                + "/g>")
            if self.rng.random() < 0.5:
                term = self.terminator()
                dataset = f"#{term}{dataset}{self.terminator()}"
        return (f"PREFIX svc: <{self.t}/>{self.space()}SELECT *{self.space()}{dataset}"
                f"{self.space()}WHERE {{ {self.group(0)} }}{self.space()}")


# ---------------------------------------------------------------- the comparison

def disagreement(text: str, engine: Engine) -> str | None:
    """How the policy's and the engine's readings of what would run differ (None: same)."""
    try:
        canonical = canonicalise(text)
        shape = inspect_query(canonical)
    except QueryRefused as refused:
        if refused.policy != "read-only":
            return None  # refused unread: nothing runs
        seen = engine.read(canonical.text)
        return "policy: an update; engine: a query" if seen.query and not seen.update else None
    except QueryError:
        return None  # not SPARQL to the policy: nothing runs
    seen = engine.read(canonical.text)
    problems = []
    # Oxigraph calls SERVICE ?var only once ?var is bound, which the generator does not
    # promise: there, only a call the policy did not see counts
    observable = not re.search(r"SERVICE (SILENT )?[?$]", canonical.text, re.IGNORECASE)
    if shape.uses_service and not seen.service and observable:
        # evaluation is lazy (an EXISTS met early, an empty default graph): ask for the plan
        seen = replace(seen, service=engine.plans_service(canonical.text))
    if seen.service != shape.uses_service and (seen.service or observable):
        problems.append(f"SERVICE: policy {shape.uses_service}, engine {seen.service}")
    if not seen.query:
        problems.append("the engine cannot parse the text the policy read")
    if seen.dataset and not shape.from_graphs:
        problems.append("FROM: the engine read one, the policy none")
    if seen.update:
        problems.append("the engine reads an update (LOAD?) where the policy reads a query")
    return "; ".join(problems) or None


def test_generated_queries_are_read_alike_by_policy_and_engine(listener: Listener) -> None:
    engine = Engine(listener)
    generator = Generator(SEED, listener.port)
    outcomes: Counter[str] = Counter()
    failures = []
    started = time.monotonic()
    for number in range(CASES):
        text = generator.query()
        problem = disagreement(text, engine)
        outcomes["disagree" if problem else "agree"] += 1
        if problem:
            failures.append(f"case {number}: {problem}\n  {text!r}")
    print(f"\npolicy fuzz: {CASES} generated queries (seed {SEED}) in "
          f"{time.monotonic() - started:.1f} s; {dict(outcomes)}")
    assert not failures, "\n".join(failures[:20])


def test_the_generator_reaches_every_outcome(listener: Listener) -> None:
    """The generated cases are not all refused early: many run, many use SERVICE."""
    generator = Generator(SEED, listener.port)
    kinds: Counter[str] = Counter()
    for _ in range(min(CASES, 200)):
        try:
            shape = inspect_query(canonicalise(generator.query()))
            kind = "service" if shape.uses_service else "from" if shape.from_graphs else "plain"
            kinds[kind] += 1
        except QueryRefused as refused:
            kinds[refused.policy] += 1
        except QueryError:
            kinds["syntax"] += 1
    assert min(kinds["service"], kinds["plain"], kinds["from"], kinds["read-only"]) > 0, kinds
    assert kinds["syntax"] + kinds["unverifiable"] < sum(kinds.values()) / 2, kinds


# ---------------------------------------------------------------- the review's findings



def forwarded(text: str) -> str | None:
    """What `kg serve --store URL` would send to the backing server (None: refused)."""
    setup = WorkerSetup(DatasetSource(Settings(store_url="http://store.invalid/")), {},
                        graphs=frozenset())
    try:
        checked = Worker(None, setup).answer(QueryJob(sparql=text))
    except QueryError:
        return None
    assert isinstance(checked, Checked)
    return checked.sparql


@pytest.mark.parametrize("name", sorted(FINDINGS))
def test_review_finding_reaches_nothing_behind_a_remote_store(listener: Listener,
                                                              name: str) -> None:
    text = FINDINGS[name].replace("{T}", f"http://127.0.0.1:{listener.port}")
    engine = Engine(listener)
    assert engine.read(text).service, "the finding no longer fools the engine: rewrite it"
    sent = forwarded(text)
    assert sent is None or not engine.read(sent).service
    assert disagreement(text, engine) is None


@pytest.mark.parametrize(("text", "expected"), [
    ('SELECT * WHERE { ?s ?p ?o FILTER(?o != "\\u00410042") }', '"A0042"'),
    ('SELECT * WHERE { ?s ?p ?o FILTER(?o != "\\\\u0041") }', '"\\\\u0041"'),
])
def test_escapes_in_strings_are_read_as_the_engine_reads_them(text: str, expected: str) -> None:
    """Lower-case \\u takes four digits; an escaped backslash starts no escape."""
    sent = forwarded(text)
    assert sent is not None and expected in sent
