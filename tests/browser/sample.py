"""The sample build the page tests serve: the real ontology and a small sample of data."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph, URIRef

SAMPLE = Path(__file__).parent / "data" / "sample.ttl"
ONTOLOGY = Path(__file__).parents[2] / "ontology" / "nzsa.ttl"
DATA_GRAPH = URIRef("https://w3id.org/nzsa/graph/data")
ONTOLOGY_GRAPH = URIRef("https://w3id.org/nzsa/graph/ontology")


def write_build(build_dir: Path) -> Path:
    """Write the sample as a build: nzsa.nq (what the store loads) and ontology.ttl."""
    build_dir.mkdir(parents=True, exist_ok=True)
    dataset = Dataset()
    data = dataset.graph(DATA_GRAPH)
    data += Graph().parse(SAMPLE)
    if ONTOLOGY.is_file():
        ontology = Graph().parse(ONTOLOGY)
        graph = dataset.graph(ONTOLOGY_GRAPH)
        graph += ontology
        ontology.serialize(build_dir / "ontology.ttl", format="turtle")
    dataset.serialize(build_dir / "nzsa.nq", format="nquads")
    return build_dir
