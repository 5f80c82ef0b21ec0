"""The engine's own SPARQL parser as a check: does Oxigraph read this text?"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import Store, Variable

from kg.store.terms import Term, node_of


def check_syntax(text: str, *, prefixes: Mapping[str, str] | None = None,
                 base_iri: str | None = None,
                 substitutions: Mapping[str, Term] | None = None) -> None:
    """Read `text` as Oxigraph does, on an empty store (nothing is evaluated that could
    take long). Raises SyntaxError where it cannot parse the text; ValueError or
    RuntimeError where it parses it but cannot bind the `substitutions` (variable name ->
    term, as Oxigraph's own substitutions)."""
    options: dict[str, object] = {"base_iri": base_iri}
    if prefixes:
        options["prefixes"] = dict(prefixes)
    if substitutions:
        options["substitutions"] = {Variable(k): node_of(v) for k, v in substitutions.items()}
    Store().query(text, **options)  # type: ignore[arg-type]
