"""describe(iri): the one result every representation of a resource is made from.

It holds one page of the resource's own triples (asserted and inferred) and one page of
its incoming links; the evidence of the own triples on the page and the sources it quotes;
the qualified facts among the links on the page with their evidence (their provenance);
and the labels of everything the page links to. Page N holds own triples from
(N-1)·OWN_PER_LINK·page_size on, ordered by predicate and object, and incoming links from
(N-1)·page_size on, so no document grows with the degree of a hub.

OWN and INCOMING mark `#bindings` at the start of a WHERE clause, where the store puts
the VALUES block that binds ?this: joined first, it anchors the pattern to the resource.
A trailing block joins only after the whole pattern (SPARQL 1.1 §18.2.4.3), which cost
pyoxigraph 0.5–2.5 s per document on 100k triples instead of milliseconds. EVIDENCE and
PROVENANCE start instead from the nodes on the page, listed in a VALUES block at `#nodes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from .store.base import Store
from .store.terms import MARK, values_list, values_rows
from .vocab import NZSA

PREFIXES = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""

# One page of the resource's own triples, ordered by predicate and then object (their
# text; the terms themselves break ties), with the labels of their objects and a flag on
# those in the inferred graph, which holds only what the reasoner added (MODELLING.md).
# The page is cut in a sub-SELECT, and the store's VALUES block goes inside it: a block
# outside a subquery does not bind its variables (subqueries are evaluated first, SPARQL
# 1.1 §18.2.1), so the sort would read every triple in the store. Labels and the flag are
# looked up for the page's triples only. The integers are formatted from ints.
#
# ?order is the predicate's text, a space (which no IRI holds) and the object's, so it
# sorts by predicate and then object. It is there for speed: pyoxigraph reads both strings
# of every pair of stored terms it compares while sorting, but a string computed once per
# row from memory: 0.3 s → 0.05 s for a hub's 3,600 own triples at 100k triples, 6 s →
# 0.7 s for its 36,000 at 1M.
OWN = (
    PREFIXES
    + """
SELECT ?this ?p ?o ?pref ?label ?inferred WHERE {{
  {{
    SELECT DISTINCT ?this ?p ?o ?order WHERE {{
      #bindings
      ?this ?p ?o .
      BIND(CONCAT(STR(?p), " ", COALESCE(STR(?o), "")) AS ?order)
    }}
    ORDER BY ?order ?p ?o
    LIMIT {limit:d} OFFSET {offset:d}
  }}
  OPTIONAL {{ ?o skos:prefLabel ?pref }}
  OPTIONAL {{ ?o rdfs:label ?label }}
  OPTIONAL {{
    GRAPH <https://w3id.org/nzsa/graph/inferred> {{ ?this ?p ?o }}
    BIND(true AS ?inferred)
  }}
}}
ORDER BY ?order ?p ?o ?pref ?label
"""
)

# The labels and inferred flag of a ranked page of own triples (store/ranks.py), whose
# (?this ?p ?o) the store's ranking lists at `#bindings`, already in order.
OWN_RANKED = (
    PREFIXES
    + """
SELECT ?this ?p ?o ?pref ?label ?inferred WHERE {
  #bindings
  OPTIONAL { ?o skos:prefLabel ?pref }
  OPTIONAL { ?o rdfs:label ?label }
  OPTIONAL {
    GRAPH <https://w3id.org/nzsa/graph/inferred> { ?this ?p ?o }
    BIND(true AS ?inferred)
  }
}
"""
)

# Own triples per page for each incoming link per page. An incoming link brings its
# subject's label and, for a qualified fact, the whole fact with its evidence and sources
# (about 15 triples); an own triple brings its object's label. Two own triples per link
# put every resource of the bundled data (138 own triples at most) on one page, and keep
# a hub's page of own triples quick to show: at ten, New Zealand's first page at 1M (1,000
# memberships) took 0.31–0.46 s of CPU as Turtle.
OWN_PER_LINK = 2

# The evidence nodes among the resource's own triples on the page, and the title and
# address of the source each quotes. Our queries SELECT triples rather than CONSTRUCT them
# so that they can return the bound variables, as pyoxigraph's own substitution mechanism
# would require. Every UNION branch starts from ?e, which the VALUES block put at
# `#nodes` binds first: engines that evaluate branches bottom-up (rdflib) would otherwise
# match `?e ?p ?o` against the whole dataset.
EVIDENCE = (
    PREFIXES
    + """
