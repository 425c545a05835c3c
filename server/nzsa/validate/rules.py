"""The OWL 2 RL rules this ontology's axioms need, as SPARQL updates run to a fixpoint.

owlrl applies every OWL 2 RL rule to every triple, in Python; on our graphs that is most of
`nzsa validate`'s time. Here each rule of https://www.w3.org/TR/owl2-profiles/#OWL_2_RL is a
SPARQL `INSERT … WHERE` that pyoxigraph evaluates in memory: the schema rules (scm-*) as
written, the rules about individuals once per axiom kind, with the ontology's own terms
bound through `VALUES`. A round applies them all; rounds repeat until nothing is added.
The "false" rules (inconsistencies) are then queried, and reported in owlrl's words.

Only the axiom kinds listed in `SUPPORTED` are understood. A graph using any other OWL
construct (restrictions, owl:sameAs, functional properties, keys…) is reasoned over by
owlrl instead: `unsupported()` names what it uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox
from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.XsdDatatypes import OWL_RL_Datatypes
from rdflib import OWL, RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

# Where literals stand in the store (see Terms).
LITERAL = "urn:x-nzsa:literal:"
PREFIXES = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

# The OWL terms whose rules are implemented below, or that entail nothing beyond noise.
SUPPORTED_PREDICATES = frozenset(
    OWL[name]
    for name in [
        "inverseOf",
        "propertyChainAxiom",
        "equivalentClass",
        "equivalentProperty",
        "disjointWith",
        "propertyDisjointWith",
        "members",
        "versionInfo",
        "versionIRI",
        "priorVersion",
        "imports",
        "backwardCompatibleWith",
        "incompatibleWith",
        "deprecated",
    ]
)
SUPPORTED_TYPES = frozenset(
    OWL[name]
    for name in [
        "Class",
        "ObjectProperty",
        "DatatypeProperty",
        "AnnotationProperty",
        "OntologyProperty",
        "Ontology",
        "AllDisjointClasses",
        "SymmetricProperty",
        "TransitiveProperty",
        "AsymmetricProperty",
        "IrreflexiveProperty",
        "NamedIndividual",
        "Thing",
        "Nothing",
        "DeprecatedClass",
        "DeprecatedProperty",
    ]
)

# Table 9, the scm-* rules that entail more than noise (reflexive or owl:Thing triples).
SCHEMA_RULES = (
    # scm-cls: owl:Nothing is a subclass of every class (the rest of scm-cls is noise)
    "INSERT { owl:Nothing rdfs:subClassOf ?c } WHERE { ?c a owl:Class }",
    # scm-sco, scm-spo
    "INSERT { ?a rdfs:subClassOf ?c } WHERE { ?a rdfs:subClassOf ?b . ?b rdfs:subClassOf ?c }",
    "INSERT { ?a rdfs:subPropertyOf ?c } "
    "WHERE { ?a rdfs:subPropertyOf ?b . ?b rdfs:subPropertyOf ?c }",
    # scm-eqc1, scm-eqc2, scm-eqp1, scm-eqp2
    "INSERT { ?a rdfs:subClassOf ?b . ?b rdfs:subClassOf ?a } WHERE { ?a owl:equivalentClass ?b }",
    "INSERT { ?a owl:equivalentClass ?b } "
    "WHERE { ?a rdfs:subClassOf ?b . ?b rdfs:subClassOf ?a FILTER (?a != ?b) }",
    "INSERT { ?a rdfs:subPropertyOf ?b . ?b rdfs:subPropertyOf ?a } "
    "WHERE { ?a owl:equivalentProperty ?b }",
    "INSERT { ?a owl:equivalentProperty ?b } "
    "WHERE { ?a rdfs:subPropertyOf ?b . ?b rdfs:subPropertyOf ?a FILTER (?a != ?b) }",
    # scm-dom1, scm-dom2, scm-rng1, scm-rng2
    "INSERT { ?p rdfs:domain ?d } WHERE { ?p rdfs:domain ?c . ?c rdfs:subClassOf ?d }",
    "INSERT { ?p rdfs:domain ?c } WHERE { ?q rdfs:domain ?c . ?p rdfs:subPropertyOf ?q }",
    "INSERT { ?p rdfs:range ?d } WHERE { ?p rdfs:range ?c . ?c rdfs:subClassOf ?d }",
    "INSERT { ?p rdfs:range ?c } WHERE { ?q rdfs:range ?c . ?p rdfs:subPropertyOf ?q }",
)

# Tables 4 and 5: one rule per axiom kind. Each names the query that finds the axioms
# (its terms become the rule's VALUES rows) and the rule that uses them.
AXIOM_RULES = (
    (  # cax-sco (cax-eqc through scm-eqc1)
        "SELECT ?c ?d WHERE { ?c rdfs:subClassOf ?d FILTER (?c != ?d) }",
        "INSERT { ?x a ?d } WHERE { VALUES (?c ?d) { $rows } ?x a ?c }",
    ),
    (  # prp-spo1 (prp-eqp1, prp-eqp2 through scm-eqp1)
        "SELECT ?p ?q WHERE { ?p rdfs:subPropertyOf ?q FILTER (?p != ?q) }",
        "INSERT { ?x ?q ?y } WHERE { VALUES (?p ?q) { $rows } ?x ?p ?y }",
    ),
    (  # prp-inv1, prp-inv2
        "SELECT ?p ?q WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } }",
        "INSERT { ?y ?q ?x } WHERE { VALUES (?p ?q) { $rows } ?x ?p ?y }",
    ),
    (  # prp-dom
        "SELECT ?p ?c WHERE { ?p rdfs:domain ?c }",
        "INSERT { ?x a ?c } WHERE { VALUES (?p ?c) { $rows } ?x ?p ?y }",
    ),
    (  # prp-rng
        "SELECT ?p ?c WHERE { ?p rdfs:range ?c }",
        "INSERT { ?y a ?c } WHERE { VALUES (?p ?c) { $rows } ?x ?p ?y }",
    ),
    (  # prp-symp
        "SELECT ?p WHERE { ?p a owl:SymmetricProperty }",
        "INSERT { ?y ?p ?x } WHERE { VALUES ?p { $rows } ?x ?p ?y }",
    ),
    (  # prp-trp
        "SELECT ?p WHERE { ?p a owl:TransitiveProperty }",
        "INSERT { ?x ?p ?z } WHERE { VALUES ?p { $rows } ?x ?p ?y . ?y ?p ?z }",
    ),
)

# The "false" rules: each query's rows, formatted, are owlrl's error messages.
CONTRADICTIONS = (
    (  # cls-nothing2
        "SELECT ?x WHERE { ?x a owl:Nothing }",
        "{x} is defined of type 'Nothing'",
    ),
    (  # cax-dw
        "SELECT ?c1 ?c2 ?x WHERE { ?c1 owl:disjointWith ?c2 . ?x a ?c1 . ?x a ?c2 }",
        "Disjoint classes {c1} and {c2} have a common individual {x}",
    ),
    (  # prp-irp
        "SELECT ?x ?p WHERE { ?p a owl:IrreflexiveProperty . ?x ?p ?x }",
        "Irreflexive property used on {x} with {p}",
    ),
    (  # prp-asyp
        "SELECT ?p ?x ?y WHERE { ?p a owl:AsymmetricProperty . ?x ?p ?y . ?y ?p ?x }",
        "Erroneous usage of asymmetric property {p} on {x} and {y}",
    ),
    (  # prp-pdw
        "SELECT ?p1 ?p2 ?x ?y WHERE { ?p1 owl:propertyDisjointWith ?p2 . ?x ?p1 ?y . ?x ?p2 ?y }",
        "Erroneous usage of disjoint properties {p1} and {p2} on {x} and {y}",
    ),
)
DISJOINT_MEMBERS = "Disjoint classes {c1} and {c2} have a common individual {x}"


def unsupported(graph: Graph) -> set[URIRef]:
    """Return the OWL terms `graph` uses whose rules are not implemented here."""
    terms = set()
    for p in graph.predicates(unique=True):
        if str(p).startswith(str(OWL)) and p not in SUPPORTED_PREDICATES:
            terms.add(p)
    for o in graph.objects(None, RDF.type, unique=True):
        if str(o).startswith(str(OWL)) and o not in SUPPORTED_TYPES:
            terms.add(o)
    return terms


class Terms:
    """Convert terms between rdflib and pyoxigraph, giving back exactly the terms given.

    Literals go in as IRIs of their own: pyoxigraph stores literals in canonical form
    ("2"^^xsd:positiveInteger comes back as "2"^^xsd:integer), rdflib and owlrl keep them
    as written; and owlrl, like these rules, lets a literal reach the subject position
    (through owl:inverseOf or rdfs:range), where it entails only noise.
    """

    def __init__(self) -> None:
        self.to_ox: dict[Node, ox.NamedNode | ox.BlankNode] = {}
        self.to_rdflib: dict[ox.NamedNode | ox.BlankNode, Node] = {}

    def ox(self, term: Node) -> ox.NamedNode | ox.BlankNode:
        found = self.to_ox.get(term)
        if found is None:
            if isinstance(term, URIRef):
                found = ox.NamedNode(term)
            elif isinstance(term, BNode):
                found = ox.BlankNode()  # rdflib's labels need not be valid in N-Triples
            else:
                found = ox.NamedNode(f"{LITERAL}{len(self.to_ox)}")
            self.to_ox[term] = found
            self.to_rdflib[found] = term
        return found

    def rdflib(self, term: ox.NamedNode | ox.BlankNode) -> Node:
        found = self.to_rdflib.get(term)
        # Only IRIs the rules name themselves (owl:Nothing) are new to the store.
        return found if found is not None else URIRef(term.value)


class Unsupported(Exception):
    """An axiom these rules cannot state: a blank node where SPARQL's VALUES needs an IRI."""


