"""rdflib's Turtle serializer, with the text of each name and term made once.

rdflib's TurtleSerializer works out a term's prefixed name (compute_qname, escaping,
prefix registration) every time the term occurs: once per occurrence while it collects
the prefixes, and again while it writes. For a graph of a million triples that is most
of its time. This subclass gives the same bytes: while collecting, a (term, may-generate-
a-prefix) pair already seen is skipped (its only effect, registering a prefix, is done);
once writing starts, the prefixes are settled, so a term's label is made once and kept.
"""

from __future__ import annotations

from io import BytesIO

from rdflib import Graph
from rdflib.plugins.serializers.turtle import TurtleSerializer


class OnceTurtleSerializer(TurtleSerializer):
    """TurtleSerializer that works out each term's prefixed name and label once."""

    def reset(self) -> None:
        super().reset()
        self._named: set = set()
        self._labels: dict = {}
        self._writing = False

    def get_pname(self, uri, gen_prefix: bool = True):
        if self._writing:
            return super().get_pname(uri, gen_prefix)
        key = (type(uri), str(uri), gen_prefix)
        if key in self._named:
            # Only the first call registers a prefix; the name itself is not used here.
            return None
        self._named.add(key)
        return super().get_pname(uri, gen_prefix)

    def startDocument(self) -> None:  # noqa: N802 (rdflib's name)
        self._writing = True
        super().startDocument()

    def label(self, node, position: int) -> str:
        datatype = getattr(node, "datatype", None)
        language = getattr(node, "language", None)
        key = (type(node), str(node), str(datatype) if datatype else None, language, position)
        text = self._labels.get(key)
        if text is None:
            text = self._labels[key] = super().label(node, position)
        return text


def serialize_turtle(graph: Graph) -> bytes:
    """Return `graph` as rdflib writes it in Turtle (UTF-8), byte for byte."""
    stream = BytesIO()
    OnceTurtleSerializer(graph).serialize(stream, base=graph.base, encoding="utf-8")
    return stream.getvalue()
