"""Convert RDF terms between rdflib (our own code) and pyoxigraph (the engines)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier


def to_oxigraph(term: Identifier):
    """Return the pyoxigraph term for an rdflib term (raises ValueError if invalid)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term) -> Identifier:
    """Return the rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else datatype)
    raise ValueError(f"cannot represent {term!r} in rdflib")


MARK = "#bindings"


def values_clause(bindings: Mapping[str, Identifier]) -> str:
    """Write bindings as a VALUES block, each term in validated N-Triples form."""
    names = list(bindings)
    for name in names:
        if not _VARIABLE.match(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    # pyoxigraph checks IRIs and escapes literals, so no value can break out of its term.
    terms = " ".join(str(to_oxigraph(bindings[name])) for name in names)
    variables = " ".join("?" + name for name in names)
    return f"\nVALUES ({variables}) {{ ({terms}) }}"


def values_list(name: str, values) -> str:
    """Write a one-variable VALUES block binding ?name to each of `values` in turn."""
    if not _VARIABLE.match(name):
        raise ValueError(f"not a SPARQL variable name: {name!r}")
    # Each term goes through pyoxigraph's validating serialiser, as in values_clause().
    listed = " ".join(str(to_oxigraph(value)) for value in values)
    return f"VALUES ?{name} {{ {listed} }}"


def values_rows(names: tuple[str, ...], rows) -> str:
    """Write a VALUES block binding the variables `names` to each row of terms in turn."""
    for name in names:
        if not _VARIABLE.match(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    # Each term goes through pyoxigraph's validating serialiser, as in values_clause().
    listed = " ".join("(" + " ".join(str(to_oxigraph(term)) for term in row) + ")" for row in rows)
    return f"VALUES ({' '.join('?' + name for name in names)}) {{ {listed} }}"


def with_bindings(
    query: str, bindings: Mapping[str, Identifier] | None, trailing: bool = True
) -> str:
    """Put bindings where the query marks `#bindings`, else in a trailing VALUES block.

    A trailing block joins only after the whole WHERE pattern has been evaluated (SPARQL
    1.1 §18.2.4.3), so engines scan the store before binding; a block at the start of
    WHERE is joined first. With `trailing` false the block closes the WHERE pattern
    instead, for engines that refuse a trailing block binding unprojected variables.
    Only terms written by values_clause() enter the text.
    """
    if not bindings:
        return query
    block = values_clause(bindings)
    if MARK in query:
        return query.replace(MARK, block.strip())
    if not trailing:
        end = query.rfind("}")
        return query[:end] + block + "\n" + query[end:]
    return query + block


def _converter():
    """Return to_rdflib remembering its answers: rows and graphs repeat their terms
    (predicates, classes, the resource itself), and rdflib's Literal is slow to make."""
    made: dict = {}

    def convert(term) -> Identifier:
        found = made.get(term)
        if found is None:
            found = made[term] = to_rdflib(term)
        return found

    return convert


def rows(solutions) -> list[dict[str, Identifier]]:
    """Convert pyoxigraph query solutions to rows of rdflib terms, leaving unbound out."""
    names = [v.value for v in solutions.variables]
    convert = _converter()
    return [
        {n: convert(t) for n, t in zip(names, row, strict=True) if t is not None}
        for row in solutions
    ]


def graph_of(triples, graph: Graph | None = None) -> Graph:
    """Collect pyoxigraph triples into an rdflib graph (a new one unless given)."""
    graph = Graph() if graph is None else graph
    convert = _converter()
    for triple in triples:
        graph.add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
    return graph