SELECT DISTINCT ?e ?s ?p ?o WHERE {
  #nodes
  { ?e ?p ?o . BIND(?e AS ?s) }
  UNION
  { ?e prov:wasQuotedFrom ?s . ?s ?p ?o FILTER(?p IN (dcterms:title, schema:url)) }
}
"""
)

# One page of incoming links, ordered so that pages are stable, with their labels.
# ?order sorts as (?s, ?p) do, and is there for speed, as in OWN: 0.35 s → 0.13 s at 100k
# triples for a hub's 4,100 links, 6.9 s → 1.9 s at 1M. The integers are formatted from
# ints (never from request text).
INCOMING = (
    PREFIXES
    + """
SELECT DISTINCT ?this ?s ?p ?pref ?label WHERE {{
  #bindings
  ?s ?p ?this .
  FILTER(?s != ?this)
  OPTIONAL {{ ?s skos:prefLabel ?pref }}
  OPTIONAL {{ ?s rdfs:label ?label }}
  BIND(CONCAT(STR(?s), " ", STR(?p)) AS ?order)
}}
ORDER BY ?order ?s ?p ?pref ?label
LIMIT {limit:d} OFFSET {offset:d}
"""
)

# The facts and evidence nodes among the incoming links on the page, with their evidence,
# sources and labels. ?f is bound to the page's subjects by the VALUES block at `#nodes`,
# so every fact on a page gets all of its provenance whatever the resource's degree.
# A constant VALUES for ?p would be joined first and scan every label in the store, so
# label properties are chosen with FILTER(IN) after the subject is bound.
# Facts are found by their inferred type nzsa:Fact (OWL 2 RL cax-sco puts it in the
# inferred graph): a subClassOf* path per candidate cost rdflib seconds.
PROVENANCE = (
    PREFIXES
    + """
