"""New Zealand's memberships and partnerships as nodes and edges for the home page diagram."""

from __future__ import annotations

from rdflib import Literal, URIRef

from ..vocab import NZSA
from . import terms
from .context import neighbours
from .site import bind, href, id_namespace, segment, store

# Facts New Zealand takes part in, and who else each names; ?nz and ?ns are bound.
FACTS = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?fact ?kind ?other WHERE {
  #bindings
  VALUES ?root { nzsa:Fact org:Membership }
  ?fact ?p ?nz . ?fact a ?kind . ?kind rdfs:subClassOf* ?root .
  ?fact ?q ?other .
  FILTER(isIRI(?other) && ?other != ?nz && STRSTARTS(STR(?other), ?ns))
}
"""

# Links between resources, whatever their direction; both ends are in the diagram.
LINKS = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
SELECT DISTINCT ?a ?p ?b WHERE {
  #bindings
  ?a ?p ?b . FILTER(isIRI(?b) && STRSTARTS(STR(?a), ?ns) && STRSTARTS(STR(?b), ?ns))
}
"""

# Kinds that qualify a fact rather than take part in it.
NOT_PARTIES = {"role", "area", "source", "scheme"}
NEW_ZEALAND = "country/new-zealand"


def _kind_label(graph, kinds: list) -> str:
    own = sorted(k for k in kinds if str(k).startswith(str(NZSA)) and k != NZSA.Fact)
    return terms.label(graph, (own or sorted(kinds))[0])


def graph() -> dict:
    """Return {nodes, edges} of New Zealand's facts and the links among their parties."""
    nz = URIRef(id_namespace() + NEW_ZEALAND)
    ns = id_namespace()
    rows = store().select(bind(FACTS, nz=nz, ns=Literal(ns)))
    kinds: dict[URIRef, list] = {}
    for row in rows:
        if segment(row["other"]) not in NOT_PARTIES:
            kinds.setdefault(row["other"], []).append(row["kind"])
    if not kinds:
        return {"nodes": [], "edges": []}
    names = neighbours(store(), set(kinds) | {nz} | {k for ks in kinds.values() for k in ks})
    edges = {frozenset((nz, other)): _kind_label(names, ks) for other, ks in kinds.items()}
    members = set(kinds) | {nz}
    for row in store().select(bind(LINKS, ns=Literal(ns))):
        pair = frozenset((row["a"], row["b"]))
        if len(pair) == 2 and pair <= members and pair not in edges:
            edges[pair] = terms.humanise(row["p"])
    nodes = [
        {
            "id": str(n),
            "label": terms.label(names, n),
            "group": segment(n) or "other",
            "href": href(n),
        }
        for n in sorted(members)
    ]
    return {
        "nodes": nodes,
        "edges": [
            {"from": str(a), "to": str(b), "label": label}
            for pair, label in sorted(edges.items(), key=lambda item: sorted(item[0]))
            for a, b in [sorted(pair)]
        ],
    }
