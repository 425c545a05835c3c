"""The rules reasoner entails what owlrl entails (less noise) and finds the same inconsistencies."""

from __future__ import annotations

import pytest
from nzsa.load import Project, default_sources, parse_all
from nzsa.validate.reasoning import expand, inferred
from nzsa.validate.rules import unsupported
from nzsa.vocab import ID, NZSA
from rdflib import OWL, RDF, BNode, Graph, Literal, URIRef


@pytest.fixture(scope="module")
def bundled() -> Graph:
    sources = default_sources()
    graphs, errors = parse_all(sources.all)
    assert not errors
    asserted = Project(sources, graphs).asserted
    if len(asserted) == len(Project(sources, graphs).ontology):
        pytest.skip("the bundled data/ folder is empty")
    return asserted


def both(asserted: Graph):
    return expand(asserted, "rules"), expand(asserted, "owlrl")


def test_bundled_ontology_is_covered_by_the_rules(bundled):
    assert unsupported(bundled) == set()


def test_same_inferred_graph_on_bundled_data(bundled):
    rules, owlrl = both(bundled)
    ours, theirs = inferred(bundled, rules.graph), inferred(bundled, owlrl.graph)
    assert len(theirs) > 0
    assert set(ours - theirs) == set(), "entailed by the rules only"
    assert set(theirs - ours) == set(), "entailed by owlrl only"
    assert rules.errors == owlrl.errors == []


def _disjoint_pair(graph: Graph) -> tuple[URIRef, URIRef]:
    group = next(graph.subjects(RDF.type, OWL.AllDisjointClasses))
    first, second, *_ = graph.items(graph.value(group, OWL.members))
    return first, second


def _plant(graph: Graph, triples) -> Graph:
    changed = Graph()
    changed += graph
    for triple in triples:
        changed.add(triple)
    return changed


PLANTED = ID["organisation/planted"]
NZSA_INT = URIRef("http://www.w3.org/2001/XMLSchema#integer")


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(lambda g: [(PLANTED, RDF.type, OWL.Nothing)], id="nothing"),
        pytest.param(
            lambda g: [(PLANTED, RDF.type, c) for c in _disjoint_pair(g)], id="all-disjoint"
        ),
        pytest.param(
            lambda g: [
                (NZSA.Meeting, OWL.disjointWith, NZSA.Summit),
                (PLANTED, RDF.type, NZSA.Summit),
                (PLANTED, RDF.type, NZSA.Meeting),
            ],
            id="disjoint-with-subclass",
        ),
        pytest.param(
            lambda g: [
                (NZSA.partOf, RDF.type, OWL.IrreflexiveProperty),
                (PLANTED, NZSA.partOf, PLANTED),
            ],
            id="irreflexive",
        ),
        pytest.param(
            lambda g: [
                (NZSA.partOf, RDF.type, OWL.AsymmetricProperty),
                (PLANTED, NZSA.partOf, ID["organisation/other"]),
                (ID["organisation/other"], NZSA.partOf, PLANTED),
            ],
            id="asymmetric",
        ),
        pytest.param(
            lambda g: [
                (NZSA.partOf, OWL.propertyDisjointWith, NZSA.locatedIn),
                (PLANTED, NZSA.partOf, ID["place/other"]),
                (PLANTED, NZSA.locatedIn, ID["place/other"]),
            ],
            id="property-disjoint",
        ),
        pytest.param(
            lambda g: [(PLANTED, NZSA.timesContributed, Literal("two", datatype=NZSA_INT))],
            id="ill-typed-literal",
        ),
        pytest.param(
            lambda g: [
                (NZSA.partOf, RDF.type, OWL.TransitiveProperty),
                (NZSA.locatedIn, RDF.type, OWL.SymmetricProperty),
                (PLANTED, NZSA.partOf, BNode("middle")),
                (BNode("middle"), NZSA.partOf, ID["organisation/top"]),
                (PLANTED, NZSA.locatedIn, ID["place/other"]),
            ],
            id="transitive-symmetric",
        ),
    ],
)
def test_same_findings_for_each_kind_of_inconsistency(bundled, plant, request):
    changed = _plant(bundled, plant(bundled))
    rules, owlrl = both(changed)
    assert rules.errors == sorted(owlrl.errors)
    assert bool(rules.errors) != (request.node.callspec.id == "transitive-symmetric")
    assert set(inferred(changed, rules.graph)) == set(inferred(changed, owlrl.graph))


def test_unsupported_constructs_fall_back_to_owlrl(bundled):
    changed = _plant(
        bundled,
        [
            (NZSA.partOf, RDF.type, OWL.FunctionalProperty),
            (PLANTED, NZSA.partOf, ID["organisation/a"]),
            (PLANTED, NZSA.partOf, ID["organisation/b"]),
        ],
    )
    assert unsupported(changed) == {OWL.FunctionalProperty}
    closure = expand(changed, "rules")
    assert (ID["organisation/a"], OWL.sameAs, ID["organisation/b"]) in closure.graph
