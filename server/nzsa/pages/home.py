"""The home page: what the dataset is, its classes, entry points, network and timeline."""

from __future__ import annotations

from flask import render_template
from rdflib import Literal

from ..vocab import ONTOLOGY_IRI
from . import network, timeline
from .blueprint import blueprint
from .classes import class_href
from .site import bind, href, id_namespace, store

COUNTS = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (MIN(?l) AS ?label) (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?f) AS ?fact) WHERE {
  #bindings
  ?s a ?class . ?class rdfs:isDefinedBy ?ontology .
  OPTIONAL { ?class rdfs:label ?l }
  OPTIONAL { ?class rdfs:subClassOf* ?root . BIND(true AS ?f)
             VALUES ?root { nzsa:Fact nzsa:Evidence } }
} GROUP BY ?class ORDER BY DESC(?n) ?label ?class
"""

ENTRIES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?label WHERE {
  #bindings
  ?s skos:prefLabel ?label . FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?prefix))
}
"""

# The ways in the brief names, by the IRI segment docs/MODELLING.md fixes for each kind.
ENTRY_POINTS = (
    ("States", "country"),
    ("Organisations and forums", "organisation"),
    ("Operations and missions", "operation"),
    ("Programmes", "programme"),
    ("Threats", "threat"),
)


def class_counts() -> list[dict]:
    """Return the ontology's classes with how many resources each has, most first."""
    rows = store().select(bind(COUNTS, ontology=ONTOLOGY_IRI))
    return [
        {
            "iri": str(r["class"]),
            "label": str(r.get("label") or r["class"]),
            "count": int(r["n"]),
            "href": class_href(r["class"]),
            "fact": r.get("fact") is not None,
        }
        for r in rows
    ]


def entries(segment: str) -> list[dict]:
    """Return the named resources of one kind (IRI segment), alphabetically."""
    rows = store().select(bind(ENTRIES, prefix=Literal(f"{id_namespace()}{segment}/")))
    names: dict[str, list[Literal]] = {}
    for r in rows:
        names.setdefault(str(r["s"]), []).append(r["label"])
    # One name each, English first, chosen by nzsa rather than by the engine's row order.
    seen = {iri: str(min(labels, key=_english_first)) for iri, labels in names.items()}
    return sorted(
        ({"iri": iri, "label": label, "href": href(iri)} for iri, label in seen.items()),
        key=lambda e: (e["label"].lower(), e["iri"]),
    )


def _english_first(label: Literal) -> tuple:
    return (not (label.language or "en").startswith("en"), str(label), label.language or "")


@blueprint.get("/")
def home():
    """Show the dataset's front page."""
    counts = class_counts()
    return render_template(
        "pages/home.html",
        counts=[
            ("Things", [c for c in counts if not c["fact"]]),
            ("Facts and their evidence", [c for c in counts if c["fact"]]),
        ],
        entry_points=[(title, entries(segment)) for title, segment in ENTRY_POINTS],
        network=network.graph(),
        timeline=timeline.items(),
    )
