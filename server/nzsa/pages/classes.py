"""Class pages: a class's definition, its place in the hierarchy and its instances."""

from __future__ import annotations

import re

from flask import abort, render_template, request, url_for
from rdflib import URIRef

from ..http.params import absolute_iri
from ..vocab import NZSA
from . import terms
from .blueprint import blueprint
from .context import neighbours
from .site import bind, href, store

INSTANCES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?label WHERE {
  #bindings
  ?s a ?cls . FILTER(isIRI(?s))
  OPTIONAL { ?s skos:prefLabel ?pref } OPTIONAL { ?s rdfs:label ?plain }
  BIND(COALESCE(?pref, ?plain) AS ?label)
}
"""

HIERARCHY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?other ?direction WHERE {
  #bindings
  { ?cls rdfs:subClassOf ?other . BIND("super" AS ?direction) }
  UNION { ?other rdfs:subClassOf ?cls . BIND("sub" AS ?direction) }
  FILTER(isIRI(?other) && ?other != ?cls)
}
"""

DEFINITION = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?text WHERE {
  #bindings
  { ?cls skos:definition ?text } UNION { ?cls rdfs:comment ?text }
}
"""

LOCAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def class_href(iri) -> str:
    """Return the class page of a class: `/class/<Name>` for ours, `/class?iri=` otherwise."""
    text = str(iri)
    if text.startswith(str(NZSA)) and LOCAL_NAME.fullmatch(text[len(str(NZSA)) :]):
        return url_for("pages.class_page", name=text[len(str(NZSA)) :])
    return url_for("pages.any_class_page", iri=text)


def _link(graph, iri) -> dict:
    return {"iri": str(iri), "label": terms.label(graph, iri), "href": class_href(iri)}


def _links(graph, hierarchy: list[dict], direction: str) -> list[dict]:
    """Return the super- or subclasses as links, sorted by label."""
    found = {r["other"] for r in hierarchy if str(r["direction"]) == direction}
    links = [_link(graph, other) for other in found]
    return sorted(links, key=lambda link: (str(link["label"]).lower(), link["iri"]))


def render_class(cls: URIRef):
    """Render the page of a class, or 404 when nothing in the store mentions it."""
    instances = store().select(bind(INSTANCES, cls=cls))
    hierarchy = store().select(bind(HIERARCHY, cls=cls))
    names = neighbours(store(), {cls} | {r["other"] for r in hierarchy})
    if not instances and not hierarchy and len(names) == 0:
        abort(404)
    rows = sorted(
        (
            {
                "iri": str(r["s"]),
                "label": str(r.get("label") or terms.humanise(r["s"])),
                "href": href(r["s"]),
            }
            for r in instances
        ),
        key=lambda e: (e["label"].lower(), e["iri"]),
    )
    # Sorted here, not in the engine's row order, so every store gives the same page.
    definitions = sorted({str(r["text"]) for r in store().select(bind(DEFINITION, cls=cls))})
    return render_template(
        "pages/class.html",
        iri=str(cls),
        label=terms.label(names, cls),
        definitions=definitions,
        documentation=href(cls),
        superclasses=_links(names, hierarchy, "super"),
        subclasses=_links(names, hierarchy, "sub"),
        instances=rows,
    )


@blueprint.get("/class/<name>")
def class_page(name: str):
    """Show one of the ontology's classes and its instances."""
    if not LOCAL_NAME.fullmatch(name):
        abort(404)
    return render_class(NZSA[name])


@blueprint.get("/class")
def any_class_page():
    """Show any class the data uses (`?iri=`), reused vocabularies' classes included."""
    iri = absolute_iri("iri", request.args.get("iri", ""))
    if not iri.startswith(("http://", "https://")):
        abort(404)
    return render_class(URIRef(iri))