def _row(terms: Iterable) -> str:
    terms = list(terms)
    if not all(isinstance(t, ox.NamedNode) for t in terms):
        raise Unsupported(f"an axiom about a blank node: {terms}")
    row = " ".join(str(t) for t in terms)
    return row if len(terms) == 1 else f"({row})"


def _messages(store: ox.Store, terms: Terms, query: str, message: str) -> Iterator[str]:
    """Word each solution of `query` as `message`, its variables by the terms' rdflib form."""
    results = store.query(PREFIXES + query)
    names = [v.value for v in results.variables]
    for solution in results:
        yield message.format(**{n: terms.rdflib(solution[n]) for n in names})


def _chain_rules(store: ox.Store) -> Iterator[str]:
    """prp-spo2: one rule per chain length, each chain a VALUES row."""
    chains: dict[int, list[str]] = {}
    query = PREFIXES + "SELECT ?p ?list WHERE { ?p owl:propertyChainAxiom ?list }"
    for solution in store.query(query):
        links = _list(store, solution["list"])
        if links:
            chains.setdefault(len(links), []).append(_row([solution["p"], *links]))
    for length, rows in sorted(chains.items()):
        variables = " ".join(f"?p{i}" for i in range(1, length + 1))
        path = " . ".join(f"?u{i - 1} ?p{i} ?u{i}" for i in range(1, length + 1))
        yield (
            f"INSERT {{ ?u0 ?p ?u{length} }} "
            f"WHERE {{ VALUES (?p {variables}) {{ {' '.join(rows)} }} {path} }}"
        )


