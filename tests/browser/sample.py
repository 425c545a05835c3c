"""The sample build the page tests serve: tests/browser/data/sample.ttl as a one-graph nzsa.nq."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph, URIRef

SAMPLE = Path(__file__).parent / "data" / "sample.ttl"
DATA_GRAPH = URIRef("https://w3id.org/nzsa/graph/data")


def write_build(build_dir: Path) -> Path:
    """Write the sample as the build's nzsa.nq (the file the embedded store loads)."""
    build_dir.mkdir(parents=True, exist_ok=True)
    dataset = Dataset()
    graph = dataset.graph(DATA_GRAPH)
    graph += Graph().parse(SAMPLE)
    dataset.serialize(build_dir / "nzsa.nq", format="nquads")
    return build_dir
