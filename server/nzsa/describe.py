"""describe(iri): the one result every representation of a resource is made from.

It holds the resource's own triples (asserted and inferred), its evidence and their
sources, one page of incoming links, the qualified facts about it on that page with their
evidence (its provenance), and the labels of everything it links to.

Each query marks `#bindings` at the start of its WHERE clause, where the store puts the
VALUES block that binds ?this: joined first, it anchors every UNION branch to the
resource. A trailing block joins only after the whole pattern (SPARQL 1.1 §18.2.4.3),
which cost pyoxigraph 0.5–2.5 s per document on 100k triples instead of milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from .store.base import Store
from .vocab import NZSA

PREFIXES = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""

# The resource's own triples with the labels of their objects; a second branch marks the
# ones in the inferred graph, which holds only what the reasoner added (MODELLING.md).
OWN = (
    PREFIXES
    + """
SELECT DISTINCT ?this ?p ?o ?pref ?label ?inferred WHERE {
  #bindings
  {
    ?this ?p ?o .
    OPTIONAL { ?o skos:prefLabel ?pref }
    OPTIONAL { ?o rdfs:label ?label }
  } UNION {
    GRAPH <https://w3id.org/nzsa/graph/inferred> { ?this ?p ?o }
    BIND(true AS ?inferred)
  }
}
"""
)

# The resource's evidence nodes and the title and address of the source each quotes.
# Our queries SELECT triples rather than CONSTRUCT them so that they can return the bound
# variables, as pyoxigraph's own substitution mechanism would require. Every UNION branch
# repeats the pattern that anchors it to ?this: engines that evaluate branches bottom-up
# (rdflib) would otherwise match `?e ?p ?o` against the whole dataset.
EVIDENCE = (
    PREFIXES
    + """
SELECT DISTINCT ?this ?s ?p ?o WHERE {
  #bindings
  { ?this nzsa:evidence ?s . ?s ?p ?o }
  UNION
  { ?this nzsa:evidence/prov:wasQuotedFrom ?s . ?s ?p ?o
    FILTER(?p IN (dcterms:title, schema:url)) }
}
"""
)

# One page of incoming links, ordered so that pages are stable, with their labels.
# The integers are formatted from ints (never from request text).
INCOMING = (
    PREFIXES
    + """
SELECT DISTINCT ?this ?s ?p ?pref ?label WHERE {{
  #bindings
  ?s ?p ?this .
  FILTER(?s != ?this)
  OPTIONAL {{ ?s skos:prefLabel ?pref }}
  OPTIONAL {{ ?s rdfs:label ?label }}
}}
ORDER BY ?s ?p ?pref ?label
LIMIT {limit:d} OFFSET {offset:d}
"""
)

# The facts and evidence nodes that link to the resource, with their evidence, sources
# and labels; describe() keeps those whose link is on the page it shows.
# A constant VALUES for ?p would be joined first and scan every label in the store, so
# label properties are chosen with FILTER(IN) after the subject is bound.
# The link to ?this comes first, outside the UNION: inside each branch pyoxigraph started
# from `?f a nzsa:Fact` and scanned every fact before joining the binding.
# Facts are found by their inferred type nzsa:Fact (OWL 2 RL cax-sco puts it in the
# inferred graph): a subClassOf* path per candidate cost rdflib seconds.
PROVENANCE = (
    PREFIXES
    + """