def _axiom_rules(store: ox.Store) -> Iterator[str]:
    """Instantiate each rule with the axioms of its kind that the store holds."""
    for axioms, rule in AXIOM_RULES:
        rows = [_row(solution) for solution in store.query(PREFIXES + axioms)]
        if rows:
            yield rule.replace("$rows", " ".join(rows))
    yield from _chain_rules(store)


def _fixpoint(store: ox.Store) -> None:
    """Apply the schema rules, then the axioms' rules, until a round adds nothing."""
    size = -1
    while size != len(store):
        size = len(store)
        store.update(PREFIXES + " ;\n".join(SCHEMA_RULES))
        store.update(PREFIXES + " ;\n".join(_axiom_rules(store)))


def _list(store: ox.Store, node) -> list:
    items = []
    while node is not None and node != ox.NamedNode(str(RDF.nil)):
        first = next(store.quads_for_pattern(node, ox.NamedNode(str(RDF.first)), None), None)
        rest = next(store.quads_for_pattern(node, ox.NamedNode(str(RDF.rest)), None), None)
        if first is None:
            break
        items.append(first.object)
        node = rest.object if rest else None
    return items


def _contradictions(store: ox.Store, terms: Terms) -> set[str]:
    """Query the "false" rules; return their messages as owlrl words them."""
    messages = set()
    for query, message in CONTRADICTIONS:
        messages.update(_messages(store, terms, query, message))
    # cax-adc: each pair of members of an owl:AllDisjointClasses, in list order.
    pairs = []
    groups = PREFIXES + "SELECT ?list WHERE { ?g a owl:AllDisjointClasses ; owl:members ?list }"
    for solution in store.query(groups):
        members = _list(store, solution["list"])
        pairs += [_row((c1, c2)) for i, c1 in enumerate(members) for c2 in members[i + 1 :]]
    if pairs:
        values = " ".join(pairs)
        query = f"SELECT ?c1 ?c2 ?x WHERE {{ VALUES (?c1 ?c2) {{ {values} }} ?x a ?c1 . ?x a ?c2 }}"
        messages.update(_messages(store, terms, query, DISJOINT_MEMBERS))
    return messages


