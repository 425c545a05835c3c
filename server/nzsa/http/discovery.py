"""Discovery: the VoID/DCAT description, the build's dumps and the JSON-LD context.

/void, /.well-known/void (RFC 8615; VoID §7.2)   negotiated RDF or HTML; /void.ttl etc.
/download/<file>                                  a file the build listed in SHA256SUMS
/context.jsonld                                   the context JSON-LD documents refer to
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from ..checksums import MANIFEST, SUMS
from ..formats import BY_NAME, format_for_suffix
from ..pages import render_resource_page
from ..prefixes import context_document
from ..vocab import DCAT, SD, VOID
from . import addresses, documents, render
from .documents import Rendered
from .negotiate import DOCUMENT_FORMATS, split_suffix
from .representation import allow_cross_origin, content_type, make_etag

bp = Blueprint("discovery", __name__)
bp.after_request(allow_cross_origin)

# Properties whose objects are where to fetch something: they must name this server.
ACCESS_PROPERTIES = (
    VOID.dataDump,
    VOID.sparqlEndpoint,
    DCAT.downloadURL,
    DCAT.accessURL,
    DCAT.endpointURL,
    SD.endpoint,
)


def checksums(build: Path | None) -> dict[str, str]:
    """Return file name → SHA-256 of the files the build produced (its SHA256SUMS)."""
    if build is None:
        return {}
    try:
        text = (build / SUMS).read_text(encoding="utf-8")
    except OSError:
        return {}
    sums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            sums[name.lstrip("*")] = digest
    return sums


def localise(void: Graph) -> Graph:
    """Point a VoID description's dump and endpoint addresses at this server."""
    base = addresses.base_iri()
    local = Graph()
    for prefix, namespace in void.namespaces():
        local.bind(prefix, namespace)
    for s, p, o in void:
        if p in ACCESS_PROPERTIES and isinstance(o, URIRef) and str(o).startswith(base):
            o = URIRef(addresses.external(str(o)[len(base) :]))
        local.add((s, p, o))
    endpoint = URIRef(addresses.external("sparql"))
    if (None, VOID.sparqlEndpoint, None) not in local:
        subsets = set(local.objects(None, VOID.subset))
        for dataset in set(local.subjects(RDF.type, VOID.Dataset)) - subsets:
            local.add((dataset, VOID.sparqlEndpoint, endpoint))
    return local


def minimal_void() -> Graph:
    """Describe the dataset as far as the server knows it without a build's void.ttl."""
    void = Graph()
    void.bind("void", VOID)
    void.bind("dcterms", DCTERMS)
    dataset = URIRef(addresses.base_iri() + "dataset")
    void.add((dataset, RDF.type, VOID.Dataset))
    title = Literal("New Zealand's international security architecture", lang="en")
    void.add((dataset, DCTERMS.title, title))
    void.add((dataset, VOID.uriSpace, Literal(addresses.base_iri() + "id/")))
    return void


def void_graph() -> Graph:
    """Return the build's VoID description, localised to this server."""
    build = documents.build_dir()
    path = build / "void.ttl" if build else None
    void = Graph()
    if path is not None and path.is_file():
        void.parse(path, format="turtle")
    else:
        void = minimal_void()
    return localise(void)


def _void(suffixed: str):
    name, fmt = split_suffix(suffixed, DOCUMENT_FORMATS)
    if name != "void":
        abort(404, description=f"Nothing is published at {request.path}.")

    def make(chosen) -> Rendered:
        if chosen.name == "html":
            # A browser opening a discovery document gets a page, never a 406.
            dataset = URIRef(addresses.base_iri() + "dataset")
            return Rendered(render_resource_page(void_graph(), iri=dataset).encode("utf-8"))
        context = context_document(documents.published_namespaces())["@context"]
        return Rendered(render.rdf(void_graph(), chosen, context, documents.context_url()))

    return documents.send("void", "void", fmt, DOCUMENT_FORMATS, make)


@bp.get("/void")
@bp.get("/.well-known/void")
def void():
    """Send the dataset's VoID/DCAT description, negotiated."""
    return _void("void")


@bp.get("/<any('void.ttl', 'void.jsonld', 'void.rdf', 'void.nt', 'void.html'):name>")
def void_in_format(name: str):
    """Send the dataset's VoID/DCAT description in the format its suffix names."""
    return _void(name)


def download_type(name: str) -> str:
    """Return the Content-Type of a build file, from the media-type table."""
    fmt = format_for_suffix(Path(name).suffix)
    if fmt is not None:
        return content_type(fmt)
    if name == MANIFEST:
        return "application/json"
    return "text/plain; charset=utf-8"


@bp.get("/download/<path:name>")
def download(name: str):
    """Send a file the build produced; nothing else in the directory, nothing outside it."""
    build = documents.build_dir()
    sums = checksums(build)
    listed = name in sums or (name in (SUMS, MANIFEST) and sums)
    if build is None or not listed:
        abort(404, description=f"No download is published at {request.path}.")
    # send_from_directory joins with werkzeug's safe_join, refusing `..` and absolute
    # paths even if a build ever listed such a name.
    response = send_from_directory(
        build,
        name,
        mimetype=download_type(name).split(";")[0],
        etag=sums.get(name) or make_etag(sums.get(SUMS, ""), *sorted(sums.values())),
        conditional=True,
        max_age=current_app.config["MAX_AGE"],
    )
    response.headers["Content-Type"] = download_type(name)
    return response


@bp.get("/download/")
def downloads():
    """List the files the build produced, as plain text (name, checksum)."""
    sums = checksums(documents.build_dir())
    lines = [
        f"{digest}  {addresses.external('download/' + n)}\n" for n, digest in sorted(sums.items())
    ]
    return Response("".join(lines), mimetype="text/plain")


@bp.get("/context.jsonld")
def context():
    """Send the JSON-LD context that every JSON-LD document here refers to."""
    fmt = BY_NAME["jsonld"]

    def make(_chosen) -> Rendered:
        document = context_document(documents.published_namespaces())
        return Rendered(json.dumps(document, indent=2).encode("utf-8"))

    return documents.send("context", "context", fmt, (fmt,), make)
