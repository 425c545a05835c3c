"""A small dataset in the build's layout, and the names tests share.

Kept out of conftest.py so that test modules import it by a name no other folder's
conftest shadows.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
NZSA = str(VENV_BIN / "nzsa")
OXIGRAPH = str(VENV_BIN / "oxigraph")
REQUEST_TIMEOUT = 10  # seconds; every request a test makes is bounded


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BASE = "https://w3id.org/nzsa/"
GRAPH = BASE + "graph/"
ID = BASE + "id/"
ONT = BASE + "ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SH = "http://www.w3.org/ns/shacl#"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"

COUNTRIES = ("new-zealand", "australia", "fiji", "samoa", "tonga", "japan")
ORGANISATIONS = ("asean-regional-forum", "pacific-islands-forum", "five-power-defence")


def _quad(s: str, p: str, o: str, graph: str) -> str:
    return f"{s} {p} {o} <{GRAPH}{graph}> .\n"


def fixture_nquads() -> str:
    """Return a small dataset in the build's layout: four named graphs, some facts."""
    lines = [
        _quad(f"<{ONT}State>", f"<{RDF_TYPE}>", f"<{OWL_CLASS}>", "ontology"),
        _quad(f"<{ONT}State>", f"<{RDFS_LABEL}>", '"State"@en', "ontology"),
        _quad(f"<{ONT}Organisation>", f"<{RDFS_LABEL}>", '"Organisation"@en', "ontology"),
        _quad(f"<{BASE}shapes#StateShape>", f"<{RDF_TYPE}>", f"<{SH}NodeShape>", "shapes"),
    ]
    for slug in COUNTRIES:
        iri = f"<{ID}country/{slug}>"
        label = slug.replace("-", " ").title()
        lines.append(_quad(iri, f"<{RDF_TYPE}>", f"<{ONT}State>", "data"))
        lines.append(_quad(iri, f"<{SKOS}prefLabel>", f'"{label}"@en', "data"))
        for org in ORGANISATIONS:
            lines.append(_quad(iri, "<http://www.w3.org/ns/org#memberOf>",
                               f"<{ID}organisation/{org}>", "inferred"))  # fmt: skip
    for org in ORGANISATIONS:
        iri = f"<{ID}organisation/{org}>"
        lines.append(_quad(iri, f"<{RDF_TYPE}>", f"<{ONT}Organisation>", "data"))
        label = org.replace("-", " ").title()
        lines.append(_quad(iri, f"<{SKOS}prefLabel>", f'"{label}"@en', "data"))
    lines.append(
        _quad(f"<{ID}country/fiji>", f"<{SKOS}altLabel>", '"Viti \\"quoted\\"\\ttab"@en', "data")
    )
    return "".join(lines)


def write_fixture_build(directory: Path) -> Path:
    """Write the fixture dataset as a build directory (nzsa.nq) and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "nzsa.nq").write_text(fixture_nquads(), encoding="utf-8")
    return directory
