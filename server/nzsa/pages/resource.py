"""The HTML page of one resource, made from its describe() result."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import g, render_template, request
from rdflib import RDF, Graph, URIRef

from ..formats import formats_of_kind
from ..http.addresses import document_path, path_for_iri
from . import context, model, schemaorg, terms
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


def document_alternates(iri: str, number: int) -> list:
    """Return (URL, Format) of every RDF document of one page of an IRI under our base."""
    path = path_for_iri(iri)
    document = document_path(path) if path is not None else None
    if document is None:
        return []
    query = f"?page={number:d}" if number > 1 else ""
    return [
        (f"{request.script_root}/{document}{f.suffix}{query}", f) for f in formats_of_kind("graph")
    ]


def page_links(description) -> dict[str, str]:
    """Return the URLs of this request's previous and next pages, where they exist."""
    links = {}
    if description.page > 1:
        links["prev"] = request.base_url + _query(page=description.page - 1)
    if description.has_next:
        links["next"] = request.base_url + _query(page=description.page + 1)
    return links


def _page_of(rows: list, number: int) -> tuple[list, dict]:
    """Return the rows of one page of incoming links (values counted), and prev/next URLs."""
    flat = [(row, v) for row in rows for v in row.values]
    pages = max(1, -(-len(flat) // INCOMING_PER_PAGE))
    number = min(max(number, 1), pages)
    start = (number - 1) * INCOMING_PER_PAGE
    shown: dict = {}
    for row, v in flat[start : start + INCOMING_PER_PAGE]:
        shown.setdefault(id(row), model.Row(row.predicate, row.label, row.href, [])).values.append(
            v
        )
    navigation = {}
    if number > 1:
        navigation["prev"] = request.base_url + _query(incoming=number - 1)
    if number < pages:
        navigation["next"] = request.base_url + _query(incoming=number + 1)
    return list(shown.values()), navigation


def _query(**changes) -> str:
    """Return this request's query string with some arguments changed."""
    args = request.args.to_dict()
    args.update({k: str(v) for k, v in changes.items()})
    return "?" + urlencode(args)


def render_resource_page(
    description, alternates=None, pages=None, iri=None, notice: str | None = None
) -> str:
    """Render the HTML page of a resource from its description (and its neighbours' names).

    `description` is describe()'s result (its graph, IRI and one page of its own triples
    and incoming links), with `alternates` as (URL, Format) pairs and `pages` as
    {"prev"/"next": URL}; or a bare graph with `iri`, when this page lists and pages the
    incoming links itself. `notice` says, above all else, that the resource is withdrawn.
    """
    graph, iri = _graph_and_iri(description, iri)
    full = Graph()
    full += graph
    paged = getattr(description, "incoming", None)
    # Links to other pages land on the list of links in, unless the properties continue.
    paging = {"anchor": "#h-incoming"}
    if paged is not None:
        facts = context.page_context(store(), iri, description, full)
        _keep_page(full, iri, set(description.outgoing))
        page = model.build(full, iri, incoming_only=set(paged), facts_in_full=facts.in_full)
        page.named_facts = len(facts.named)
        incoming, navigation = page.incoming, dict(pages or {})
        formats = [
            (f.suffix.lstrip(".").upper(), f.media_type, url)
            for url, f in alternates or ()
            if f.kind == "graph"
        ]
        paging = {
            "number": description.page,
            "more_own": description.more_outgoing,
            "links_here": bool(paged),
            "anchor": "" if description.more_outgoing else "#h-incoming",
        }
    else:
        full += context.context(store(), iri)
        page = model.build(full, iri)
        number = request.args.get("incoming", 1, type=int)
        incoming, navigation = _page_of(page.incoming, number)
        formats = format_links(str(iri))
    return render_template(
        "pages/resource.html",
        page=page,
        incoming=incoming,
        navigation=navigation,
        paging=paging,
        formats=formats,
        jsonld=schemaorg.script(schemaorg.document(full, iri, page)),
        notice=notice,
        memento=g.get("nzsa_memento"),
    )


# Own triples every page keeps, whichever page holds them: the names and types its heading
# shows, which the neighbours' names bring in on every page.
HEADING = {RDF.type, *terms.LABELS}


def _keep_page(graph: Graph, iri: URIRef, own: set) -> None:
    """Drop the resource's own triples that belong to other pages (but its heading)."""
    for p, o in list(graph.predicate_objects(iri)):
        if (p, o) not in own and p not in HEADING:
            graph.remove((iri, p, o))
