"""Serialise a graph or a Description in one of the document formats."""

from __future__ import annotations

import json

from flask import render_template
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import addresses
from .describe import Description, best_label
from .formats import Format
from .vocab import NZSA, PROV


def rdf(graph: Graph, fmt: Format, context: dict | None = None, context_url: str = "") -> bytes:
    """Serialise a graph; JSON-LD is compacted against, and refers to, the published context."""
    if fmt.name == "jsonld":
        text = graph.serialize(format="json-ld", context=context or {}, auto_compact=True)
        document = json.loads(text)
        if isinstance(document, dict) and context_url:
            # Compacted against the very context published at context_url, so a processor
            # that fetches it expands the document to the same triples (JSON-LD 1.1 §3.1).
            document["@context"] = context_url
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return graph.serialize(format=fmt.rdflib_format, encoding="utf-8")


class HtmlView:
    """What a template needs to show nodes: labels, links and compact names."""

    def __init__(self, graph: Graph):
        self.graph = graph
        # Longest namespace first, so `genid:` wins over a shorter namespace it extends.
        self._namespaces = sorted(
            ((str(ns), prefix) for prefix, ns in graph.namespaces()), key=lambda x: -len(x[0])
        )

    def label(self, node: Node) -> str:
        """Return the node's label, else its compact name."""
        return best_label(self.graph, node) or self.name(node)

    def name(self, node: Node) -> str:
        """Return a compact name (prefix:local) for an IRI, else its text."""
        # Not rdflib's normalizeUri: it binds new prefixes on the (cached, shared) graph.
        text = str(node)
        if isinstance(node, URIRef):
            for namespace, prefix in self._namespaces:
                local = text[len(namespace) :]
                if text.startswith(namespace) and local and "/" not in local and "#" not in local:
                    return f"{prefix}:{local}"
        return text

    def href(self, node: Node) -> str | None:
        """Return where a link to the node goes (our own page for IRIs under the base)."""
        if isinstance(node, URIRef):
            return addresses.local_href(str(node))
        return None

    def is_literal(self, node: Node) -> bool:
        return isinstance(node, Literal)

    def is_blank(self, node: Node) -> bool:
        return isinstance(node, BNode)

    def objects(self, subject: Node) -> list[tuple[Node, Node]]:
        """Return a subject's (predicate, object) pairs in a stable order."""
        return sorted(self.graph.predicate_objects(subject), key=lambda po: (str(po[0]), po[1]))


def html_page(description: Description, alternates: list[tuple[str, Format]], pages: dict) -> bytes:
    """Render the HTML page of a Description (escaped by Jinja's autoescape)."""
    return render_template(
        "ld/resource.html",
        d=description,
        view=HtmlView(description.graph),
        alternates=alternates,
        pages=pages,
        NZSA=NZSA,
        PROV=PROV,
    ).encode("utf-8")