SELECT DISTINCT ?this ?f ?s ?p ?o WHERE {{
  #bindings
  ?f ?link ?this .
  FILTER(?f != ?this)
  {{
    ?f a nzsa:Fact .
    {{ ?f ?p ?o . BIND(?f AS ?s) }}
    UNION
    {{ ?f ?fp ?s . ?s ?p ?o FILTER(?p IN (skos:prefLabel, rdfs:label)) }}
    UNION
    {{ ?f nzsa:evidence ?s . ?s ?p ?o }}
    UNION
    {{ ?f nzsa:evidence/prov:wasQuotedFrom ?s . ?s ?p ?o
       FILTER(?p IN (dcterms:title, schema:url)) }}
  }} UNION {{
    ?f a nzsa:Evidence .
    {{ ?f ?p ?o . BIND(?f AS ?s) }}
    UNION
    {{ ?s nzsa:evidence ?f . BIND(nzsa:evidence AS ?p) BIND(?f AS ?o) }}
    UNION
    {{ ?s nzsa:evidence ?f ; ?p ?o FILTER(?p IN (skos:prefLabel, rdfs:label)) }}
  }}
}}
LIMIT {limit:d}
"""
)

# Rows of provenance fetched per incoming link on a page at most (a fact with its
# evidence, source and labels is about 15).
PROVENANCE_ROWS_PER_LINK = 50

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)


@dataclass(frozen=True)
class Description:
    """Everything published about one resource, on one page of its incoming links."""

    iri: URIRef
    graph: Graph
    inferred: frozenset[tuple[Node, Node]]  # (predicate, object) only the reasoner stated
    incoming: tuple[tuple[URIRef, URIRef], ...]  # (subject, predicate) on this page
    page: int
    page_size: int
    has_next: bool

    def label(self, node: Node) -> str | None:
        """Return the node's English label, else any label, from the description."""
        return best_label(self.graph, node)

    def own(self) -> list[tuple[Node, Node]]:
        """Return the resource's own (predicate, object) pairs, types first, then sorted."""
        pairs = self.graph.predicate_objects(self.iri)
        return sorted(pairs, key=lambda po: (po[0] != RDF.type, str(po[0]), str(po[1])))

    def evidence(self, node: Node) -> list[URIRef]:
        """Return the evidence nodes of a resource or fact in the description."""
        return sorted(self.graph.objects(node, NZSA.evidence))

    def facts(self) -> list[URIRef]:
        """Return the qualified facts about the resource that this page describes."""
        subjects = {s for s, _ in self.incoming}
        return sorted(s for s in subjects if (s, None, None) in self.graph and self.evidence(s))


def best_label(graph: Graph, node: Node) -> str | None:
    """Return a node's label: skos:prefLabel, rdfs:label, dcterms:title; English first."""
    for prop in LABEL_PROPERTIES:
        labels = list(graph.objects(node, prop))
        if labels:
            english = [x for x in labels if isinstance(x, Literal) and x.language == "en"]
            return str(sorted(english or labels)[0])
    return None


def _add_label(graph: Graph, node: Node, pref: Node | None, label: Node | None) -> None:
    if pref is not None:
        graph.add((node, SKOS.prefLabel, pref))
    if label is not None:
        graph.add((node, RDFS.label, label))


def _add_triples(graph: Graph, rows: list[dict]) -> None:
    for row in rows:
        graph.add((row["s"], row["p"], row["o"]))


def describe(
    store: Store,
    iri: URIRef,
    page: int = 1,
    page_size: int = 100,
    namespaces: Mapping[str, str] | None = None,
) -> Description:
    """Describe a resource from the store: its triples, evidence, facts and links."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (namespaces or {}).items():
        graph.bind(prefix, namespace)
    inferred = set()
    for row in store.select(OWN, {"this": iri}):
        if row.get("inferred") is not None:
            inferred.add((row["p"], row["o"]))
            continue
        graph.add((iri, row["p"], row["o"]))
        _add_label(graph, row["o"], row.get("pref"), row.get("label"))
    _add_triples(graph, store.select(EVIDENCE, {"this": iri}))

    query = INCOMING.format(limit=page_size + 1, offset=(page - 1) * page_size)
    rows = store.select(query, {"this": iri})
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    incoming = tuple(dict.fromkeys((row["s"], row["p"]) for row in rows))
    for row in rows:
        graph.add((row["s"], row["p"], iri))
        _add_label(graph, row["s"], row.get("pref"), row.get("label"))
    on_page = {s for s, _ in incoming}
    if on_page:
        query = PROVENANCE.format(limit=PROVENANCE_ROWS_PER_LINK * page_size)
        rows = store.select(query, {"this": iri})
        _add_triples(graph, [row for row in rows if row["f"] in on_page])
    return Description(iri, graph, frozenset(inferred), incoming, page, page_size, has_next)


def exists(description: Description) -> bool:
    """Return whether the store knows the resource at all (as subject or object)."""
    return bool(description.incoming) or (description.iri, None, None) in description.graph
