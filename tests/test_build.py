"""`nzsa build`: every file, counts that agree with VoID, checksums, determinism, inference,
and dumps that agree with each other and with what the store gives back."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from nzsa.build import BuildRefused, build_dataset, is_current
from nzsa.load import project_root, sources_from_paths
from nzsa.store.disk import ensure_store
from nzsa.vocab import DCAT, GENID, ONTOLOGY_IRI, ORG, VOID, Graphs
from rdflib import OWL, RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

FIXTURE = Path(__file__).parent / "fixtures" / "validate" / "project"
NZSA = Path(sys.executable).with_name("nzsa")
DATASET = URIRef("https://w3id.org/nzsa/dataset")
FILES = {
    "nzsa.trig",
    "nzsa.nq",
    "nzsa.ttl",
    "nzsa.nt",
    "nzsa.jsonld",
    "nzsa.rdf",
    "inferred.ttl",
    "ontology.ttl",
    "shapes.ttl",
    "void.ttl",
    "wikidata-links.nt",
    "wikidata.qs",
    "manifest.json",
    "SHA256SUMS",
}
GRAPH_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}
BUNDLED = pytest.param(
    project_root(),
    id="bundled",
    marks=pytest.mark.skipif(
        not any((project_root() / "data").glob("*.ttl")), reason="the bundled data is not there yet"
    ),
)


def run_build(project: Path, out: Path, seed: str = "0") -> subprocess.CompletedProcess:
    """Run `nzsa build` in a fresh process (its own hash seed)."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [str(NZSA), "build", "--out", str(out), str(project)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module", params=[pytest.param(FIXTURE, id="fixture"), BUNDLED])
def built(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "out"
    result = run_build(request.param, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def void_graph(out: Path) -> Graph:
    return Graph().parse(out / "void.ttl", format="turtle")


def triples_of(void: Graph, node: URIRef) -> int:
    return void.value(node, VOID.triples).toPython()


def test_all_files_present(built):
    assert {p.name for p in built.iterdir()} >= FILES


@pytest.mark.parametrize("name", ["nzsa.ttl", "nzsa.nt", "nzsa.jsonld", "nzsa.rdf"])
def test_asserted_dumps_agree_with_void(built, name):
    graph = Graph().parse(built / name, format=GRAPH_FORMATS[Path(name).suffix])
    assert len(graph) == triples_of(void_graph(built), DATASET)
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)


@pytest.mark.parametrize(
    "name, graph",
    [
        ("ontology.ttl", Graphs.ONTOLOGY),
        ("inferred.ttl", Graphs.INFERRED),
        ("shapes.ttl", Graphs.SHAPES),
    ],
)
def test_graph_files_agree_with_void(built, name, graph):
    assert len(Graph().parse(built / name)) == triples_of(void_graph(built), graph)


@pytest.mark.parametrize("name, fmt", [("nzsa.trig", "trig"), ("nzsa.nq", "nquads")])
def test_datasets_hold_every_named_graph(built, name, fmt):
    void = void_graph(built)
    dataset = Dataset()
    dataset.parse(built / name, format=fmt)
    sizes = {g.identifier: len(g) for g in dataset.graphs() if len(g)}
    names = (Graphs.ONTOLOGY, Graphs.DATA, Graphs.INFERRED, Graphs.SHAPES)
    assert sizes == {g: triples_of(void, g) for g in names}
    asserted = len(dataset.graph(Graphs.ONTOLOGY) + dataset.graph(Graphs.DATA))
    assert asserted == triples_of(void, DATASET)


def test_void_describes_dumps_endpoint_and_links(built):
    void = void_graph(built)
    dumps = {str(d).rsplit("/", 1)[-1] for d in void.objects(DATASET, VOID.dataDump)}
    assert dumps >= {"nzsa.ttl", "nzsa.nt", "nzsa.jsonld", "nzsa.rdf", "nzsa.trig", "nzsa.nq"}
    assert (DATASET, VOID.sparqlEndpoint, URIRef("https://w3id.org/nzsa/sparql")) in void
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/nzsa/id/")
    for predicate in (VOID.entities, VOID.classes, VOID.properties, VOID.distinctSubjects):
        assert void.value(DATASET, predicate).toPython() > 0
    asserted = Graph().parse(built / "nzsa.nt", format="nt")
    [linkset] = void.subjects(RDF.type, VOID.Linkset)
    links = [o for o in asserted.objects(None, SKOS.exactMatch) if "wikidata.org" in o]
    assert triples_of(void, linkset) == len(links) > 0
    for partition in void.objects(DATASET, VOID.classPartition):
        cls = void.value(partition, VOID["class"])
        count = len(set(asserted.subjects(RDF.type, cls)))
        assert void.value(partition, VOID.entities).toPython() == count


def test_void_carries_the_release_version_and_date(built):
    void = void_graph(built)
    ontology = Graph().parse(built / "ontology.ttl", format="turtle")
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert void.value(DATASET, DCAT.version) == (Literal(str(version)) if version else None)
    assert void.value(DATASET, DCTERMS.modified) == ontology.value(ONTOLOGY_IRI, DCTERMS.modified)


def test_checksums_verify(built):
    lines = (built / "SHA256SUMS").read_text().splitlines()
    names = set()
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((built / name).read_bytes()).hexdigest() == digest
        names.add(name)
    assert names == FILES - {"SHA256SUMS"}
    check = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=built)
    assert check.returncode == 0


