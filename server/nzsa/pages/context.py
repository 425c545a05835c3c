"""Fetch what a resource page needs beyond describe(): facts, evidence, neighbours' names."""

from __future__ import annotations

import re

from rdflib import RDF, BNode, Graph, Literal, URIRef

from ..describe import Description
from ..http.addresses import base_iri
from ..store.base import Store
from ..vocab import NZSA, PROV
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

# Names, types and addresses of the resources a page mentions, listed in VALUES.
NEIGHBOURS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
CONSTRUCT { ?n ?p ?o } WHERE {
  VALUES ?n { %s }
  ?n ?p ?o
  # A FILTER, not a second VALUES block: the engine joined two VALUES blocks only after
  # scanning every triple (1.4 s at 100k triples; 5 ms this way).
  FILTER(?p IN (skos:prefLabel, rdfs:label, dcterms:title, schema:name, schema:url, rdf:type,
                dcterms:publisher, rdfs:subClassOf))
}
"""

# IRIs that are safe to write between angle brackets (RFC 3987 minus what SPARQL forbids).
SAFE_IRI = re.compile(r'[^\s<>"{}|^`\\]+')


def _iri_list(nodes) -> str:
    return " ".join(f"<{n}>" for n in sorted(nodes) if SAFE_IRI.fullmatch(str(n)))


def context(store: Store, iri: URIRef, description: Description | None = None) -> Graph:
    """Return the triples a page about `iri` shows, with the names of all it mentions.

    With `description` (describe()'s result for one page), only what that page links to:
    its own triples and incoming links come from the description.
    """
    graph = Graph()
    genid = Literal(base_iri() + ".well-known/genid/")
    if description is None:
        for query in STRUCTURE:
            graph += store.construct(bind(query, this=iri))
        for query in VALUE_NODES:
            graph += store.construct(bind(query, this=iri, genid=genid))
    else:
        graph += _page_structure(store, iri, description, genid)
    incoming = _iri_list({p for _, p, o in graph if o == iri})
    if incoming:
        graph += store.construct(INVERSES % incoming)
    mentioned = {term for triple in graph for term in triple if isinstance(term, URIRef)}
    mentioned.add(iri)
    graph += neighbours(store, mentioned)
    # Classes' and sources' own names come one step further out.
    further = {o for s, p, o in graph if isinstance(o, URIRef) and o not in mentioned}
    if further:
        graph += neighbours(store, further)
    return graph


def _page_structure(store: Store, iri: URIRef, description: Description, genid: Literal) -> Graph:
    """Return what STRUCTURE and VALUE_NODES find, for the links on one page only."""
    graph = Graph()
    for p, o in description.outgoing:
        graph.add((iri, p, o))
    for s, p in description.incoming:
        graph.add((s, p, iri))
    linked = {o for _, o in description.outgoing} | {s for s, _ in description.incoming}
    found = [n for n in linked if isinstance(n, URIRef)]
    if found:
        graph += store.construct(bind_each(PAGE_FACTS, "s", sorted(found)))
    facts = [s for s in linked if (s, RDF.type, NZSA.Fact) in graph]
    nodes = set().union(*(_nodes_of(graph, node, str(genid)) for node in [iri, *facts]))
    found = [n for n in nodes if isinstance(n, URIRef)]
    if found:
        graph += store.construct(bind_each(PAGE_NODES, "n", sorted(found)))
    if any(isinstance(n, BNode) for n in linked | nodes):
        for query in PAGE_BLANK:
            graph += store.construct(bind(query, this=iri))
    return graph


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
    listed = _iri_list(nodes)
    if not listed:
        return Graph()
    return store.construct(NEIGHBOURS % listed)
