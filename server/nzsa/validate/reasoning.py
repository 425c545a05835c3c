"""Stage 4: OWL 2 RL reasoning; inconsistencies are errors.

Two reasoners give the same closure (less noise) and the same inconsistencies: "rules",
the default, runs the rules the ontology's axioms need as SPARQL on pyoxigraph (see
rules.py); "owlrl" runs every OWL 2 RL rule in Python, and is used whenever the graph
holds OWL constructs the rules do not cover.

owlrl collects inconsistencies (owl:Nothing members, disjointness and other violations
of the OWL 2 RL "false" rules) as plain strings in `Closure.error_messages`, and adds them
to the graph as `[] a err:ErrorMessage; err:error "..."`. We read the list and drop the
triples, so that the closure holds only entailments.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from owlrl.Namespaces import ERRNS
from owlrl.OWLRL import OWLRL_Semantics
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef

from ..load import Project
from ..vocab import BASE_IRI
from . import rules
from .findings import ERROR, Finding
from .locate import Locator
from .show import Shower

# owlrl writes terms into its messages with str(); these are the IRIs among them.
_IRI = re.compile(r"(?:https?|urn|file):[^\s,()'\"]+")

# Vocabularies whose own terms owlrl describes axiomatically: not news to anyone.
# (URIRef.startswith ignores tuples, hence the str() wherever a tuple is tested.)
_LANGUAGE = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
_REFLEXIVE = frozenset(
    {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}
)
_TRIVIAL_TYPES = frozenset({OWL.Thing, RDFS.Resource, OWL.NamedIndividual})
# Looked up once: each lookup in an rdflib namespace is a Python call, per entailed triple.
_TYPE, _DATATYPE, _THING = RDF.type, RDFS.Datatype, OWL.Thing
_ABOUT_CLASSES = frozenset({RDFS.subClassOf, RDFS.domain, RDFS.range})

REASONERS = ("rules", "owlrl")
# How both reasoners word an ill-typed literal (OWL 2 RL rule dt-not-type).
ILL_TYPED = "Lexical value of the literal"


class Closure:
    """The OWL 2 RL closure of a graph and the inconsistencies found computing it.

    `graph` holds at least the entailed triples that are not noise (owlrl's also holds the
    asserted ones, and noise): `inferred()` gives the same graph from either. It may be
    given as a function that makes it, called the first time it is read.
    """

    def __init__(self, graph: Graph | Callable[[], Graph], errors: list[str]) -> None:
        self._graph, self.errors = graph, errors

    @property
    def graph(self) -> Graph:
        if not isinstance(self._graph, Graph):
            self._graph = self._graph()
        return self._graph


class _Semantics(OWLRL_Semantics):
    """owlrl's OWL 2 RL rules without eq-ref, which states `x owl:sameAs x` for every node.

    Those reflexive triples are noise we would drop anyway, and every later cycle
    re-applies eq-rep-s/p/o to each of them: skipping them makes the closure several
    times faster and changes no other entailment (a rule given `x sameAs x` yields
    triples that are already there). eq-diff1 on a reflexive pair, which eq-ref
    would have enabled, is checked directly.
    """

    def _equality(self, triple, cycle_num):
        s, p, o = triple
        if p == OWL.differentFrom and s == o:
            self.add_error(f"{s} is owl:differentFrom itself")
        # Only these triples trigger the other eq-* rules (a few reflexive triples may
        # still come from them: they are filtered out as noise).
        if (p == OWL.sameAs and s != o) or (p == RDF.type and o == OWL.AllDifferent):
            super()._equality(triple, cycle_num)


def expand(asserted: Graph, reasoner: str = "rules") -> Closure:
    """Compute the OWL 2 RL closure of a copy of `asserted`, without axiomatic triples."""
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r}: choose from {', '.join(REASONERS)}")
    if reasoner == "rules" and not rules.unsupported(asserted):
        try:
            entailed, errors = rules.entail(asserted, is_noise)
        except rules.Unsupported:
            return _expand_owlrl(asserted)
        return Closure(entailed.graph, errors)
    return _expand_owlrl(asserted)


def _expand_owlrl(asserted: Graph) -> Closure:
    """Run owlrl's rules, all but eq-ref, over a copy of `asserted`."""
    graph = Graph()
    for prefix, namespace in asserted.namespaces():
        graph.bind(prefix, namespace)
    graph += asserted
    semantics = _Semantics(graph, axioms=False, daxioms=False, rdfs=False)
    semantics.closure()
    for message in list(graph.subjects(RDF.type, ERRNS.ErrorMessage)):
        graph.remove((message, None, None))
    return Closure(graph, list(semantics.error_messages))


def is_noise(triple: tuple) -> bool:
    """Tell whether an entailed triple says nothing a reader of the data would want."""
    s, p, o = triple
    if isinstance(s, Literal) or isinstance(p, BNode):
        return True  # literal typing (dt-type2) and anonymous inverse properties
    if isinstance(s, URIRef) and str(s).startswith(_LANGUAGE):
        return True  # axioms about owl:Thing, xsd:string and the like
    if p in _REFLEXIVE and s == o:
        return True
    if p == _TYPE and (o in _TRIVIAL_TYPES or o == _DATATYPE):
        return True
    # Every class is a subclass, and every domain and range a subclass, of owl:Thing.
    return p in _ABOUT_CLASSES and o == _THING


def inferred(asserted: Graph, closure: Graph) -> Graph:
    """Return the triples the reasoner added to `asserted`, minus noise."""
    result = Graph()
    for prefix, namespace in asserted.namespaces():
        result.bind(prefix, namespace)
    for triple in closure:
        if triple not in asserted and not is_noise(triple):
            result.add(triple)
    return result


def _subject_of(message: str, ontology: Graph) -> URIRef | None:
    """Pick the individual an owlrl message is about: the first IRI that is not a term."""
    iris = [URIRef(m.rstrip(".")) for m in _IRI.findall(message)]
    individuals = [
        i for i in iris if (i, None, None) not in ontology or str(i).startswith(BASE_IRI + "id/")
    ]
    return (individuals or iris or [None])[0]


def check_reasoning(project: Project, locator: Locator, closure: Closure) -> list[Finding]:
    """Report the inconsistencies owlrl found, with IRIs shown as prefixed names."""
    show = Shower(project.asserted)
    findings = []
    for message in sorted(closure.errors):
        if message.startswith(ILL_TYPED):
            continue  # reported with its file and line by the terms stage (literals.py)
        readable = _IRI.sub(lambda m: show(URIRef(m.group(0))), message)
        subject = _subject_of(message, project.ontology)
        file, line = locator.where(subject, project.sources.data) if subject else (None, None)
        findings.append(
            Finding(ERROR, "reasoning", f"inconsistent: {readable}", file, line, subject)
        )
    return findings