def test_inferred_graph_holds_only_entailed_triples(built):
    dataset = Dataset()
    dataset.parse(built / "nzsa.trig", format="trig")
    inferred = set(dataset.graph(Graphs.INFERRED))
    asserted = set(dataset.graph(Graphs.ONTOLOGY)) | set(dataset.graph(Graphs.DATA))
    assert inferred and not inferred & asserted
    # A derived shortcut triple: the membership node gives org:memberOf by a property chain.
    assert any(p == ORG.memberOf for _, p, _ in inferred)
    assert not any(s == o and p.endswith("sameAs") for s, p, o in inferred)


def test_blank_nodes_are_skolemised(built):
    text = (built / "nzsa.nq").read_text()
    assert "_:" not in text and str(GENID) in text


def lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if line.strip()}


def test_store_gives_back_every_quad_as_written(built):
    """The SPARQL endpoint and the Linked Data pages answer what the dumps say, byte for byte.

    pyoxigraph stores a typed literal as its value and writes it back in canonical form with
    a primitive datatype ("11"^^xsd:positiveInteger as "11"^^xsd:integer, "2700000.0" as
    "2700000"), and lowercases language tags: none of that may reach the publication.
    """
    location, _ = ensure_store(built)  # the embedded store, loaded as `nzsa serve` loads it
    store = ox.Store.read_only(str(location))
    given_back = lines(store.dump(format=ox.RdfFormat.N_QUADS).decode())
    description = set(store.quads_for_pattern(None, None, None, ox.NamedNode(Graphs.DESCRIPTION)))
    del store
    # The VoID description goes in as its own named graph, beside the dataset.
    void = ox.parse(path=str(built / "void.ttl"), format=ox.RdfFormat.TURTLE)
    assert {q.triple for q in description} == {q.triple for q in void}
    given_back -= {str(q) + " ." for q in description}
    written = lines((built / "nzsa.nq").read_text(encoding="utf-8"))
    assert sorted(written - given_back)[:5] == [] and sorted(given_back - written)[:5] == []
    assert given_back == written


def _triples(path: Path, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=fmt)
    }


OX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize(
    "name, graphs",
    [
        ("nzsa.ttl", (Graphs.ONTOLOGY, Graphs.DATA)),
        ("nzsa.nt", (Graphs.ONTOLOGY, Graphs.DATA)),
        ("nzsa.jsonld", (Graphs.ONTOLOGY, Graphs.DATA)),
        ("nzsa.rdf", (Graphs.ONTOLOGY, Graphs.DATA)),
        ("ontology.ttl", (Graphs.ONTOLOGY,)),
        ("inferred.ttl", (Graphs.INFERRED,)),
        ("shapes.ttl", (Graphs.SHAPES,)),
    ],
)
def test_dumps_hold_the_terms_of_nquads(built, name, graphs):
    """Every dump holds exactly nzsa.nq's terms (read as written, no rdflib normalising)."""
    names = {str(g) for g in graphs}
    quads = ox.parse(path=str(built / "nzsa.nq"), format=ox.RdfFormat.N_QUADS)
    expected = {
        ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name.value in names
    }
    found = _triples(built / name, OX_FORMATS[Path(name).suffix])
    assert sorted(map(str, found ^ expected))[:5] == []


def test_trig_holds_the_quads_of_nquads(built):
    trig = set(ox.parse(path=str(built / "nzsa.trig"), format=ox.RdfFormat.TRIG))
    nquads = set(ox.parse(path=str(built / "nzsa.nq"), format=ox.RdfFormat.N_QUADS))
    assert sorted(map(str, trig ^ nquads))[:5] == []


def test_fixture_shortcut_is_inferred(tmp_path):
    result = build_dataset(sources_from_paths([FIXTURE]), tmp_path)
    inferred = Graph().parse(tmp_path / "inferred.ttl")
    nz = URIRef("https://w3id.org/nzsa/id/country/new-zealand")
    arf = URIRef("https://w3id.org/nzsa/id/organisation/asean-regional-forum")
    assert (nz, ORG.memberOf, arf) in inferred
    assert result.triples["inferred"] == len(inferred)


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_build(FIXTURE, first, seed="1").returncode == 0
    assert run_build(FIXTURE, second, seed="2").returncode == 0
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_manifest_tells_a_stale_build(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    out = tmp_path / "out"
    sources = sources_from_paths([project])
    build_dataset(sources, out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert "data/sources/regional-security.txt" in manifest["inputs"]
    assert is_current(out, sources)
    text = project / "data" / "sources" / "regional-security.txt"
    text.write_text(text.read_text() + "\nOne more line.\n")
    assert not is_current(out, sources)


def test_refuses_to_build_invalid_data(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    facts = project / "data" / "facts.ttl"
    facts.write_text(
        facts.read_text().replace("org:member country:samoa", "org:membr country:samoa")
    )
    out = tmp_path / "out"
    result = run_build(project, out)
    assert result.returncode == 1
    assert "org:membr is not declared" in result.stderr
    assert not out.exists()
    with pytest.raises(BuildRefused):
        build_dataset(sources_from_paths([project]), out)
