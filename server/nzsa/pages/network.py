"""New Zealand's memberships and partnerships as nodes and edges for the home page diagram.

Only the two kinds of fact the diagram is about: memberships (`org:Membership`, any role)
and partnerships (`nzsa:Partnership`), with New Zealand as member or partner; then one
hop further, the body each of those belongs to or draws its members from (the forum a
committee is part of), so that the picture shows structure and stays readable.
"""

from __future__ import annotations

from rdflib import URIRef

from . import terms
from .context import neighbours
from .site import bind, bind_each, href, id_namespace, segment, store

# New Zealand's memberships (with their roles) and partnerships; ?nz is bound.
TIES = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?fact ?kind ?other ?role WHERE {
  #bindings
  { ?fact a/rdfs:subClassOf* org:Membership ; org:member ?nz ; org:organization ?other .
    OPTIONAL { ?fact org:role ?role }
    BIND("membership" AS ?kind) }
  UNION
  { ?fact a/rdfs:subClassOf* nzsa:Partnership ; nzsa:partner ?nz ; nzsa:partnershipWith ?other .
    BIND("partnership" AS ?kind) }
  FILTER(isIRI(?other) && ?other != ?nz)
}
"""

# What a body is part of or draws its members from, stated as a fact or as a shortcut;
# ?a is bound to the bodies New Zealand belongs to.
STRUCTURE = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?a ?how ?b WHERE {
  #bindings
  { ?f nzsa:part ?a ; nzsa:whole ?b . BIND("part of" AS ?how) }
  UNION { ?a nzsa:partOf|org:subOrganizationOf|org:unitOf ?b . BIND("part of" AS ?how) }
  UNION { ?f nzsa:includingOrganisation ?a ; nzsa:includedMembersOf ?b .
          BIND("includes members of" AS ?how) }
  UNION { ?a nzsa:includesMembersOf ?b . BIND("includes members of" AS ?how) }
  FILTER(isIRI(?b) && ?b != ?a)
}
"""

NEW_ZEALAND = "country/new-zealand"


def graph() -> dict:
    """Return {nodes, edges}: New Zealand, the bodies it belongs to or partners, their parents.

    Each edge has `label` (the roles, or how one body relates to another) and `kind`
    (`membership`, `partnership` or `structure`); each node its `group` (IRI segment)
    and `hop` (0 New Zealand, 1 a body it belongs to, 2 one step further).
    """
    nz = URIRef(id_namespace() + NEW_ZEALAND)
    roles: dict[tuple[URIRef, str], set] = {}
    for row in store().select(bind(TIES, nz=nz)):
        key = (row["other"], str(row["kind"]))
        roles.setdefault(key, set())
        if row.get("role") is not None:
            roles[key].add(row["role"])
    if not roles:
        return {"nodes": [], "edges": []}
    direct = {other for other, _ in roles}
    structure: dict[tuple[URIRef, URIRef], str] = {}
    for row in store().select(bind_each(STRUCTURE, "a", sorted(direct))):
        structure.setdefault((row["a"], row["b"]), str(row["how"]))
    further = {b for _, b in structure} - direct - {nz}
    names = neighbours(store(), direct | further | {nz} | {r for rs in roles.values() for r in rs})

    edges = []
    for (other, kind), found in sorted(roles.items()):
        if kind == "membership":
            label = ", ".join(sorted(terms.label(names, r) for r in found)) or "member"
        else:
            label = "partner"
        edges.append({"from": str(nz), "to": str(other), "label": label, "kind": kind})
    for (a, b), how in sorted(structure.items()):
        if b != nz:
            edges.append({"from": str(a), "to": str(b), "label": how, "kind": "structure"})

    def node(n, hop: int) -> dict:
        return {
            "id": str(n),
            "label": terms.label(names, n),
            "group": segment(n) or "other",
            "href": href(n),
            "hop": hop,
        }

    nodes = [node(nz, 0)]
    nodes += sorted((node(n, 1) for n in direct), key=lambda n: (n["label"].lower(), n["id"]))
    nodes += sorted((node(n, 2) for n in further), key=lambda n: (n["label"].lower(), n["id"]))
    return {"nodes": nodes, "edges": edges}
