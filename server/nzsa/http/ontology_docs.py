"""The ontology and the shapes at their own IRIs, in RDF and as HTML documentation.

    /ontology, /ontology#Term   negotiated (hash IRIs: the document is the resource itself)
    /ontology.ttl|.jsonld|.rdf|.nt|.html
    /shapes, /shapes.<suffix>   the same for the SHACL shapes graph

The ontology's HTML is made by pyLODE once per store version and cached.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import threading
import types

from flask import Blueprint, abort, render_template, request
from rdflib import RDF, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, SH

from ..describe import best_label
from ..prefixes import context_document
from ..vocab import NZSA
from . import addresses, documents, render
from .documents import Rendered
from .negotiate import DOCUMENT_FORMATS, split_suffix
from .representation import allow_cross_origin

bp = Blueprint("ontology_docs", __name__)
bp.after_request(allow_cross_origin)

# Graph names are constants of the build (docs/MODELLING.md), not request input.
GRAPHS = {
    "ontology": "https://w3id.org/nzsa/graph/ontology",
    "shapes": "https://w3id.org/nzsa/graph/shapes",
}
GRAPH_QUERY = "SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

# pyLODE makes its HTML with global state (dominate's document context); one at a time.
_pylode_lock = threading.Lock()


def graph_of(name: str) -> Graph:
    """Return the named graph `ontology` or `shapes` from the store, with our prefixes."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in documents.published_namespaces().items():
        graph.bind(prefix, namespace)
    graph.bind("sh", SH)
    found = Graph()
    for row in documents.store().select(GRAPH_QUERY.format(graph=GRAPHS[name])):
        found.add((row["s"], row["p"], row["o"]))
    # Added in a fixed order, blank nodes under canonical labels (each engine labels them
    # its own way): pyLODE lists what it finds in the order the graph gives it.
    for triple in sorted(to_canonical_graph(found), key=lambda t: tuple(x.n3() for x in t)):
        graph.add(triple)
    return graph


def _pylode():
    """Import pyLODE's OntPub, working around its version lookup (RDFLib/pyLODE#260)."""
    # pyLODE 3.4.1 reads its version from a pyproject.toml that wheels do not install.
    if "pylode.version" not in sys.modules:
        stub = types.ModuleType("pylode.version")
        stub.__version__ = importlib.metadata.version("pylode")
        sys.modules["pylode.version"] = stub
    from pylode import OntPub

    return OntPub


def ontology_html(graph: Graph) -> bytes:
    """Return pyLODE's documentation of the ontology, with an anchor for every term name."""
    copy = Graph()
    copy += graph  # pyLODE adds inferred triples to the graph it is given
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace)
    with _pylode_lock:
        publisher = _pylode()(copy)
        html = publisher.make_html()
        fids = dict(publisher.fids)
    # pyLODE names sections after labels (`agencyunit`); /ontology#AgencyUnit should land
    # on the term's section too, so add an anchor named after the IRI's fragment.
    for iri, fid in fids.items():
        local = iri[len(str(NZSA)) :] if iri.startswith(str(NZSA)) else ""
        if not fid or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", local) or local == fid:
            continue
        if f'id="{local}"' in html:
            continue
        at = html.find(f'id="{fid}"')
        end = html.find(">", at)
        if at >= 0 and end >= 0:
            html = html[: end + 1] + f'<span id="{local}"></span>' + html[end + 1 :]
    return html.encode("utf-8")


def shapes_html(graph: Graph, alternates) -> bytes:
    """Return a plain listing of the shapes: label, targets and messages."""
    shapes = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape))):
        if not isinstance(shape, URIRef):
            continue
        targets = sorted(
            str(t) for p in (SH.targetClass, SH.targetNode) for t in graph.objects(shape, p)
        )
        nodes = [shape, *graph.objects(shape, SH.property)]
        messages = sorted({str(m) for node in nodes for m in graph.objects(node, SH.message)})
        shapes.append(
            {
                "iri": str(shape),
                "fragment": str(shape).rpartition("#")[2],
                "label": best_label(graph, shape) or str(shape).rpartition("#")[2],
                "targets": targets,
                "messages": messages,
            }
        )
    title = best_label(graph, URIRef(addresses.base_iri() + "shapes")) or "nzsa shapes"
    return render_template(
        "ld/shapes.html",
        title=title,
        iri=addresses.base_iri() + "shapes",
        shapes=shapes,
        alternates=alternates,
    ).encode("utf-8")


def _send(name: str, suffixed: str):
    stem, fmt = split_suffix(suffixed, DOCUMENT_FORMATS)
    if stem != name:
        abort(404, description=f"Nothing is published at {request.path}.")

    def make(chosen) -> Rendered | None:
        graph = graph_of(name)
        if len(graph) == 0:
            return None
        if chosen.name != "html":
            context = context_document(documents.published_namespaces())["@context"]
            return Rendered(render.rdf(graph, chosen, context, documents.context_url()))
        if name == "ontology":
            # pyLODE documents an owl:Ontology and fails (a bare Exception) without one.
            if (None, RDF.type, OWL.Ontology) not in graph:
                return None
            return Rendered(ontology_html(graph))
        offered = [(addresses.external(name + f.suffix), f) for f in DOCUMENT_FORMATS]
        return Rendered(shapes_html(graph, offered))

    return documents.send(name, name, fmt, DOCUMENT_FORMATS, make)


@bp.get("/ontology")
def ontology():
    """Send the ontology, negotiated."""
    return _send("ontology", "ontology")


@bp.get("/shapes")
def shapes():
    """Send the SHACL shapes, negotiated."""
    return _send("shapes", "shapes")


@bp.get("/<any('ontology', 'shapes'):name><any('.ttl', '.jsonld', '.rdf', '.nt', '.html'):suffix>")
def in_format(name: str, suffix: str):
    """Send the ontology or the shapes in the format the suffix names."""
    return _send(name, name + suffix)
