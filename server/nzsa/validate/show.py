"""Show RDF terms the way the Turtle files spell them: prefixed names, short literals."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node


class Shower:
    """Render nodes with the prefixes of a graph; blank nodes by the named node they hang from."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def __call__(self, node: Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, URIRef):
            try:
                return self.graph.namespace_manager.normalizeUri(node)
            except ValueError:
                return f"<{node}>"
        if isinstance(node, Literal):
            text = str(node)
            return repr(text if len(text) <= 60 else text[:57] + "...")
        if isinstance(node, BNode):
            for owner, predicate in self.graph.subject_predicates(node):
                if not isinstance(owner, BNode):
                    return f"[{self(predicate)} of {self(owner)}]"
            return "[]"
        return str(node)