SELECT DISTINCT ?f ?s ?p ?o WHERE {
  #nodes
  {
    ?f a nzsa:Fact .
    { ?f ?p ?o . BIND(?f AS ?s) }
    UNION
    { ?f ?fp ?s . ?s ?p ?o FILTER(?p IN (skos:prefLabel, rdfs:label)) }
    UNION
    { ?f nzsa:evidence ?s . ?s ?p ?o }
    UNION
    { ?f nzsa:evidence/prov:wasQuotedFrom ?s . ?s ?p ?o
      FILTER(?p IN (dcterms:title, schema:url)) }
  } UNION {
    ?f a nzsa:Evidence .
    { ?f ?p ?o . BIND(?f AS ?s) }
    UNION
    { ?s nzsa:evidence ?f . BIND(nzsa:evidence AS ?p) BIND(?f AS ?o) }
    UNION
    { ?s nzsa:evidence ?f ; ?p ?o FILTER(?p IN (skos:prefLabel, rdfs:label)) }
  }
}
"""
)

# A query cannot name a blank node of the store, so blank nodes on a page are reached
# from ?this by the link that put them there: all such nodes, which describe() narrows to
# the page. Builds skolemise every blank node (load.skolemise), so this serves only data
# loaded some other way.
BLANK_EVIDENCE = "?this nzsa:evidence ?e FILTER(isBlank(?e))"
BLANK_LINKS_IN = "?f ?link ?this FILTER(isBlank(?f))"

# Where EVIDENCE and PROVENANCE bind the nodes of the page they look up.
NODES = "#nodes"

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)


@dataclass(frozen=True)
class Description:
    """Everything published about one resource, on one page of its triples and links."""

    iri: URIRef
    graph: Graph
    inferred: frozenset[tuple[Node, Node]]  # (predicate, object) only the reasoner stated
    outgoing: tuple[tuple[Node, Node], ...]  # own (predicate, object) on this page
    incoming: tuple[tuple[URIRef, URIRef], ...]  # (subject, predicate) on this page
    page: int
    page_size: int  # incoming links per page; own triples per page are OWN_PER_LINK times it
    more_outgoing: bool  # the resource's own triples continue on the next page
    more_incoming: bool  # its incoming links continue on the next page

    @property
    def has_next(self) -> bool:
        """Return whether either list continues on the next page."""
        return self.more_outgoing or self.more_incoming

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


def _add_triples(graph: Graph, rows: list[dict], iri: URIRef) -> None:
    # The resource's own triples come from its own pages only, never from another list.
    for row in rows:
        if row["s"] != iri:
            graph.add((row["s"], row["p"], row["o"]))


def _select_for(store: Store, query: str, variable: str, nodes, blank: str, iri: URIRef):
    """Run a query whose `#nodes` mark binds ?variable to some nodes of the page.

    IRIs are listed in a VALUES block, each written by the store's validating serialiser.
    Blank nodes cannot be named in a query, so when there are any, a second query finds
    them by the `blank` pattern, anchored on ?this. Two queries, not one UNION: Virtuoso 7
    answers nothing for a UNION one of whose branches is a VALUES block.
    """
    rows = []
    iris = sorted(n for n in nodes if isinstance(n, URIRef))
    if iris:
        rows += store.select(query.replace(NODES, values_list(variable, iris)))
    if any(isinstance(n, BNode) for n in nodes):
        rows += store.select(query.replace(NODES, f"{MARK}\n {blank}"), {"this": iri})
    return [row for row in rows if row[variable] in nodes]


def _page_rows(store: Store, query: str, iri: URIRef, pair: tuple[str, str], start: int,
               count: int) -> list[dict]:  # fmt: skip
    """Return rows [start, start + count) of OWN or INCOMING (`pair` names its two terms).

    For a resource whose list the store has ranked (store/ranks.py), the query runs on
    just the pairs that cover those rows, bound with ?this at its `#bindings` mark: the
    same rows in the same order, without reading the text of every pair to sort them.
    """
    kind = "own" if pair == ("p", "o") else "in"
    window = store.ranked(str(iri), kind, start, start + count)
    if window is None:
        return store.select(query.format(limit=count, offset=start), {"this": iri})
    if not window.pairs:
        return []
    block = values_rows(("this", *pair), [(iri, *terms) for terms in window.pairs])
    if kind == "own" and not window.ties:
        # The window is in order already: rows are put in its order here, and only the
        # labels and flag are queried (the rows of one pair may come in any order).
        position = {terms: n + window.first_row for n, terms in enumerate(window.pairs)}
        rows = store.select(OWN_RANKED.replace(MARK, block))
        rows = [row for row in rows if start <= position[row["p"], row["o"]] < start + count]
        return sorted(rows, key=lambda row: position[row["p"], row["o"]])
    text = query.format(limit=count, offset=start - window.first_row)
    return store.select(text.replace(MARK, block))


def describe(
    store: Store,
    iri: URIRef,
    page: int = 1,
    page_size: int = 100,
    namespaces: Mapping[str, str] | None = None,
) -> Description:
    """Describe a resource from the store: one page of its triples, links and facts."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (namespaces or {}).items():
        graph.bind(prefix, namespace)

    own_size = OWN_PER_LINK * page_size
    rows = _page_rows(store, OWN, iri, ("p", "o"), (page - 1) * own_size, own_size + 1)
    pairs = list(dict.fromkeys((row["p"], row["o"]) for row in rows))
    more_outgoing = len(pairs) > own_size
    outgoing = tuple(pairs[:own_size])
    on_page = set(outgoing)
    inferred = set()
    for row in rows:
        pair = (row["p"], row["o"])
        if pair not in on_page:
            continue  # the first of the next page, fetched to know there is one
        graph.add((iri, *pair))
        _add_label(graph, row["o"], row.get("pref"), row.get("label"))
        if row.get("inferred") is not None:
            inferred.add(pair)
    evidence = {o for p, o in outgoing if p == NZSA.evidence}
    if evidence:
        rows = _select_for(store, EVIDENCE, "e", evidence, BLANK_EVIDENCE, iri)
        _add_triples(graph, rows, iri)

    rows = _page_rows(store, INCOMING, iri, ("s", "p"), (page - 1) * page_size, page_size + 1)
    more_incoming = len(rows) > page_size
    rows = rows[:page_size]
    incoming = tuple(dict.fromkeys((row["s"], row["p"]) for row in rows))
    for row in rows:
        graph.add((row["s"], row["p"], iri))
        _add_label(graph, row["s"], row.get("pref"), row.get("label"))
    linking = {s for s, _ in incoming}
    if linking:
        rows = _select_for(store, PROVENANCE, "f", linking, BLANK_LINKS_IN, iri)
        _add_triples(graph, rows, iri)
    return Description(
        iri, graph, frozenset(inferred), outgoing, incoming, page, page_size, more_outgoing,
        more_incoming,
    )  # fmt: skip


def exists(description: Description) -> bool:
    """Return whether the page holds anything (on page 1: whether the store knows it)."""
    return bool(description.outgoing or description.incoming)
