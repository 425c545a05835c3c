"""Each SHACL shape catches its own invalid fixture, and the bundled data conforms.

A fixture in tests/fixtures/shapes/ is a small Turtle graph whose header comments name what it
must trigger, validated together with the ontology:

    # expect: nzsash:MembershipShape   (the shape, or the node shape that owns it)
    # focus: <https://w3id.org/nzsa/id/membership/x>
    # path: org:member                        (optional)
    # component: sh:MinCountConstraintComponent   (optional)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SH

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
NZSASH = Namespace("https://w3id.org/nzsa/shapes#")
PREFIXES = {
    "nzsash": str(NZSASH),
    "nzsa": "https://w3id.org/nzsa/ontology#",
    "sh": str(SH),
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def expand(term: str) -> URIRef:
    """Expand `prefix:local` or `<iri>` to an IRI."""
    if term.startswith("<") and term.endswith(">"):
        return URIRef(term[1:-1])
    prefix, local = term.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


@cache
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "nzsa.ttl")


@cache
def shapes() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph.parse(path)
    return graph


def run(data: Graph) -> Graph:
    """Validate `data` with the ontology, the way `nzsa validate` does (no inference)."""
    _, report, _ = validate(
        data + ontology(), shacl_graph=shapes(), ont_graph=ontology(), inference="none"
    )
    return report


def header(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        if key.strip() in {"expect", "focus", "path", "component"}:
            fields[key.strip()] = value.strip()
    return fields


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.ttl"))


def named_shapes() -> set[URIRef]:
    graph = shapes()
    found = set(graph.subjects(RDF.type, SH.NodeShape)) | set(
        graph.subjects(RDF.type, SH.PropertyShape)
    )
    return {s for s in found if isinstance(s, URIRef)}


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_fixture_triggers_exactly_its_shape(path: Path) -> None:
    expected = header(path)
    report = run(Graph().parse(path, format="turtle"))
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    summary = [
        (report.value(r, SH.sourceShape), report.value(r, SH.resultMessage)) for r in results
    ]
    assert len(results) == 1, summary
    result = results[0]
    shape = expand(expected["expect"])
    source = report.value(result, SH.sourceShape)
    assert source == shape or (shape, SH.property, source) in shapes(), summary
    assert report.value(result, SH.focusNode) == expand(expected["focus"])
    if "path" in expected:
        assert report.value(result, SH.resultPath) == expand(expected["path"])
    if "component" in expected:
        assert report.value(result, SH.sourceConstraintComponent) == expand(expected["component"])
    assert report.value(result, SH.resultMessage) is not None


def test_every_shape_has_a_fixture() -> None:
    covered = {expand(header(p)["expect"]) for p in fixture_files()}
    assert named_shapes() - covered == set()


def test_every_constraint_has_a_message() -> None:
    graph = shapes()
    alternatives = {
        node
        for key in (SH["or"], SH.xone)
        for lst in graph.objects(None, key)
        for node in graph.items(lst)
    }
    constraints = {s for s in graph.subjects(SH.path, None) if s not in alternatives}
    constraints |= set(graph.subjects(SH["or"], None)) - alternatives
    constraints |= set(graph.subjects(SH.xone, None))
    constraints |= set(graph.objects(None, SH.sparql))
    assert [c for c in constraints if graph.value(c, SH.message) is None] == []


def test_bundled_data_conforms() -> None:
    data = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        data.parse(path)
    report = run(data)
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    assert results == [], [str(report.value(r, SH.resultMessage)) for r in results[:10]]
