"""schema.org JSON-LD for search engines, safe to embed in a <script> element."""

from __future__ import annotations

import json

from markupsafe import Markup
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from ..vocab import NZSA, ORG, WIKIDATA
from . import terms
from .model import DESCRIPTIONS, Page

# Our classes and the reused ones, as the nearest schema.org type; first match wins.
TYPES = (
    (NZSA.State, "Country"),
    (NZSA.Territory, "Place"),
    (NZSA.Place, "Place"),
    (NZSA.Operation, "Event"),
    (NZSA.Meeting, "Event"),
    (NZSA.Agreement, "Legislation"),
    (NZSA.SourceDocument, "WebPage"),
    (NZSA.Programme, "Project"),
    (NZSA.Fund, "Project"),
    (NZSA.Agency, "GovernmentOrganization"),
    (ORG.FormalOrganization, "Organization"),
    (ORG.Organization, "Organization"),
    (SKOS.Concept, "DefinedTerm"),
)


def schema_type(graph: Graph, iri: URIRef) -> str:
    types = set(graph.objects(iri, RDF.type))
    return next((name for cls, name in TYPES if cls in types), "Thing")


def document(graph: Graph, iri: URIRef, page: Page) -> dict:
    """Return the schema.org description of the resource a page is about."""
    doc = {"@context": "https://schema.org", "@type": schema_type(graph, iri), "@id": str(iri)}
    doc["name"] = page.label
    names = page.alt_names + page.former_names
    if names:
        doc["alternateName"] = names
    for prop in DESCRIPTIONS:
        text = graph.value(iri, prop)
        if text is not None:
            doc["description"] = str(text)
            break
    same = [str(o) for o in graph.objects(iri, SKOS.exactMatch) if str(o).startswith(WIKIDATA)]
    if same:
        doc["sameAs"] = same
    for prop, key in ((NZSA.startDate, "startDate"), (NZSA.endDate, "endDate")):
        if graph.value(iri, prop) is not None:
            doc[key] = str(graph.value(iri, prop))
    members = sorted(str(o) for o in graph.objects(iri, ORG.memberOf))
    if members:
        doc["memberOf"] = [{"@id": m, "name": terms.label(graph, URIRef(m))} for m in members]
    return doc


def script(doc: dict) -> Markup:
    """Return JSON that cannot end its <script> element early (`</` and `<!--` escaped)."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
