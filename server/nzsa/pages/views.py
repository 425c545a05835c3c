"""Browse any resource in the store by IRI (`/page?iri=`), ours or reused vocabularies'."""

from __future__ import annotations

from flask import abort, current_app, request, send_from_directory
from rdflib import URIRef

from ..describe import describe, exists
from ..http.documents import page_number
from ..http.params import absolute_iri
from .blueprint import blueprint
from .resource import document_alternates, page_links, render_resource_page
from .site import store


@blueprint.get("/page")
def page():
    """Show a page of any IRI the store mentions, paged as its documents are; 404 if none."""
    iri = absolute_iri("iri", request.args.get("iri", ""))
    if not iri.startswith(("http://", "https://")):
        abort(404)
    number = page_number()
    description = describe(store(), URIRef(iri), number, current_app.config["PAGE_SIZE"])
    # Nothing on page 1: an IRI the store does not mention; on a later page: past the last.
    if not exists(description):
        abort(404)
    body = render_resource_page(
        description, document_alternates(iri, number), page_links(description)
    )
    return body, 200, {"Vary": "Accept"}


@blueprint.get("/favicon.ico")
def favicon():
    """Answer the icon browsers ask for by name, whatever page they came from."""
    return send_from_directory(blueprint.static_folder, "favicon.svg", mimetype="image/svg+xml")
