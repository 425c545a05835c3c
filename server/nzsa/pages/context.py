"""Fetch what a resource page needs beyond describe(): facts, evidence, neighbours' names."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef

from ..addresses import base_iri
from ..store.base import Store
from .site import bind

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


def context(store: Store, iri: URIRef) -> Graph:
    """Return the triples a page about `iri` shows, with the names of all it mentions."""
    graph = Graph()
    for query in STRUCTURE:
        graph += store.construct(bind(query, this=iri))
    genid = Literal(base_iri() + ".well-known/genid/")
    for query in VALUE_NODES:
        graph += store.construct(bind(query, this=iri, genid=genid))
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


def neighbours(store: Store, nodes) -> Graph:
    """Return the names, types and addresses of `nodes`."""
    listed = _iri_list(nodes)
    if not listed:
        return Graph()
    return store.construct(NEIGHBOURS % listed)
