"""The build's writers give rdflib's own Turtle and N-Triples, byte for byte.

dumps.py and turtle.py make each term's text once and keep the graphs in rdflib's store
without named graphs; the published files must not change by a byte for it. Compared
here with `Graph.serialize` on the bundled project's graphs, on a graph of awkward terms,
and on random graphs.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nzsa.build.dataset import publishable_graphs
from nzsa.build.dumps import LIGHT, nt_lines, turtle_texts
from nzsa.build.turtle import serialize_turtle
from nzsa.load import default_sources, merge, project_root
from nzsa.validate import validate
from nzsa.vocab import Graphs
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

EX = Namespace("http://example.org/ns#")
OTHER = "http://other.example/"


def rdflib_turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def rdflib_nt_lines(graph: Graph) -> list[str]:
    return sorted(set(graph.serialize(format="nt", encoding="utf-8").decode().splitlines()))


def assert_same_text(graph: Graph) -> None:
    assert serialize_turtle(graph) == rdflib_turtle(graph)
    assert sorted(set(nt_lines(graph))) == rdflib_nt_lines(graph)


@pytest.fixture(scope="module")
def bundled_graphs() -> dict:
    if not any((project_root() / "data").glob("*.ttl")):
        pytest.skip("the bundled data is not there yet")
    report = validate(default_sources())
    assert report.conforms
    return publishable_graphs(report)


def test_bundled_graphs_are_written_as_rdflib_writes_them(bundled_graphs):
    for graph in bundled_graphs.values():
        assert_same_text(graph)
    asserted = merge((bundled_graphs[Graphs.ONTOLOGY], bundled_graphs[Graphs.DATA]), store=LIGHT)
    assert_same_text(asserted)


def test_trig_blocks_are_rdflib_turtle_of_each_graph(bundled_graphs):
    texts = turtle_texts(bundled_graphs.items())
    for name, graph in bundled_graphs.items():
        bound = Graph(bind_namespaces="none")
        for prefix, namespace in bound_prefixes(texts[name]):
            bound.bind(prefix, namespace)
        bound += graph
        assert texts[name] == bound.serialize(format="turtle")


def bound_prefixes(text: str) -> list[tuple[str, str]]:
    return [
        (line.split()[1].rstrip(":"), line.split()[2].strip("<>"))
        for line in text.splitlines()
        if line.startswith("@prefix")
    ]


def awkward_graph(store: str) -> Graph:
    """Terms whose text rdflib makes with care: escapes, tags, types, names without prefix."""
    graph = Graph(store=store)
    graph.bind("ex", EX)
    unbound = URIRef(OTHER + "linksTo")  # a predicate with no prefix: rdflib makes one
    graph.add((EX.a, RDF.type, RDFS.Class))
    graph.add((EX.a, unbound, EX.b))
    # The same IRI as an object before and after it has a generated prefix.
    graph.add((EX.b, EX.p, unbound))
    graph.add((unbound, EX.p, Literal("x")))
    graph.add((EX.b, EX.p, Literal('line\nbreak "quoted" \\ back\r')))
    graph.add((EX.b, EX.p, Literal("sep\u2028line\x0bfeed\x85")))
    graph.add((EX.b, EX.p, Literal("Hello", lang="en")))
    graph.add((EX.b, EX.p, Literal("Hello", lang="EN-nz")))
    graph.add((EX.b, EX.p, Literal("1", datatype=XSD.integer)))
    graph.add((EX.b, EX.p, Literal("1.50", datatype=XSD.decimal)))
    graph.add((EX.b, EX.p, Literal("2.5e3", datatype=XSD.double)))
    graph.add((EX.b, EX.p, Literal("true", datatype=XSD.boolean)))
    graph.add((EX.b, EX.p, Literal("x", datatype=URIRef(OTHER + "type"))))
    graph.add((EX.b, EX.p, Literal(str(EX.a))))  # a literal spelling an IRI
    graph.add((EX.b, EX.p, URIRef(str(EX) + "ends.")))
    graph.add((EX.b, EX.p, URIRef(str(EX) + "paren(1)%2")))
    graph.add((EX.b, EX.p, URIRef("http://example.org/ns#")))
    graph.add((EX.b, RDF.nil, RDF.nil))
    return graph


@pytest.mark.parametrize("store", ["default", LIGHT])
def test_awkward_terms_are_written_as_rdflib_writes_them(store):
    assert_same_text(awkward_graph(store))


def test_a_graph_with_blank_nodes_is_written_as_rdflib_writes_it():
    # Not one the build writes (it skolemises them), but it must come out whole.
    graph = awkward_graph(LIGHT)
    node, items = BNode(), [BNode(), BNode()]
    graph.add((EX.a, EX.p, node))
    graph.add((node, EX.q, Literal("inside")))
    Collection(graph, items[0], [Literal(1), Literal(2)])
    graph.add((EX.a, EX.list, items[0]))
    assert_same_text(graph)


SUBJECTS = [EX.a, EX.b, URIRef(OTHER + "s"), URIRef("urn:x:1")]
PREDICATES = [EX.p, EX.q, RDF.type, RDFS.label, URIRef(OTHER + "p"), URIRef(OTHER + "q/r")]
OBJECTS = [
    *SUBJECTS,
    RDFS.Class,
    URIRef(OTHER + "p"),
    Literal("a"),
    Literal("a", lang="en"),
    Literal("a", lang="EN"),
    Literal("10", datatype=XSD.integer),
    Literal("010", datatype=XSD.integer),
    Literal("a\nb"),
    Literal("x", datatype=URIRef(OTHER + "t")),
]


@given(
    st.lists(
        st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), st.sampled_from(OBJECTS)),
        max_size=30,
    )
)
def test_random_graphs_are_written_as_rdflib_writes_them(triples):
    graph = Graph(store=LIGHT)
    graph.bind("ex", EX)
    for triple in triples:
        graph.add(triple)
    assert_same_text(graph)
