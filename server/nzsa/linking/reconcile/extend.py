"""Property values of reconciled entities: data extension, its proposals, property matching.

Values are read from the store for the entities and properties asked for, each bound in
a VALUES block (never pasted), and written as the protocol's typed values: an entity of
ours as {id, name}, a whole number as {int}, a date as {date}, anything else as {str}.
Partial dates (xsd:gYear, xsd:gYearMonth) stay strings: a made-up day would be a claim
the data does not make.
"""

from __future__ import annotations

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, SKOS

from ...store.base import Store
from ...store.terms import MARK, values_list
from ...vocab import NZSA, ORG
from . import names
from .index import PREFIXES, Entity, NameIndex, Term
from .match import Query

WIKIDATA = "wikidata"
# Not a property of the data: the Q-id of the Wikidata item an entity is the same as.
WIKIDATA_TERM = Term(
    WIKIDATA,
    "Wikidata id",
    "The Q-id of the Wikidata item this is the same as (from skos:exactMatch).",
)
# Plumbing rather than facts about the thing.
NOT_PROPOSED = frozenset(
    str(p)
    for p in (
        RDF.type, NZSA.evidence, PROV.wasDerivedFrom, SKOS.editorialNote, NZSA.textCopy,
        OWL.sameAs,
    )
)  # fmt: skip
# Qualified facts and evidence are reached through the plain relations they imply.
NOT_VALUES = frozenset({str(NZSA.Fact), str(NZSA.Evidence), str(ORG.Membership)})
SAMPLE = 2000  # entities of a type read to see which properties they have
MAX_PROPOSED = 100

VALUES = (
    PREFIXES
    + """
SELECT DISTINCT ?this ?p ?o ?label WHERE {
  #bindings
  ?this ?p ?o .
  OPTIONAL { ?o skos:prefLabel ?label }
}
"""
)
USED = (
    PREFIXES
    + """
SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {
  { SELECT ?s WHERE {
      #bindings
      ?s ?kind ?type .
      FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns))
    } LIMIT %d }
  ?s ?p ?o .
} GROUP BY ?p
"""
)
HOLDERS = (
    PREFIXES
    + """
SELECT DISTINCT ?s WHERE {
  #bindings
  ?s ?p ?o .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns))
} LIMIT 500
"""
)


def terms(index: NameIndex) -> dict[str, Term]:
    """Return every property one may ask for or match on, by IRI (and `wikidata`)."""
    found = {p: t for p, t in index.properties.items() if p not in NOT_PROPOSED}
    found[WIKIDATA] = WIKIDATA_TERM
    return found


def _date(literal: Literal) -> str | None:
    text = str(literal)
    if literal.datatype == XSD.date and len(text) == 10:
        return text + "T00:00:00Z"
    if literal.datatype == XSD.dateTime and len(text) >= 19:
        return text if text[19:] else text + "Z"
    return None


def value_of(index: NameIndex, node, label=None) -> dict:
    """Return a node as the protocol's typed value."""
    if isinstance(node, URIRef):
        entity = index.entity(str(node))
        if entity is not None:
            return {"id": entity.id, "name": entity.name}
        local = str(node)[len(index.namespace) :]
        if str(node).startswith(index.namespace) and local:
            return {"id": local, "name": str(label) if label is not None else local}
        return {"str": str(node)}
    if isinstance(node, Literal):
        if node.datatype == XSD.integer:
            return {"int": int(node)}
        if node.datatype in (XSD.decimal, XSD.double, XSD.float):
            return {"float": float(node)}
        date = _date(node)
        if date is not None:
            return {"date": date}
    return {"str": str(node)}


def values(
    store: Store, index: NameIndex, entities: list[Entity], pids: list[str]
) -> dict[str, dict[str, list[dict]]]:
    """Return entity IRI → property → its values, for the properties asked for."""
    found: dict[str, dict[str, list[dict]]] = {e.iri: {p: [] for p in pids} for e in entities}
    for entity in entities:
        if WIKIDATA in pids:
            found[entity.iri][WIKIDATA] = [{"str": q} for q in entity.wikidata]
    asked = [URIRef(p) for p in pids if p != WIKIDATA]
    if not entities or not asked:
        return found
    block = values_list("this", [URIRef(e.iri) for e in entities]) + "\n"
    block += values_list("p", asked)
    seen = set()
    for row in store.select(VALUES.replace(MARK, block)):
        key = (row["this"], row["p"], row["o"])
        if key in seen:
            continue
        seen.add(key)
        value = value_of(index, row["o"], row.get("label"))
        found[str(row["this"])][str(row["p"])].append(value)
    for per_property in found.values():
        for listed in per_property.values():
            listed.sort(key=lambda v: str(sorted(v.items())))
    return found


def candidates_for(store: Store, index: NameIndex, query: Query) -> list[Entity]:
    """Return the entities holding the first property value of a query without a name."""
    pid, wanted = query.properties[0]
    if pid == WIKIDATA:
        return [e for v in wanted if (e := index.entity(str(v).strip())) is not None]
    objects = []
    for v in wanted:
        if isinstance(v, dict):
            entity = index.entity(v["id"])
            objects.append(URIRef(entity.iri) if entity else None)
        elif isinstance(v, str):
            objects += [Literal(v), Literal(v, lang="en")]
            objects += [URIRef(e.iri) for e in _named(index, v)]
        else:
            objects.append(Literal(v))
    objects = [o for o in objects if o is not None]
    if not objects:
        return []
    block = values_list("p", [URIRef(pid)]) + "\n" + values_list("o", objects)
    rows = store.select(HOLDERS.replace(MARK, block + _ns_block(index)))
    return [e for row in rows if (e := index.entity(str(row["s"]))) is not None]


def _named(index: NameIndex, text: str) -> list[Entity]:
    positions = index.by_key.get(names.key(text), ())
    return [index.entities[index.names[at].entity] for at in positions]


def _ns_block(index: NameIndex) -> str:
    return "\n" + values_list("ns", [Literal(index.namespace)])


def propose(store: Store, index: NameIndex, type_iri: str | None, limit: int) -> list[Term]:
    """Return the properties entities of a type have, most widely held first."""
    kind = RDF.type if type_iri else SKOS.prefLabel
    block = values_list("kind", [kind])
    if type_iri:
        block += "\n" + values_list("type", [URIRef(type_iri)])
    rows = store.select((USED % SAMPLE).replace(MARK, block + _ns_block(index)))
    known = terms(index)
    counted = []
    for row in rows:
        p = str(row["p"])
        term = known.get(p)
        if term is None or term.ranges & NOT_VALUES:
            continue
        counted.append((-int(row["n"]), term.name.lower(), term))
    proposed = [term for _, _, term in sorted(counted, key=lambda c: c[:2])]
    holders = [e for e in index.entities if type_iri is None or type_iri in e.all_types]
    if any(e.wikidata for e in holders):
        proposed.insert(0, WIKIDATA_TERM)
    return proposed[: min(limit, MAX_PROPOSED)]
