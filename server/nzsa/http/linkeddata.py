"""Thing IRIs answer 303 See Other; their documents are negotiated or take a suffix.

    /id/<type>/<slug>               303 → /doc/<type>/<slug>   (a thing: not a document)
    /doc/<type>/<slug>              negotiated on Accept (Vary: Accept, Content-Location)
    /doc/<type>/<slug>.ttl|.jsonld|.rdf|.nt|.html   one representation
    /.well-known/genid/<id>         303 → /doc/.well-known/genid/<id>  (skolemised nodes)

W3C "Cool URIs for the Semantic Web" §4.3 (303 URIs forwarding to one generic document).
A retired thing answers 301 to its replacement or 410 Gone with its last description,
at /id/ and /doc/ alike (linking/retired.py).
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, abort, current_app, redirect, request

from ..describe import Description, describe, exists
from ..linking import retired
from ..pages import render_resource_page
from ..prefixes import context_document
from . import addresses, discovery, documents, ontology_docs, render
from .documents import Rendered
from .negotiate import DOCUMENT_FORMATS, split_suffix
from .representation import allow_cross_origin, link

bp = Blueprint("linkeddata", __name__)
bp.after_request(allow_cross_origin)


def register(app: Flask) -> None:
    """Register the Linked Data routes and their shared state."""
    app.extensions["nzsa.documents"] = documents.Documents(app)
    app.register_blueprint(bp)
    app.register_blueprint(ontology_docs.bp)
    app.register_blueprint(discovery.bp)


# RFC 3986 path characters: anything else cannot be part of one of our IRIs, and the
# store rightly refuses to put it in a query.
PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]+")


def cached_description(thing: str, page: int) -> Description | None:
    """Return the description of a thing path on one page, or None if it is unknown."""
    if not PATH.fullmatch(thing):
        return None
    iri = addresses.iri_for_path(thing)
    store = documents.store()
    key = (store.version(), "describe", str(iri), page)

    def make() -> Description | None:
        size = current_app.config["PAGE_SIZE"]
        found = describe(store, iri, page, size, documents.published_namespaces())
        # Nothing on page 1: an unknown resource; on a later page: past the last page.
        return found if exists(found) else None

    return documents.state().cache.get_or_make(key, make)


def _see_other(thing: str) -> object:
    name, fmt = split_suffix(thing, DOCUMENT_FORMATS)
    gone = retired.lookup(name)
    if gone is not None:
        suffix = fmt.suffix if fmt else ""
        if gone.withdrawn:
            return send_document(addresses.document_path(name) + suffix, gone=gone)
        return retired.moved(gone, "id/", suffix)
    if cached_description(name, 1) is None:
        abort(404, description=f"Nothing is published at {request.path}.")
    target = addresses.external(addresses.document_path(name) + (fmt.suffix if fmt else ""))
    # Keep the query (a page number) on the way to the document.
    query = request.query_string.decode("ascii", "replace")
    response = redirect(target + ("?" + query if query else ""), code=303)
    response.vary.add("Accept")
    return response


@bp.get("/id/<path:rest>")
def thing(rest: str):
    """Send a thing's IRI on to its document."""
    return _see_other("id/" + rest)


@bp.get("/.well-known/genid/<path:rest>")
def skolem(rest: str):
    """Send a skolemised node's IRI on to its document."""
    return _see_other(".well-known/genid/" + rest)


@bp.get("/doc/<path:rest>")
def document(rest: str):
    """Send the document about a thing, negotiated or in the format its suffix names."""
    thing_path = addresses.thing_path("doc/" + rest)
    gone = retired.lookup(split_suffix(thing_path, DOCUMENT_FORMATS)[0]) if thing_path else None
    if gone is not None and not gone.withdrawn:
        _, fmt = split_suffix(rest, DOCUMENT_FORMATS)
        return retired.moved(gone, "doc/", fmt.suffix if fmt else "")
    return send_document("doc/" + rest, gone=gone)


def send_document(path: str, at: str = "", gone: retired.Retired | None = None) -> Response:
    """Send the document at `path` (`doc/…`, perhaps suffixed), published under `at`.

    `at` is the prefix of a memento's address (`release/v1.0.0/`): its links to other
    formats and pages stay under it. The store is the request's (documents.store()).
    A withdrawn thing's last description answers 410 Gone, saying so.
    """
    name, fmt = split_suffix(path, DOCUMENT_FORMATS)
    thing_path = addresses.thing_path(name)
    # Text no IRI path holds (a CR, a space) names nothing here, and must not reach the
    # Link and Content-Location headers made from the path.
    if thing_path is None or not PATH.fullmatch(thing_path):
        abort(404, description=f"Nothing is published at {request.path}.")
    page = documents.page_number()
    shown = at + name

    def make(chosen) -> Rendered | None:
        description = cached_description(thing_path, page)
        if description is None:
            return None
        pages = _page_links(shown + chosen.suffix if fmt else shown, page, description)
        if chosen.name == "html":
            offered = [
                (addresses.external(shown + f.suffix) + documents.page_query(page), f)
                for f in DOCUMENT_FORMATS
            ]
            notice = gone.notice() if gone else None
            body = render_resource_page(description, offered, pages, notice=notice)
            body = body.encode("utf-8")
        else:
            context = context_document(documents.published_namespaces())["@context"]
            body = render.rdf(description.graph, chosen, context, documents.context_url())
        return Rendered(body, tuple(link(url, rel) for rel, url in pages.items()))

    # The negotiated document and the suffixed one link other pages at their own kind of
    # address (in Link and in HTML), so they are rendered, cached and tagged apart.
    key = shown + fmt.suffix if fmt else shown
    status = 410 if gone else 200
    return documents.send(key, shown, fmt, DOCUMENT_FORMATS, make, page, status)


def _page_links(path: str, page: int, description: Description) -> dict[str, str]:
    """Return the URLs of the previous and next pages, where they exist."""
    pages = {}
    if page > 1:
        pages["prev"] = addresses.external(path) + documents.page_query(page - 1)
    if description.has_next:
        pages["next"] = addresses.external(path) + documents.page_query(page + 1)
    return pages
