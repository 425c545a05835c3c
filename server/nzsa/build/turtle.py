"""rdflib's Turtle serializer, with the text of each name and term made once.

rdflib's TurtleSerializer works out a term's prefixed name (compute_qname, escaping,
prefix registration) every time the term occurs: once per occurrence while it collects
the prefixes, and again while it writes. For a graph of a million triples that is most
of its time. This subclass gives the same bytes: while collecting, a (term, may-generate-
a-prefix) pair already seen is skipped (its only effect, registering a prefix, is done);
once writing starts, the prefixes are settled, so a term's label is made once and kept.

A graph without blank nodes (every graph a build writes: they are skolemised) is written
by a loop of its own: rdflib's statement/path/label calls for each term and a write per
token, and a store lookup per subject, reduced to what they do for IRIs and literals
(the same text, the same layout), from an index made while collecting the prefixes. The
order of subjects, predicates and objects is still rdflib's own (orderSubjects,
sortProperties). A graph with blank nodes, a base or spacious output goes the whole way.
"""

from __future__ import annotations

from io import BytesIO

from rdflib import BNode, Graph
from rdflib.plugins.serializers.turtle import OBJECT, SUBJECT, VERB, TurtleSerializer

# rdflib's layout: a predicate after the first one line down at depth 1, a further
# object of one predicate at depth 2 (TurtleSerializer.indentString is four spaces).
NEXT_PREDICATE = " ;\n    "
NEXT_OBJECT = ",\n        "


class OnceTurtleSerializer(TurtleSerializer):
    """TurtleSerializer that works out each term's prefixed name and label once."""

    def reset(self) -> None:
        super().reset()
        self._named: set = set()
        self._labels: dict = {}
        self._writing = False
        self._index: dict | None = None

    def serialize(self, stream, base=None, encoding=None, spacious=None, **kwargs) -> None:
        plain = base is None and self.store.base is None and not spacious and not self._spacious
        if not plain or any(isinstance(n, BNode) for t in self.store for n in t):
            super().serialize(stream, base=base, encoding=encoding, spacious=spacious, **kwargs)
            return
        self.reset()
        self.stream = stream
        self._index = {}
        self.preprocess()
        subjects = self.orderSubjects()
        self.startDocument()
        parts = []
        label = self.label
        for subject in subjects:
            if subject in self._serialized:
                continue
            self._serialized[subject] = True
            properties = self._index[subject]
            parts.append("\n" + label(subject, SUBJECT))
            for number, predicate in enumerate(self.sortProperties(properties)):
                parts.append((" " if number == 0 else NEXT_PREDICATE) + label(predicate, VERB))
                objects = properties[predicate]
                parts.append(" " + label(objects[0], OBJECT))
                for value in objects[1:]:
                    parts.append(NEXT_OBJECT + label(value, OBJECT))
            parts.append(" .\n")
        self.write("".join(parts))
        self.endDocument()
        stream.write(b"\n")
        self.base = None

    def preprocessTriple(self, triple) -> None:  # noqa: N802 (rdflib's name)
        super().preprocessTriple(triple)
        if self._index is not None:
            subject, predicate, value = triple
            self._index.setdefault(subject, {}).setdefault(predicate, []).append(value)

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
