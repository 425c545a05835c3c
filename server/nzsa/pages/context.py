"""Fetch what a resource page needs beyond describe(): facts, evidence, neighbours' names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..describe import Description
from ..http import documents
from ..http.addresses import base_iri
from ..store.base import Store
from ..vocab import NZSA, PROV, SCHEMA
from .site import bind, bind_each

# The resource, what points at it, the qualified facts it takes part in (however deep
# their class sits under nzsa:Fact), and the evidence of both.
# One query per part: the engine does not push the bound ?this into the branches of a
# UNION, so a single query scanned the whole store (2 s at 100k triples, 5 ms split).
_PREFIXES = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
STRUCTURE = tuple(
    _PREFIXES + query
    for query in (
        "CONSTRUCT { ?this ?p ?o } WHERE { #bindings\n ?this ?p ?o }",
        "CONSTRUCT { ?s ?p ?this } WHERE { #bindings\n ?s ?p ?this }",
        "CONSTRUCT { ?s ?p ?o } WHERE { #bindings\n ?this nzsa:evidence ?s . ?s ?p ?o }",
        """CONSTRUCT { ?s ?p ?o . ?s a nzsa:Fact } WHERE { #bindings
           ?s ?x ?this . ?s a/rdfs:subClassOf* nzsa:Fact . ?s ?p ?o }""",
        """CONSTRUCT { ?s ?p ?o . ?s a nzsa:Fact } WHERE { #bindings
           ?this ?x ?s . ?s a/rdfs:subClassOf* nzsa:Fact . ?s ?p ?o }""",
        """CONSTRUCT { ?s ?p ?o } WHERE { #bindings
           ?f ?x ?this . ?f a/rdfs:subClassOf* nzsa:Fact . ?f nzsa:evidence ?s . ?s ?p ?o }""",
        """CONSTRUCT { ?s ?p ?o } WHERE { #bindings
           ?this ?x ?f . ?f a/rdfs:subClassOf* nzsa:Fact . ?f nzsa:evidence ?s . ?s ?p ?o }""",
    )
)

# Value nodes (a skolemised or blank node that is not evidence, e.g. a monetary amount)
# hanging off the resource or its facts, with their own properties; ?genid is bound.
_VALUE_NODE = """
  FILTER(?q NOT IN (nzsa:evidence, prov:wasDerivedFrom))
  FILTER(isBlank(?v) || STRSTARTS(STR(?v), ?genid))
  ?v ?p ?o
}"""
VALUE_NODES = tuple(
    _PREFIXES + query + _VALUE_NODE
    for query in (
        "CONSTRUCT { ?v ?p ?o } WHERE { #bindings\n ?this ?q ?v .",
        """CONSTRUCT { ?v ?p ?o } WHERE { #bindings
           ?f ?x ?this . ?f a/rdfs:subClassOf* nzsa:Fact . ?f ?q ?v .""",
        """CONSTRUCT { ?v ?p ?o } WHERE { #bindings
           ?this ?x ?f . ?f a/rdfs:subClassOf* nzsa:Fact . ?f ?q ?v .""",
    )
)

# The same parts for one page of a describe() result, whose own triples and incoming
# links are already known. Each query starts from nodes of the page, bound by a VALUES
# block (site.bind_each), so a page costs the same however many links the resource has:
# first the facts among the nodes it links to or from, then the evidence and value nodes
# of the resource and of those facts, found in the triples already fetched. (A second
# VALUES block, for ?genid, was joined only after a scan of the store: 12 s at 100k.)
PAGE_FACTS = (
    _PREFIXES
    + """CONSTRUCT { ?s ?p ?o . ?s a nzsa:Fact } WHERE { #bindings
           ?s a/rdfs:subClassOf* nzsa:Fact . ?s ?p ?o }"""
)
# Which nodes of a page are facts: only the first FACTS_IN_FULL of them are fetched whole.
# Their types are read and filtered against the fact classes (fact_classes()): the
# subClassOf* path from every node cost 32-65 ms for 400 nodes at 1M, this 15-20 ms.
FACT_NODES = "SELECT DISTINCT ?s WHERE { #bindings\n ?s a ?class FILTER(?class IN (%s)) }"
FACT_CLASSES = _PREFIXES + "SELECT DISTINCT ?class WHERE { ?class rdfs:subClassOf* nzsa:Fact }"

# Facts shown whole (their parties, qualifiers and evidence) on one page of a resource;
# the page's other facts are listed by name, each linked to its own page. A fact costs a
# page about 50 triples to fetch and lay out (some 5 ms), so a hub's page of 200 own
# triples, every one a membership, took seconds to show whole.
FACTS_IN_FULL = 20
PAGE_NODES = "CONSTRUCT { ?n ?p ?o } WHERE { #bindings\n ?n ?p ?o }"

# A query cannot name a blank node of the store: when a page links to some, they are
# reached from ?this as STRUCTURE and VALUE_NODES reach them (all of them, more than the
# page shows). Builds skolemise every blank node, so this serves only data loaded some
# other way.
_BLANK = "{ ?this ?x ?s } UNION { ?s ?x ?this } FILTER(isBlank(?s))"
PAGE_BLANK = (
    _PREFIXES
    + """CONSTRUCT { ?n ?p ?o } WHERE { #bindings
  ?this ?q ?n FILTER(isBlank(?n) && ?q != prov:wasDerivedFrom) ?n ?p ?o }""",
    _PREFIXES
    + "CONSTRUCT { ?s ?p ?o . ?s a nzsa:Fact } WHERE { #bindings\n"
    + _BLANK
    + " ?s a/rdfs:subClassOf* nzsa:Fact . ?s ?p ?o }",
    _PREFIXES
    + """CONSTRUCT { ?n ?p ?o } WHERE { #bindings
  ?f ?x ?this . ?f a/rdfs:subClassOf* nzsa:Fact . ?f ?q ?n
  FILTER(isBlank(?n) && ?q != prov:wasDerivedFrom) ?n ?p ?o }""",
    _PREFIXES
    + """CONSTRUCT { ?n ?p ?o } WHERE { #bindings
  ?this ?x ?f . ?f a/rdfs:subClassOf* nzsa:Fact . ?f ?q ?n
  FILTER(isBlank(?n) && ?q != prov:wasDerivedFrom) ?n ?p ?o }""",
)

# The inverse of each property that points at the resource, stated either way round,
# with its label: the page reads "administered by", not "is administers of".
INVERSES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?p owl:inverseOf ?q . ?q rdfs:label ?l } WHERE {
  VALUES ?p { %s }
  { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p }
  FILTER(isIRI(?q))
  OPTIONAL { ?q rdfs:label|skos:prefLabel ?l }
}
"""

# What names and places a resource on a page: its names, address, types, publisher and
# superclasses. Read of the resources a page mentions and of the resource itself.
NAMING = (
    "skos:prefLabel",
    "rdfs:label",
    "dcterms:title",
    "schema:name",
    "schema:url",
    "rdf:type",
    "dcterms:publisher",
    "rdfs:subClassOf",
)
NAMING_PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

# Of the resources a page mentions, listed in VALUES.
NEIGHBOURS = (
    NAMING_PREFIXES
    + """CONSTRUCT { ?n ?p ?o } WHERE {
  VALUES ?n { %s }
  ?n ?p ?o
  # A FILTER, not a second VALUES block: the engine joined two VALUES blocks only after
  # scanning every triple (1.4 s at 100k triples; 5 ms this way).
  FILTER(?p IN ("""
    + ", ".join(NAMING)
    + """))
}
"""
)

# Of the resource itself, whose own triples may be many (a hub's 36,000 at 1M): the
# properties listed in VALUES and the subject written in, so that each is one lookup
# (55 ms → 0.5 ms for New Zealand at 1M, against reading all its triples through FILTER).
OWN_NAMES = (
    NAMING_PREFIXES
    + "CONSTRUCT { <this> ?p ?o } WHERE {\n  VALUES ?p { "
    + " ".join(NAMING)
    + " }\n  <this> ?p ?o\n}\n"
)

# The names NAMES_ONLY reads (terms.LABELS): a triple of these says nothing else of a node.
LABELS = frozenset((SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name))

# The properties of NEIGHBOURS whose objects are named in turn (a class, a publisher).
LEADS_FURTHER = (RDF.type, RDFS.subClassOf, DCTERMS.publisher, SCHEMA.url)

# Names only, of the facts a page lists by name.
NAMES_ONLY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
CONSTRUCT { ?n ?p ?o } WHERE {
  VALUES ?n { %s }
  ?n ?p ?o
  FILTER(?p IN (skos:prefLabel, rdfs:label, dcterms:title, schema:name))
}
"""

# IRIs that are safe to write between angle brackets (RFC 3987 minus what SPARQL forbids).
SAFE_IRI = re.compile(r'[^\s<>"{}|^`\\]+')


def _iri_list(nodes) -> str:
    return " ".join(f"<{n}>" for n in sorted(nodes) if SAFE_IRI.fullmatch(str(n)))


def context(store: Store, iri: URIRef) -> Graph:
    """Return the triples a page about `iri` shows, with the names of all it mentions."""
    graph = Graph()
    genid = Literal(base_iri() + ".well-known/genid/")
    for query in STRUCTURE:
        graph += store.construct(bind(query, this=iri))
    for query in VALUE_NODES:
        graph += store.construct(bind(query, this=iri, genid=genid))
    _add_names(store, iri, graph)
    return graph


@dataclass(frozen=True)
class PageFacts:
    """The facts among a page's links: those shown whole, and those only named."""

    in_full: frozenset
    named: frozenset


def page_context(store: Store, iri: URIRef, description: Description, graph: Graph) -> PageFacts:
    """Add to `graph` what one page of describe()'s result shows; return its facts.

    Only what that page links to: its own triples and incoming links come from the
    description, and only its first FACTS_IN_FULL facts are fetched whole; the others
    get their names only, not their types (a membership has four), and are listed by
    name. The graph is the page's own, so nothing is copied twice (each triple added to
    an rdflib graph costs some 20 µs).
    """
    genid = Literal(base_iri() + ".well-known/genid/")
    facts = _page_structure(store, iri, description, genid, graph)
    _add_names(store, iri, graph, named_only=facts.named | _only_linked(graph, iri, facts))
    return facts


def _only_linked(graph: Graph, iri: URIRef, facts: PageFacts) -> frozenset:
    """Return the IRIs the page only links to (by name), which need no types or addresses.

    A node the page also shows some other way (a party or source of a fact shown whole,
    a class) keeps them; a page's 300 linked nodes cost 50 ms at 1M to read in full.
    """
    linked, elsewhere = set(), set()
    for s, p, o in graph:
        if s == iri:
            linked.add(o)
        elif o == iri:
            linked.add(s)
        elif p not in LABELS:
            elsewhere.update((s, p, o))
    return frozenset(
        n for n in linked - elsewhere - facts.in_full if isinstance(n, URIRef) and n != iri
    )


def _add_names(store: Store, iri: URIRef, graph: Graph, named_only=frozenset()) -> None:
    """Add the inverses of the links in, and the names of everything the graph mentions.

    Nodes in `named_only` get their names (labels, titles) and nothing else.
    """
    incoming = _iri_list(set(graph.predicates(None, iri)))
    if incoming:
        store.construct_into(graph, INVERSES % incoming)
    mentioned = {term for triple in graph for term in triple if isinstance(term, URIRef)}
    mentioned.add(iri)
    _neighbours_into(store, graph, mentioned - named_only - {iri})
    if SAFE_IRI.fullmatch(str(iri)):
        store.construct_into(graph, OWN_NAMES.replace("<this>", f"<{iri}>"))
    _neighbours_into(store, graph, named_only, NAMES_ONLY)
    # Classes' and sources' own names come one step further out: read from the links the
    # names brought in (by their property, from its index, not by reading every triple).
    further = {
        o
        for p in LEADS_FURTHER
        for o in graph.objects(None, p)
        if isinstance(o, URIRef) and o not in mentioned
    }
    _neighbours_into(store, graph, further)


def _page_structure(
    store: Store, iri: URIRef, description: Description, genid: Literal, graph: Graph
) -> PageFacts:
    """Add what STRUCTURE and VALUE_NODES find, for the links on one page only."""
    for p, o in description.outgoing:
        graph.add((iri, p, o))
    for s, p in description.incoming:
        graph.add((s, p, iri))
    # In the page's order: its own triples' objects, then the subjects linking to it.
    ordered = [o for _, o in description.outgoing] + [s for s, _ in description.incoming]
    linked = set(ordered)
    found = [n for n in dict.fromkeys(ordered) if isinstance(n, URIRef) and n != iri]
    facts: list = []
    named: list = []
    if found:
        query = FACT_NODES % ", ".join(_iri_list(fact_classes(store)).split())
        known = {row["s"] for row in store.select(bind_each(query, "s", sorted(found)))}
        facts = [n for n in found if n in known]
        facts, named = facts[:FACTS_IN_FULL], facts[FACTS_IN_FULL:]
    if facts:
        store.construct_into(graph, bind_each(PAGE_FACTS, "s", sorted(facts)))
    nodes = set().union(*(_nodes_of(graph, node, str(genid)) for node in [iri, *facts]))
    found = [n for n in nodes if isinstance(n, URIRef)]
    if found:
        store.construct_into(graph, bind_each(PAGE_NODES, "n", sorted(found)))
    if any(isinstance(n, BNode) for n in linked | nodes):
        for query in PAGE_BLANK:
            graph += store.construct(bind(query, this=iri))
    return PageFacts(frozenset(facts), frozenset(named))


def fact_classes(store: Store) -> list:
    """Return nzsa:Fact and its subclasses, once per version of the store's data."""
    key = (store.version(), "fact-classes")
    make = lambda: sorted(row["class"] for row in store.select(FACT_CLASSES))  # noqa: E731
    return documents.state().cache.get_or_make(key, make)


def _nodes_of(graph: Graph, node, genid: str) -> set:
    """Return the evidence of a node, and its value nodes (blank or skolemised)."""
    return {
        o
        for p, o in graph.predicate_objects(node)
        if p == NZSA.evidence
        or (
            p not in (NZSA.evidence, PROV.wasDerivedFrom)
            and (isinstance(o, BNode) or str(o).startswith(genid))
        )
    }


def neighbours(store: Store, nodes) -> Graph:
    """Return the names, types and addresses of `nodes`."""
    graph = Graph()
    _neighbours_into(store, graph, nodes)
    return graph


def _neighbours_into(store: Store, graph: Graph, nodes, query: str = NEIGHBOURS) -> None:
    """Add the names, types and addresses of `nodes` (their names only, NAMES_ONLY)."""
    listed = _iri_list(nodes)
    if listed:
        store.construct_into(graph, query % listed)
