"""The hostile corpus: requests an attacker would send, and what each must get.

Shared by tests/test_hostile.py (nothing reaches outside, nothing changes) and
bench/hostile.py (figures: time-limit accuracy, health latency, memory). `{port}`
in a request stands for the port of a listening socket the test watches.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Hostile:
    name: str
    query: str | None = None
    method: str = "GET"
    path: str = "/sparql"
    params: dict[str, str | list[str]] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str | None = None
    expect: tuple[int, ...] = (400,)


T = "http://127.0.0.1:{port}"

#: The attack review's texts (issue 16) that hid a SERVICE from the old check, which read
#: the client's text with rdflib while the engine ran that text ({T}: the listener's URL).
FINDINGS = {
    # (a) a comment ended by a bare CR: rdflib's comment runs to LF, Oxigraph's stops at CR
    "comment-ended-by-cr": "SELECT * WHERE { ?s ?p ?o # \r SERVICE <{T}/> { ?a ?b ?c }\n}",
    # (b) rdflib expands \u0022 before parsing: the string closes, `#` starts a comment
    "escaped-quote-closes-string":
        'SELECT * WHERE { ?s ?p ?o FILTER("\\u0022) } #" != "x") SERVICE <{T}/> { ?a ?b ?c } }',
    # (c) a lower-case \u with eight digits: rdflib reads \u0000005C as a backslash
    "lowercase-u-eight-digits":
        "SELECT * WHERE { ?s ?p ?o FILTER(\"\\u0000005C\" != 'x') SERVICE <{T}/> { ?a ?b ?c }"
        " #\")\n}",
}


def corpus() -> list[Hostile]:
    """The hostile requests ({port} is the listener's)."""
    svc = "SERVICE <" + T + "/sparql> { ?s ?p ?o }"
    items = [
        Hostile("service", f"SELECT * WHERE {{ {svc} }}"),
        Hostile("service-silent", f"SELECT * WHERE {{ SERVICE SILENT <{T}/x> {{ ?s ?p ?o }} }}"),
        Hostile("service-variable", f"SELECT * WHERE {{ VALUES ?e {{ <{T}/> }} "
                                    "SERVICE ?e { ?s ?p ?o } }"),
        Hostile("service-bind-iri", f"SELECT * WHERE {{ BIND(IRI('{T}/') AS ?e) "
                                    "SERVICE ?e { ?s ?p ?o } }"),
        Hostile("service-lowercase", f"select * where {{ service <{T}/> {{ ?s ?p ?o }} }}"),
        Hostile("service-optional", f"SELECT * WHERE {{ OPTIONAL {{ {svc} }} }}"),
        Hostile("service-exists", f"SELECT * WHERE {{ FILTER EXISTS {{ {svc} }} }}"),
        Hostile("service-not-exists", f"SELECT * WHERE {{ FILTER NOT EXISTS {{ {svc} }} }}"),
        Hostile("service-subquery", f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {svc} }} }} }}"),
        Hostile("service-minus", f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ {svc} }} }}"),
        Hostile("service-union", f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {svc} }} }}"),
        Hostile("service-graph", f"SELECT * WHERE {{ GRAPH ?g {{ {svc} }} }}"),
        Hostile("service-prefixed", f"PREFIX ex: <{T}/> SELECT * WHERE {{ SERVICE ex:x "
                                    "{ ?s ?p ?o } }"),
        Hostile("service-relative", f"BASE <{T}/> SELECT * WHERE {{ SERVICE <x> {{ ?s ?p ?o }} }}"),
        Hostile("service-escaped-iri", "SELECT * WHERE { SERVICE <\\u0068ttp://127.0.0.1:{port}/> "
                                       "{ ?s ?p ?o } }"),
        Hostile("service-escaped-keyword", "SELECT * WHERE { \\u0053ERVICE <" + T + "/> "
                                           "{ ?s ?p ?o } }"),
        Hostile("service-ask", f"ASK {{ {svc} }}"),
        Hostile("service-construct", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {svc} }}"),
        Hostile("service-describe", f"DESCRIBE ?s WHERE {{ {svc} }}"),
        Hostile("service-localhost", "SELECT * WHERE { SERVICE <http://localhost:{port}/> "
                                     "{ ?s ?p ?o } }"),
        Hostile("service-ipv6", "SELECT * WHERE { SERVICE <http://[::1]:{port}/> { ?s ?p ?o } }"),
        Hostile("service-file", "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }"),
        Hostile("service-gopher", "SELECT * WHERE { SERVICE <gopher://127.0.0.1:{port}/> "
                                  "{ ?s ?p ?o } }"),
        Hostile("service-comment-between", "SELECT * WHERE { SERVICE # x\n<" + T + "/> "
                                           "{ ?s ?p ?o } }"),
        Hostile("service-tabs", "SELECT * WHERE {\tSERVICE\t<" + T + "/>\t{ ?s ?p ?o } }"),
        Hostile("service-post-direct", method="POST", content_type="application/sparql-query",
                body=f"SELECT * WHERE {{ {svc} }}".encode()),
        Hostile("service-post-form", method="POST",
                content_type="application/x-www-form-urlencoded",
                body=httpx.QueryParams({"query": f"SELECT * WHERE {{ {svc} }}"}).__str__()
                .encode()),
    ]
    # lexer tricks: text that a hand-made tokenizer reads differently from the grammar
    tricks = [
        'BIND(1 AS ?a) FILTER(1<2)#>"""\n' + svc + '\n#"""',
        "BIND(1 AS ?a) FILTER(1<2)#>'''\n" + svc + "\n#'''",
        'FILTER(?a<?b)#>"\n' + svc + '\n#"',
        "FILTER(1<2)#>'\n" + svc + "\n#'",
        'BIND("#" AS ?h) ' + svc,
        "BIND('\\'' AS ?q) " + svc,
        'BIND("\\"#\\"" AS ?q) ' + svc,
        "BIND('''#''' AS ?q) " + svc,
        "FILTER(1<2)#>\r" + svc + "\r#",
        "FILTER(1 < 2 && 3 > 2)#<\n" + svc,
        "?s <http://x/#> ?o . " + svc,
        "?s ?p ?o #{\n" + svc + "\n#}",
        'FILTER(STR(?o) = "}")' + svc,
        "FILTER(?o<<http://x/>)#>\n" + svc,
        '?s ?p """\n#"""\n. ' + svc,
    ]
    items += [Hostile(f"lexer-trick-{i}", f"SELECT * WHERE {{\n  {t}\n}}", expect=(400,))
              for i, t in enumerate(tricks)]
    updates = [
        f"LOAD <{T}/data.ttl>",
        f"LOAD SILENT <{T}/data.ttl> INTO GRAPH <http://x/g>",
        "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL", "DROP ALL", "CREATE GRAPH <http://x/g>",
        "COPY DEFAULT TO <http://x/g>", "MOVE DEFAULT TO <http://x/g>",
        "ADD DEFAULT TO <http://x/g>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ {svc} }}",
        "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ]
    items += [Hostile(f"update-query-{i}", u, expect=(403,)) for i, u in enumerate(updates)]
    items += [
        Hostile("update-param", params={"update": f"LOAD <{T}/d.ttl>"}, expect=(403,)),
        Hostile("update-post", method="POST", content_type="application/sparql-update",
                body=f"LOAD <{T}/d.ttl>".encode(), expect=(403,)),
        Hostile("update-form", method="POST", content_type="application/x-www-form-urlencoded",
                body=f"update=LOAD+%3C{T}/d.ttl%3E".encode(), expect=(403,)),
        Hostile("update-direct-post", method="POST", content_type="application/sparql-query",
                body=b"DROP ALL", expect=(403,)),
    ]
    froms = [
        f"SELECT * FROM <{T}/g> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{T}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <{T}/> SELECT * FROM ex:g WHERE {{ ?s ?p ?o }}",
        f"BASE <{T}/> SELECT * FROM <g> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        f'SELECT * FROM <{T}/g> WHERE {{ FILTER(1<2)#>"""\n ?s ?p ?o #"""\n }}',
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{T}/g> WHERE {{ ?s ?p ?o }}",
    ]
    items += [Hostile(f"remote-from-{i}", q) for i, q in enumerate(froms)]
    items += [
        Hostile("default-graph-uri", "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                params={"default-graph-uri": f"{T}/g"}),
        Hostile("named-graph-uri", "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
                params={"named-graph-uri": f"{T}/g"}),
        Hostile("graph-uri-not-an-iri", "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                params={"default-graph-uri": "not an iri"}),
    ]
    # resources: time-limited 503, limits named in a 400, or an answer (capped)
    big_values = " ".join(f"<http://example.org/item/{i}>" for i in range(25_000))
    items += [
        Hostile("huge-values", f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {big_values} }} }}",
                method="POST", expect=(200, 503)),
        Hostile("ten-thousand-unions", "SELECT * WHERE { "
                + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(10_000)) + " }",
                method="POST"),
        Hostile("deep-parentheses", "SELECT * WHERE { FILTER(" + "(" * 5000 + "1"
                + ")" * 5000 + ") }", method="POST"),
        Hostile("deep-groups", "SELECT * WHERE " + "{" * 1000 + "}" * 1000, method="POST"),
        Hostile("deep-subqueries", "SELECT * WHERE { " + "{ SELECT * WHERE " * 200 + "{}"
                + " }" * 200 + " }", method="POST"),
        Hostile("too-large", "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_100_000, method="POST",
                expect=(413,)),
        Hostile("regex-blowup", 'SELECT * WHERE { ?s ?p ?o . ?a ?b ?c FILTER(REGEX(CONCAT(STR(?o),'
                ' STR(?c), "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), "^(a+)+$")) }', expect=(200, 503)),
        Hostile("cartesian", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                expect=(200, 503)),
        Hostile("cartesian-count", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                "?g ?h ?i }", expect=(200, 503)),
        Hostile("cartesian-order", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY RAND()",
                expect=(200, 503)),
        Hostile("cartesian-construct", "CONSTRUCT { ?a ?e ?c } WHERE { ?a ?b ?c . ?d ?e ?f }",
                expect=(200, 503)),
        Hostile("path-everything", "SELECT * WHERE { ?s (<http://x/p>|!<http://x/p>)* ?o }",
                expect=(200, 503)),
        Hostile("path-negated-plus", "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<http://x/p>)+ ?o }",
                expect=(200, 503)),
        Hostile("path-nested-stars", "SELECT * WHERE { ?s ((((<http://x/p>|!<http://x/q>)*)*)"
                "/(!<http://x/r>)*)* ?o }", expect=(200, 503)),
        Hostile("group-concat-everything", "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { "
                "?s ?p ?o . ?a ?b ?c }", expect=(200, 503)),
        Hostile("string-growth", "SELECT ?x WHERE { ?s ?p ?o BIND(CONCAT(STR(?o), STR(?o), STR(?o),"
                " STR(?o), STR(?o), STR(?o), STR(?o), STR(?o)) AS ?x) ?a ?b ?c }",
                expect=(200, 503)),
        Hostile("everything", "SELECT * WHERE { ?s ?p ?o }", expect=(200,)),
        Hostile("describe-everything", "DESCRIBE ?s WHERE { ?s ?p ?o }", expect=(200, 503)),
        Hostile("describe-remote-iri", f"DESCRIBE <{T}/x>", expect=(200,)),
        Hostile("function-url", f"SELECT (<{T}/f>(1) AS ?x) WHERE {{}}"),
    ]
    # malformed transport and parameters
    items += [
        Hostile("nul-bytes", "SELECT * WHERE { ?s ?p \x00 }"),
        Hostile("invalid-utf8", method="POST", content_type="application/sparql-query",
                body=b"SELECT * WHERE { ?s ?p '\xff\xfe' }"),
        Hostile("lone-surrogate", path="/sparql?query=SELECT%20%22%ED%A0%80%22%20WHERE%20%7B%7D",
                expect=(400,)),
        Hostile("two-queries", params={"query": ["ASK {}", "ASK {}"]}),
        Hostile("unknown-format", "ASK {}", params={"format": "AAA"}),
        Hostile("bad-charset", method="POST",
                content_type="application/sparql-query; charset=latin1", body=b"ASK {}",
                expect=(415,)),
        Hostile("bad-content-type", method="POST", content_type="text/plain", body=b"ASK {}",
                expect=(415,)),
        Hostile("entity-bad-iri", path="/person/a%20b", expect=(404,)),
        Hostile("entity-bad-escape", path="/person/%ZZ", expect=(404,)),
        Hostile("saved-query-bad-iri", path="/api/queries/official-profile",
                params={"person": "http://%5B"}, expect=(422,)),
        Hostile("saved-query-injection", path="/api/queries/official-profile",
                params={"person": f"<{T}/> }} SERVICE <{T}/> {{"}, expect=(422,)),
        Hostile("home-nquads", path="/", params={"format": "nq"}, expect=(200, 406)),
    ]
    return items


def send(client: httpx.Client, url: str, item: Hostile, port: int) -> httpx.Response:
    def fill(text: str) -> str:
        return text.replace("{port}", str(port))

    params = {k: [fill(x) for x in v] if isinstance(v, list) else fill(v)
              for k, v in item.params.items()}
    if item.query is not None and item.method == "GET":
        params["query"] = fill(item.query)
    headers = {"content-type": item.content_type} if item.content_type else {}
    body = item.body.replace(b"{port}", str(port).encode()) if item.body else None
    if item.query is not None and item.method == "POST" and body is None:
        body, headers = fill(item.query).encode(), {"content-type": "application/sparql-query"}
    return client.request(item.method, url + fill(item.path), params=params or None,
                          content=body, headers=headers)


class Listener:
    """A TCP server that only counts who connects to it (the attacker's server the hostile
    requests point at): on 127.0.0.1, or on every host address with host="0.0.0.0"."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.create_server((host, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
