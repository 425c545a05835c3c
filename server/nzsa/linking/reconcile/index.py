"""The names, types and identifiers reconciliation matches against, read once per data version.

Built from the store with a handful of SELECTs (so it works on either back end) the first
time a reconciliation request needs it, kept as JSON in the build folder for the other
workers and restarts, and in memory until the data changes: serving pages never waits
for it. bench/RESULTS.md has its build time and size.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef

from ...prefixes import VOCABULARIES
from ...store.base import Store
from ...vocab import NZSA, WIKIDATA
from ..retired import retired_iris
from . import names

PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
"""

# ?ns (the instance namespace) is bound where `#bindings` stands.
NAMES = (
    PREFIXES
    + """
SELECT DISTINCT ?s ?p ?name WHERE {
  #bindings
  VALUES ?p { skos:prefLabel skos:altLabel nzsa:formerName }
  ?s ?p ?name .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns))
}
"""
)
TYPES = (
    PREFIXES
    + """
SELECT DISTINCT ?s ?t WHERE {
  #bindings
  ?s skos:prefLabel ?name .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns))
  ?s rdf:type ?t .
  FILTER(isIRI(?t))
}
"""
)
DESCRIPTIONS = (
    PREFIXES
    + """
SELECT ?s ?text WHERE {
  #bindings
  VALUES ?p { dcterms:description skos:definition }
  ?s ?p ?text .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns))
}
"""
)
SAME_AS = (
    PREFIXES
    + """
SELECT ?s ?other WHERE {
  #bindings
  ?s skos:exactMatch ?other .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns) && STRSTARTS(STR(?other), ?wikidata))
}
"""
)
CLASSES = (
    PREFIXES
    + """
SELECT ?c ?label ?broader ?definition WHERE {
  ?c rdf:type owl:Class .
  FILTER(isIRI(?c))
  OPTIONAL { ?c rdfs:label ?label }
  OPTIONAL { ?c rdfs:subClassOf ?broader FILTER(isIRI(?broader) && ?broader != ?c) }
  OPTIONAL { ?c skos:definition ?definition }
}
"""
)
PROPERTIES = (
    PREFIXES
    + """
SELECT ?p ?label ?definition ?range WHERE {
  VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty }
  ?p rdf:type ?kind ; rdfs:label ?label .
  FILTER(isIRI(?p))
  OPTIONAL { ?p skos:definition ?definition }
  OPTIONAL { ?p rdfs:range ?range FILTER(isIRI(?range)) }
}
"""
)

KEPT_FOLDER = "reconcile"
# Instances of these are not things one reconciles a name to.
NOT_ENTITIES = frozenset({NZSA.Fact, NZSA.Evidence, NZSA.MonetaryAmount})
# How a name was found, and how much an exact hit on it is worth.
PREFERRED, ALTERNATIVE, FORMER, ACRONYM = "preferred", "alternative", "former", "acronym"
KINDS = {
    URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"): PREFERRED,
    URIRef("http://www.w3.org/2004/02/skos/core#altLabel"): ALTERNATIVE,
    NZSA.formerName: FORMER,
}


def compact(iri: str) -> str:
    """Return `prefix:name` for an IRI in a vocabulary we publish, else the IRI."""
    for prefix, namespace in VOCABULARIES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def expand(name: str) -> str:
    """Return the IRI a `prefix:name` (or a full IRI) stands for."""
    prefix, colon, local = name.partition(":")
    if colon and prefix in VOCABULARIES and not local.startswith("//"):
        return VOCABULARIES[prefix] + local
    return name


def local_name(iri: str) -> str:
    """Return the part of an IRI after its last `#` or `/`."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Term:
    """A class or property of the ontology, as suggest and data extension show it."""

    iri: str
    name: str
    description: str = ""
    broader: tuple[str, ...] = ()
    ranges: frozenset[str] = frozenset()  # a property's classes of values, and those above

    @property
    def id(self) -> str:
        return compact(self.iri)


@dataclass
class Entity:
    """A thing one can reconcile a name to."""

    id: str  # its IRI without the instance namespace: `country/new-zealand`
    iri: str
    name: str = ""
    description: str = ""
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, kind)
    types: tuple[str, ...] = ()  # the most specific classes stated or inferred
    all_types: frozenset[str] = frozenset()  # and every class above them
    wikidata: tuple[str, ...] = ()  # Q-ids
    replaces: tuple[str, ...] = ()  # the retired IRIs renamed to this one


@dataclass(frozen=True)
class Name:
    """One name of one entity, folded for matching."""

    entity: int
    kind: str
    text: str
    key: str


class NameIndex:
    """Every entity's names by key, squashed key, acronym and word; types and properties."""

    def __init__(self, namespace: str):
        self.namespace = namespace
        self.entities: list[Entity] = []
        self.by_id: dict[str, int] = {}
        self.names: list[Name] = []
        self.by_key: dict[str, list[int]] = defaultdict(list)  # key → name positions
        self.by_squashed: dict[str, list[int]] = defaultdict(list)
        self.by_word: dict[str, list[int]] = defaultdict(list)
        self.classes: dict[str, Term] = {}
        self.properties: dict[str, Term] = {}
        self.instances: dict[str, int] = defaultdict(int)  # class → entities (with subclasses)

    def entity(self, identifier: str) -> Entity | None:
        """Return the entity an id, IRI or Wikidata Q-id names, else None."""
        position = self.by_id.get(identifier.strip())
        return None if position is None else self.entities[position]

    def type_name(self, iri: str) -> str:
        term = self.classes.get(iri)
        return term.name if term else local_name(iri)

    def default_types(self) -> list[Term]:
        """Return the ontology's own classes at the top of its hierarchy that have instances.

        Their subclasses are found through them: a query typed `nzsa:Polity` finds states
        and territories alike.
        """
        ours = str(NZSA)
        tops = []
        for iri, term in self.classes.items():
            if not iri.startswith(ours) or not self.instances.get(iri):
                continue
            if not any(b.startswith(ours) and self.instances.get(b) for b in term.broader):
                tops.append(term)
        return sorted(tops, key=lambda t: t.name.lower())


