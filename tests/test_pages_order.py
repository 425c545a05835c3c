"""A page lists what it shows in nzsa's order, whatever order the store gave the triples in.

Engines (and rdflib's graphs) hand triples over in orders of their own; two types, two
values or two neighbours with the same name must still come out the same way every time.
"""

from __future__ import annotations

import random

from nzsa.pages import model
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

EX = Namespace("https://w3id.org/nzsa/id/organisation/")
ONT = Namespace("https://w3id.org/nzsa/ontology#")
SUBJECT = EX["example"]
TRIPLES = [
    (SUBJECT, SKOS.prefLabel, Literal("Example", lang="en")),
    # Two types, two related resources and two properties that share a name.
    (SUBJECT, RDF.type, ONT["Forum"]),
    (SUBJECT, RDF.type, URIRef("http://www.w3.org/ns/org#Organization")),
    (ONT["Forum"], RDFS.label, Literal("forum", lang="en")),
    (URIRef("http://www.w3.org/ns/org#Organization"), RDFS.label, Literal("Forum", lang="en")),
    (SUBJECT, ONT["relatedTo"], EX["a"]),
    (SUBJECT, ONT["relatedTo"], EX["b"]),
    (EX["a"], SKOS.prefLabel, Literal("Same name", lang="en")),
    (EX["b"], SKOS.prefLabel, Literal("same name", lang="en")),
    (SUBJECT, ONT["linkedWith"], EX["c"]),
    (SUBJECT, ONT["partOf"], EX["c"]),
    (ONT["linkedWith"], RDFS.label, Literal("linked", lang="en")),
    (ONT["partOf"], RDFS.label, Literal("Linked", lang="en")),
]


def page_in_order(triples: list) -> tuple:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    page = model.build(graph, SUBJECT)
    return (
        tuple(t.iri for t in page.types),
        tuple((r.predicate, tuple(v.iri or v.text for v in r.values)) for r in page.relations),
    )


def test_equal_names_come_out_in_one_order_whatever_order_the_triples_came_in(app):
    shuffles = [TRIPLES, TRIPLES[::-1]]
    for seed in range(20):
        shuffles.append(random.Random(seed).sample(TRIPLES, len(TRIPLES)))
    with app.test_request_context("/"):
        orders = {page_in_order(triples) for triples in shuffles}
    assert len(orders) == 1, orders
