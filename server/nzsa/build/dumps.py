"""Write graphs and datasets byte-for-byte deterministically, whatever the hash seed.

rdflib's Turtle and TriG writers sort subjects, predicates and objects, so they are
deterministic once blank nodes are skolemised. Its RDF/XML and JSON-LD writers follow
set order, so those go through pyoxigraph, which writes triples in the order given:
we give them sorted.

The writers' text is rdflib's own, made faster without changing a byte: N-Triples rows
are rdflib's rows with each term's text made once, Turtle is rdflib's serializer with
its prefixed names and labels looked up once (turtle.py), and the graphs live in a store
without named graphs (LIGHT), which rdflib reads several times faster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral

from .turtle import serialize_turtle

# rdflib's store without named graphs: the build's graphs are plain graphs.
LIGHT = "SimpleMemory"


def used_prefixes(graph: Graph) -> dict[str, str]:
    """Return the prefixes bound on `graph` whose namespace some IRI in it uses."""
    iris = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
    prefixes = {}
    for prefix, namespace in sorted(graph.namespaces()):
        ns = str(namespace)
        if prefix and any(iri.startswith(ns) for iri in iris):
            prefixes.setdefault(prefix, ns)
    return prefixes


def nt_rows(graph: Graph) -> Iterator[str]:
    """Yield rdflib's N-Triples row of each triple (NTSerializer's `_nt_row`, "\\n" ended).

    A term's text is made once, however many triples name it.
    """
    texts: dict = {}
    for triple in graph:
        row = []
        for position, term in enumerate(triple):
            key = _key(term)
            text = texts.get(key)
            if text is None:
                if position == 2 and isinstance(term, Literal):
                    text = _quoteLiteral(term)
                else:
                    text = term.n3()
                texts[key] = text
            row.append(text)
        yield f"{row[0]} {row[1]} {row[2]} .\n"


def _key(term) -> tuple:
    """What a term's text depends on, as plain strings: its kind, lexical form, type, language.

    Not the term itself: rdflib's literal equality folds the case of language tags.
    """
    if isinstance(term, Literal):
        datatype = term.datatype
        return (Literal, str(term), str(datatype) if datatype else None, term.language)
    return (term.__class__, str(term))


def nt_lines(graph: Graph) -> Iterator[str]:
    """Yield the lines of `graph` as rdflib writes it in N-Triples (str.splitlines' lines)."""
    for row in nt_rows(graph):
        yield from row.splitlines()


def _sorted_triples(graph: Graph) -> list[ox.Triple]:
    data = "".join(nt_rows(graph)).encode("utf-8")
    return sorted(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), key=str)


def write_turtle(graph: Graph, path: Path) -> None:
    path.write_bytes(serialize_turtle(graph))


def write_ntriples(graph: Graph, path: Path) -> None:
    lines = sorted(set(nt_lines(graph)))
    path.write_text("".join(line + "\n" for line in lines if line.strip()), encoding="utf-8")


def write_sorted(graph: Graph, path: Path, fmt: ox.RdfFormat) -> None:
    """Write `graph` through pyoxigraph in sorted triple order (RDF/XML, JSON-LD)."""
    ox.serialize(_sorted_triples(graph), str(path), fmt, prefixes=used_prefixes(graph))


def write_nquads(graphs: Iterable[tuple[URIRef, Graph]], path: Path) -> None:
    lines = set()
    for name, graph in graphs:
        for line in nt_lines(graph):
            if line.strip():
                # An N-Triples line ends " ."; the graph name goes before the dot.
                lines.add(f"{line.rstrip()[:-1].rstrip()} <{name}> .")
    path.write_text("".join(line + "\n" for line in sorted(lines)), encoding="utf-8")


def turtle_texts(graphs: Iterable[tuple[URIRef, Graph]]) -> dict[URIRef, str]:
    """Serialise each named graph as Turtle, all with the same prefixes, for TriG and alone.

    The Turtle writer declares only the prefixes a graph uses, so a text stands alone;
    sharing the bindings keeps every graph's prefixed names valid under TriG's header.
    """
    graphs = list(graphs)
    prefixes: dict[str, str] = {}
    for _, graph in graphs:
        for prefix, namespace in used_prefixes(graph).items():
            prefixes.setdefault(prefix, namespace)
    texts = {}
    for name, graph in graphs:
        bound = Graph(store=LIGHT, bind_namespaces="none")
        for prefix, namespace in prefixes.items():
            bound.bind(prefix, namespace)
        bound += graph
        texts[name] = serialize_turtle(bound).decode("utf-8")
    return texts


def write_trig(texts: dict[URIRef, str], path: Path) -> None:
    """Write each graph's Turtle as a block of TriG, in the order given, prefixes first.

    rdflib's TriG writer orders graphs and subjects by hash; its Turtle writer does not.
    """
    header: dict[str, str] = {}
    blocks = []
    for name, text in texts.items():
        body = []
        # Lines are kept as written: indenting them would change multi-line literals.
        for line in text.splitlines():
            if line.startswith("@prefix"):
                header.setdefault(line.split()[1], line)
            else:
                body.append(line)
        blocks.append(f"\n<{name}> {{\n" + "\n".join(body).strip("\n") + "\n}\n")
    prefixes = "".join(header[key] + "\n" for key in sorted(header))
    path.write_text(prefixes + "".join(blocks), encoding="utf-8")