def _superclasses(direct: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Return each class with every class above it (itself included)."""
    closed: dict[str, frozenset[str]] = {}

    def up(c: str, seen: frozenset[str]) -> frozenset[str]:
        if c in closed:
            return closed[c]
        found = {c}
        for b in direct.get(c, ()):
            if b not in seen:
                found |= up(b, seen | {c})
        closed[c] = frozenset(found)
        return closed[c]

    for c in list(direct):
        up(c, frozenset())
    return closed


def _read_classes(store: Store, index: NameIndex) -> dict[str, frozenset[str]]:
    direct: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    definitions: dict[str, str] = {}
    for row in store.select(CLASSES):
        c = str(row["c"])
        direct[c]  # noqa: B018  (a class without superclasses still counts)
        if "broader" in row:
            direct[c].add(str(row["broader"]))
        if "label" in row and (c not in labels or row["label"].language == "en"):
            labels[c] = str(row["label"])
        if "definition" in row:
            definitions.setdefault(c, str(row["definition"]))
    closure = _superclasses(direct)
    for c, above in closure.items():
        # The inferred graph states every superclass; keep only the direct ones.
        strict = above - {c}
        broader = {b for b in strict if not any(b in closure.get(o, ()) for o in strict - {b})}
        index.classes[c] = Term(
            c, labels.get(c, local_name(c)), definitions.get(c, ""), tuple(sorted(broader))
        )
    return closure


def _read_properties(store: Store, index: NameIndex, closure) -> None:
    labels: dict[str, str] = {}
    definitions: dict[str, str] = {}
    ranges: dict[str, set[str]] = defaultdict(set)
    for row in store.select(PROPERTIES):
        p = str(row["p"])
        if p not in labels or row["label"].language == "en":
            labels[p] = str(row["label"])
        if "definition" in row:
            definitions.setdefault(p, str(row["definition"]))
        if "range" in row:
            ranges[p] |= closure.get(str(row["range"]), {str(row["range"])})
    for p, label in labels.items():
        index.properties[p] = Term(p, label, definitions.get(p, ""), (), frozenset(ranges[p]))


def _add_name(index: NameIndex, position: int, text: str, kind: str) -> None:
    folded = names.key(text)
    if not folded:
        return
    at = len(index.names)
    index.names.append(Name(position, kind, text, folded))
    index.by_key[folded].append(at)
    index.by_squashed[folded.replace(" ", "")].append(at)
    for word in set(folded.split()):
        index.by_word[word].append(at)


def _add_identifiers(index: NameIndex, position: int) -> None:
    """Let an entity be found by its id, IRI, Wikidata ids and the IRIs it replaces."""
    entity = index.entities[position]
    former = [(i[len(index.namespace) :], i) for i in entity.replaces]
    for identifier in (entity.id, entity.iri, *entity.wikidata, *(i for p in former for i in p)):
        index.by_id.setdefault(identifier, position)


def build_index(store: Store, base_iri: str) -> NameIndex:
    """Read the entities, their names, types and Wikidata ids, and the ontology's terms."""
    namespace = base_iri + "id/"
    index = NameIndex(namespace)
    closure = _read_classes(store, index)
    _read_properties(store, index, closure)
    ns = {"ns": Literal(namespace)}

    types: dict[str, set[str]] = defaultdict(set)
    for row in store.select(TYPES, ns):
        types[str(row["s"])].add(str(row["t"]))
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.select(NAMES, ns):
        found[str(row["s"])][KINDS[row["p"]]].add(str(row["name"]))
    descriptions: dict[str, str] = {}
    for row in store.select(DESCRIPTIONS, ns):
        descriptions.setdefault(str(row["s"]), str(row["text"]))
    same: dict[str, list[str]] = defaultdict(list)
    bindings = {**ns, "wikidata": Literal(str(WIKIDATA))}
    for row in store.select(SAME_AS, bindings):
        same[str(row["s"])].append(local_name(str(row["other"])))

    # A retired entity is never a candidate; a renamed one's names are its replacement's
    # former names, and its IRI finds the replacement, as /id/ redirects there.
    retired = {str(iri): r for iri, r in retired_iris(store).items()}
    replaces: dict[str, list[str]] = defaultdict(list)
    for iri, r in sorted(retired.items()):
        replacement = str(r.replacement) if r.replacement is not None else None
        if replacement in found and replacement not in retired:
            replaces[replacement].append(iri)
            kept = found[replacement]
            old_names = set().union(*found.get(iri, {}).values())
            kept[FORMER] |= old_names - kept[PREFERRED] - kept[ALTERNATIVE]

    for iri in sorted(found):
        if iri in retired:
            continue
        stated = types.get(iri, set())
        above = frozenset().union(*(closure.get(t, frozenset({t})) for t in stated))
        if above & NOT_ENTITIES or not found[iri][PREFERRED]:
            continue
        broader = {t for t in stated for o in stated - {t} if t in closure.get(o, ())}
        specific = sorted(stated - broader)
        by_kind = found[iri]
        preferred = sorted(by_kind[PREFERRED])
        entity = Entity(
            id=iri[len(namespace) :], iri=iri, name=preferred[0],
            description=descriptions.get(iri, ""), types=tuple(specific), all_types=above,
            wikidata=tuple(sorted(same.get(iri, ()))), replaces=tuple(replaces.get(iri, ())),
        )  # fmt: skip
        position = len(index.entities)
        index.entities.append(entity)
        _add_identifiers(index, position)
        for c in above:
            index.instances[c] += 1
        # A former name is also an alternative one (nzsa:formerName ⊑ skos:altLabel).
        by_kind[ALTERNATIVE] -= by_kind[FORMER] | by_kind[PREFERRED]
        for kind in (PREFERRED, ALTERNATIVE, FORMER):
            for text in sorted(by_kind[kind]):
                entity.names.append((text, kind))
                _add_name(index, position, text, kind)
        own = {names.key(text) for text, _ in entity.names}
        for text in preferred:
            initials = names.acronym(text)
            if initials and initials not in own:
                own.add(initials)
                entity.names.append((initials.upper(), ACRONYM))
                _add_name(index, position, initials, ACRONYM)
    return index


def to_json(index: NameIndex) -> dict:
    """Return the index as plain JSON, to keep on disk for other workers."""
    return {
        "namespace": index.namespace,
        "entities": [
            [e.id, e.iri, e.name, e.description, e.names, e.types, sorted(e.all_types),
             e.wikidata, e.replaces]
            for e in index.entities
        ],
        "classes": [[t.iri, t.name, t.description, t.broader] for t in index.classes.values()],
        "properties": [
            [t.iri, t.name, t.description, sorted(t.ranges)] for t in index.properties.values()
        ],
        "instances": index.instances,
    }  # fmt: skip


def from_json(data: dict) -> NameIndex:
    """Rebuild an index from to_json()'s output."""
    index = NameIndex(data["namespace"])
    for iri, name, description, broader in data["classes"]:
        index.classes[iri] = Term(iri, name, description, tuple(broader))
    for iri, name, description, ranges in data["properties"]:
        index.properties[iri] = Term(iri, name, description, (), frozenset(ranges))
    index.instances.update(data["instances"])
    for id_, iri, name, description, listed, types, above, wikidata, replaces in data["entities"]:
        entity = Entity(
            id_, iri, name, description, [tuple(n) for n in listed], tuple(types),
            frozenset(above), tuple(wikidata), tuple(replaces),
        )  # fmt: skip
        position = len(index.entities)
        index.entities.append(entity)
        _add_identifiers(index, position)
        for text, kind in entity.names:
            _add_name(index, position, text if kind != ACRONYM else text.lower(), kind)
    return index


class IndexHolder:
    """One index per worker process and data version, built once per build folder.

    The first worker to need it reads it from the store and keeps it as JSON in
    BUILD_DIR/reconcile/ (others wait on a lock, then load the file): at 1M triples the
    store's answers take seconds, loading the file a fraction of one.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._version: str | None = None
        self._index: NameIndex | None = None

    def get(self, store: Store, base_iri: str, folder: Path | None = None) -> NameIndex:
        """Return the index of the store's current version, building it if needed."""
        version = store.version() + "\0" + base_iri
        with self._lock:
            # Under the lock: concurrent first requests wait for one build.
            if self._index is None or self._version != version:
                self._index = _kept(store, base_iri, version, folder)
                self._version = version
            return self._index


def _kept(store: Store, base_iri: str, version: str, folder: Path | None) -> NameIndex:
    if folder is None:
        return build_index(store, base_iri)
    name = hashlib.sha256(version.encode()).hexdigest()[:24] + ".json"
    place = folder / KEPT_FOLDER
    try:
        place.mkdir(exist_ok=True)
        with (place / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return from_json(json.loads((place / name).read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                pass
            index = build_index(store, base_iri)
            partial = place / f"{name}.{os.getpid()}"
            partial.write_text(json.dumps(to_json(index)), encoding="utf-8")
            partial.replace(place / name)  # atomic: readers see all of it or nothing
            return index
    except OSError:
        return build_index(store, base_iri)  # a read-only build folder: build in memory
