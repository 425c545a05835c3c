"""The canonical Turtle layout: rdflib's longturtle, made deterministic and tidy.

longturtle already writes one predicate per line, objects one per line and blank
nodes nested in place. Three things keep it from being canonical, and are changed here:
blank nodes sort by their random ids (so the order of two pieces of evidence changes
from run to run), subjects sort by how often they are referenced (so a new reference
moves a block), and lists of blank nodes and object lists that open with one leave
whitespace-only lines and trailing spaces.
"""

from __future__ import annotations

import io

import pyoxigraph as ox
from rdflib import OWL, RDF, BNode, Graph
from rdflib.plugins.serializers.longturtle import OBJECT, LongTurtleSerializer


def content_keys(graph: Graph) -> dict[BNode, str]:
    """Key every blank node by its description, nested blank nodes included."""
    keys: dict[BNode, str] = {}

    def key(node: BNode, path: frozenset) -> str:
        if node in keys:
            return keys[node]
        if node in path:
            return "[cycle]"
        parts = sorted(
            f"{p.n3()} {key(o, path | {node}) if isinstance(o, BNode) else o.n3()}"
            for p, o in graph.predicate_objects(node)
        )
        keys[node] = "[" + " ; ".join(parts) + "]"
        return keys[node]

    for node in {n for t in graph for n in (t[0], t[2]) if isinstance(n, BNode)}:
        key(node, frozenset())
    return keys


def relabel_blank_nodes(graph: Graph) -> Graph:
    """Copy `graph` with blank nodes named in the order of their content.

    The serializer sorts objects and subjects by their ids, so ids that follow content
    give the same order on every run: evidence is ordered by source, then quote.
    """
    keys = content_keys(graph)
    ranked = sorted(keys, key=lambda node: (keys[node], _referrers(graph, node)))
    width = len(str(len(ranked)))
    names = {node: BNode(f"b{rank:0{width}d}") for rank, node in enumerate(ranked)}
    result = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        result.bind(prefix, namespace, override=True, replace=True)
    for s, p, o in graph:
        result.add((names.get(s, s), p, names.get(o, o)))
    return result


def _referrers(graph: Graph, node: BNode) -> str:
    """Tell apart blank nodes of equal content by where they are used, where that is named."""
    return " ".join(
        sorted(
            f"{'[]' if isinstance(s, BNode) else s.n3()} {p.n3()}"
            for s, p in graph.subject_predicates(node)
        )
    )


class CanonicalTurtleSerializer(LongTurtleSerializer):
    """longturtle with content-ordered blank nodes, subjects by IRI, no stray whitespace."""

    # The ontology header comes first; everything else in IRI order.
    topClasses = [OWL.Ontology]
    # Every prefix the file declares is written, used or not, and no other is invented.
    roundtrip_prefixes = True

    def orderSubjects(self):  # noqa: N802 (rdflib's name)
        """The ontology header, named subjects by IRI, then blank nodes (unreferenced first).

        An unreferenced blank node (`[] a owl:AllDisjointClasses`) must come before the
        lists it holds, so that they are written in place rather than on their own.
        """
        top = sorted(s for c in self.topClasses for s in self.store.subjects(RDF.type, c))
        for subject in top:
            self._topLevels[subject] = True
        rest = [s for s in self._subjects if s not in set(top)]
        rest.sort(key=lambda s: (isinstance(s, BNode), self._references[s], s))
        return top + rest

    def get_pname(self, uri, gen_prefix=True):
        """Use only the file's own prefixes: never generate `ns1:`."""
        return super().get_pname(uri, gen_prefix=False)

    def s_squared(self, subject):
        """Write an unreferenced blank subject as `[]`, its predicates below as for any other."""
        if self._references[subject] > 0 or not isinstance(subject, BNode):
            return False
        self.write("\n" + self.indent() + "[]\n")
        self.predicateList(subject)
        self.write("\n.")
        return True

    def _nests(self, node) -> bool:
        """Tell whether `node` will be written in place, as `[ … ]` or `( … )`."""
        return (
            isinstance(node, BNode) and node not in self._serialized and self._references[node] <= 1
        )

    def p_squared(self, node, position):
        if position == 0 or not self._nests(node):  # 0: the subject position
            return False
        if self.isValidList(node):
            self.write(" (")
            self.doList(node)
            self.write("\n" + self.indent() + ")")
        else:
            self.subjectDone(node)
            self.write("\n" + self.indent(1) + "[\n")
            self.depth += 1
            self.predicateList(node)
            self.depth -= 1
            self.write("\n" + self.indent(1) + "]")
        return True

    def doList(self, l_):  # noqa: N802 (rdflib's name)
        """Write each item on its own line; a nested blank node starts its own."""
        while l_:
            item = self.store.value(l_, RDF.first)
            if item is not None:
                if not (self._nests(item) and not self.isValidList(item)):
                    self.write("\n" + self.indent(1))
                self.path(item, OBJECT, newline=True)
                self.subjectDone(l_)
            l_ = self.store.value(l_, RDF.rest)

    def objectList(self, objects):  # noqa: N802 (rdflib's name)
        if not objects:
            return
        several = len(objects) > 1
        # Nested blank nodes sit one level in, one object or several (as in longturtle).
        self.depth += 1
        for index, obj in enumerate(objects):
            if index:
                self.write(" ,")
            if self._nests(obj) and not self.isValidList(obj):
                self.path(obj, OBJECT, newline=True)
            elif several:
                self.write("\n" + self.indent(1))
                self.path(obj, OBJECT, newline=True)
            else:
                self.path(obj, OBJECT)
        self.depth -= 1


def canonical_turtle(graph: Graph) -> str:
    """Serialise `graph` in the canonical layout (prefixes: those bound in `graph`)."""
    serializer = CanonicalTurtleSerializer(relabel_blank_nodes(graph))
    stream = io.BytesIO()
    serializer.serialize(stream, encoding="utf-8")
    return stream.getvalue().decode("utf-8").strip("\n") + "\n"


def same_graph(turtle_a: str, turtle_b: str, base_iri: str) -> bool:
    """Tell whether two Turtle texts hold isomorphic graphs.

    Oxigraph canonicalises blank nodes (RDFC-1.0) in a fraction of the time rdflib's
    isomorphism test takes, and being a second parser it also checks that the rewrite
    reads the same in another implementation.
    """

    def canonical(text: str) -> set:
        triples = ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=base_iri)
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return set(dataset)

    return canonical(turtle_a) == canonical(turtle_b)
