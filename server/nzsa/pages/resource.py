"""The HTML page of one resource, made from its describe() result."""

from __future__ import annotations

from flask import render_template, request
from rdflib import Graph, URIRef

from ..addresses import document_path, path_for_iri
from ..formats import formats_of_kind
from . import context, model, schemaorg
from .site import store

INCOMING_PER_PAGE = 50


def _graph_and_iri(description, iri) -> tuple[Graph, URIRef]:
    """Accept a graph with the IRI beside it, or a description object carrying both."""
    graph = description if isinstance(description, Graph) else description.graph
    iri = iri if iri is not None else getattr(description, "iri", None)
    return graph, URIRef(str(iri))


def format_links(iri: str) -> list[tuple[str, str, str]]:
    """Return (name, media type, URL) of every RDF document of an IRI under our base."""
    path = path_for_iri(iri)
    document = document_path(path) if path is not None else None
    if document is None:
        return []
    return [
        (f.suffix.lstrip(".").upper(), f.media_type, f"{request.script_root}/{document}{f.suffix}")
        for f in formats_of_kind("graph")
    ]


def _page_of(rows: list, number: int) -> tuple[list, int]:
    """Return the rows of one page of incoming links (values counted), and the page count."""
    flat = [(row, v) for row in rows for v in row.values]
    pages = max(1, -(-len(flat) // INCOMING_PER_PAGE))
    start = (min(max(number, 1), pages) - 1) * INCOMING_PER_PAGE
    shown: dict = {}
    for row, v in flat[start : start + INCOMING_PER_PAGE]:
        shown.setdefault(id(row), model.Row(row.predicate, row.label, row.href, [])).values.append(
            v
        )
    return list(shown.values()), pages


def render_resource_page(description, iri=None, status: int = 200) -> str:
    """Render the HTML page of a resource from its description (and its neighbours' names)."""
    graph, iri = _graph_and_iri(description, iri)
    full = Graph()
    full += graph
    full += context.context(store(), iri)
    page = model.build(full, iri)
    number = request.args.get("incoming", 1, type=int)
    incoming, pages = _page_of(page.incoming, number)
    return render_template(
        "pages/resource.html",
        page=page,
        incoming=incoming,
        incoming_page=min(max(number, 1), pages),
        incoming_pages=pages,
        formats=format_links(str(iri)),
        jsonld=schemaorg.script(schemaorg.document(full, iri, page)),
    )
