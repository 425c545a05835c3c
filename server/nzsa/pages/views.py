"""Browse any resource in the store by IRI (`/page?iri=`), ours or reused vocabularies'."""

from __future__ import annotations

from flask import abort, request, send_from_directory
from rdflib import Graph, URIRef

from ..http.params import absolute_iri
from .blueprint import blueprint
from .resource import render_resource_page
from .site import bind, store

KNOWN = "SELECT ?p WHERE {\n#bindings\n{ ?this ?p ?o } UNION { ?s ?p ?this } } LIMIT 1"


@blueprint.get("/page")
def page():
    """Show the page of any IRI the store mentions; 404 for one it does not."""
    iri = absolute_iri("iri", request.args.get("iri", ""))
    if not iri.startswith(("http://", "https://")):
        abort(404)
    if not store().select(bind(KNOWN, this=URIRef(iri))):
        abort(404)
    return render_resource_page(Graph(), iri=URIRef(iri)), 200, {"Vary": "Accept"}


@blueprint.get("/favicon.ico")
def favicon():
    """Answer the icon browsers ask for by name, whatever page they came from."""
    return send_from_directory(blueprint.static_folder, "favicon.svg", mimetype="image/svg+xml")
