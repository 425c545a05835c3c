"""The prefixes every published document binds, and the JSON-LD context made of them."""

from __future__ import annotations

import re

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from .store.base import Store
from .vocab import NZSA, ORG, PROV, SCHEMA

VOCABULARIES = {
    "nzsa": str(NZSA),
    "org": str(ORG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}

# The segments of instance IRIs that are not facts (docs/MODELLING.md, "Namespaces and
# IRIs"); fact segments are the kebab-case names of the ontology's nzsa:Fact subclasses.
SEGMENTS = (
    "country", "place", "organisation", "agency", "agreement", "programme", "fund",
    "operation", "meeting", "threat", "area", "role", "scheme", "source",
)  # fmt: skip

FACT_CLASSES = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?class WHERE { ?class rdfs:subClassOf+ nzsa:Fact }
"""


def kebab(name: str) -> str:
    """Return the kebab-case of an UpperCamelCase name (`ArmedForceContribution` → ...)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def fact_segments(store: Store) -> list[str]:
    """Return the id segments of the ontology's fact classes, sorted."""
    segments = set()
    for row in store.select(FACT_CLASSES):
        iri = str(row["class"])
        if iri.startswith(str(NZSA)):
            segments.add(kebab(iri[len(str(NZSA)) :]))
    return sorted(segments)


def namespaces(base: str, segments: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """Return prefix → namespace for the vocabularies and every id segment under `base`."""
    found = dict(VOCABULARIES)
    for segment in (*SEGMENTS, *segments):
        found.setdefault(segment, f"{base}id/{segment}/")
    found["genid"] = f"{base}.well-known/genid/"
    return found


def context_document(prefixes: dict[str, str]) -> dict:
    """Return the JSON-LD context published at /context.jsonld."""
    # Prefix definitions only: compact IRIs stay readable and every term round-trips
    # without a term list to keep in step with the ontology (JSON-LD 1.1 §4.1.5).
    return {"@context": dict(sorted(prefixes.items()))}