def ill_typed(graph: Graph) -> set[str]:
    """dt-not-type: literals whose lexical form is not in their OWL 2 RL datatype's space."""
    messages = set()
    for literal in {o for o in graph.objects(unique=True) if isinstance(o, Literal)}:
        if literal.datatype not in OWL_RL_Datatypes:
            continue
        try:
            AltXSDToPYTHON.get(literal.datatype, str)(str(literal))
        except ValueError:
            messages.add(
                f"Lexical value of the literal '{literal}' does not match its datatype "
                f"({literal.datatype})"
            )
    return messages


# The asserted triples are copied into this graph of the store too, so that what the rules
# added (in the default graph only) is found in the store, not by comparing in Python.
ASSERTED = ox.NamedNode("urn:x-nzsa:asserted")
ADDED = (
    "CONSTRUCT { ?s ?p ?o } "
    f"WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH {ASSERTED} {{ ?s ?p ?o }} }} }}"
)


class Entailed:
    """What the rules added, read back as an rdflib graph only when asked for.

    Validation needs only the inconsistencies; the build needs the entailed graph, whose
    conversion back to rdflib terms costs as much as the reasoning at 1M triples. Until
    then the added triples wait as N-Triples text, without the store.
    """

    def __init__(self, store: ox.Store, terms: Terms, asserted: Graph, is_noise) -> None:
        self.added = store.query(ADDED).serialize(format=ox.RdfFormat.N_TRIPLES)
        terms.to_ox.clear()  # only the way back is needed now
        self.terms, self.is_noise = terms, is_noise
        self.namespaces = list(asserted.namespaces())

    def graph(self) -> Graph:
        entailed = Graph()
        for prefix, namespace in self.namespaces:
            entailed.bind(prefix, namespace)
        back, is_noise = self.terms.rdflib, self.is_noise
        for quad in ox.parse(self.added, format=ox.RdfFormat.N_TRIPLES):
            triple = (back(quad.subject), back(quad.predicate), back(quad.object))
            if not is_noise(triple):
                entailed.add(triple)
        return entailed


def _load(store: ox.Store, asserted: Graph, terms: Terms) -> None:
    """Copy `asserted` into the store's default graph and into its ASSERTED graph."""
    convert = terms.ox
    triples = [(convert(s), convert(p), convert(o)) for s, p, o in asserted]
    store.extend(ox.Quad(s, p, o) for s, p, o in triples)
    store.extend(ox.Quad(s, p, o, ASSERTED) for s, p, o in triples)


def entail(asserted: Graph, is_noise: Callable[[tuple], bool]) -> tuple[Entailed, list[str]]:
    """Return what the rules entail from `asserted` (new triples, less noise), and the errors."""
    terms = Terms()
    store = ox.Store()
    _load(store, asserted, terms)
    _fixpoint(store)
    errors = _contradictions(store, terms) | ill_typed(asserted)
    return Entailed(store, terms, asserted, is_noise), sorted(errors)
