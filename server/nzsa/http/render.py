"""Serialise a graph or a Description in one of the document formats."""

from __future__ import annotations

import json

from rdflib import Graph

from ..formats import Format


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
