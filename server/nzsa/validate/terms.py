"""Stage 2: every class and property the data uses is declared in the ontology, and used right."""

from __future__ import annotations

from dataclasses import replace

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from ..load import Project
from .causes import UNKNOWN_CLASS, UNKNOWN_PROPERTY
from .findings import ERROR, Finding
from .locate import Locator
from .show import Shower
from .suggest import closest, did_you_mean

# Being the subject of one of these types in the ontology declares a term.
DECLARING_TYPES = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDF.Property,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.AsymmetricProperty,
        OWL.ReflexiveProperty,
        OWL.IrreflexiveProperty,
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
    }
)

# The languages themselves need no declaration; reused vocabularies do (docs/MODELLING.md).
BUILT_IN = (str(RDF), str(RDFS), str(OWL))


def declared_terms(ontology: Graph) -> set[URIRef]:
    """Return the classes and properties the ontology declares."""
    return {
        s for t in DECLARING_TYPES for s in ontology.subjects(RDF.type, t) if isinstance(s, URIRef)
    }


def _classes(ontology: Graph) -> set[URIRef]:
    return {
        s
        for t in (OWL.Class, RDFS.Class)
        for s in ontology.subjects(RDF.type, t)
        if isinstance(s, URIRef)
    }


def _problems(graph: Graph, ontology: Graph):
    """Yield the findings' fields for each misused term in one data graph.

    Each is (subject, key, message, kind, path, value, meant).
    """
    declared = declared_terms(ontology)
    classes = _classes(ontology)
    properties = declared - classes
    object_properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    datatype_properties = set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    show = Shower(graph)
    for s, p, o in sorted(graph):
        if p == RDF.type:
            if isinstance(o, URIRef) and o not in declared and not str(o).startswith(BUILT_IN):
                matches = closest(o, classes, show)
                message = f"class {show(o)} is not declared in the ontology"
                message += did_you_mean(matches, show)
                meant = matches[0] if matches else None
                yield s, (s, o), message, UNKNOWN_CLASS, p, o, meant
        elif p not in declared and not str(p).startswith(BUILT_IN):
            matches = closest(p, properties, show)
            message = f"property {show(p)} is not declared in the ontology"
            message += did_you_mean(matches, show)
            meant = matches[0] if matches else None
            yield s, (s, p), message, UNKNOWN_PROPERTY, p, o, meant
        elif p in object_properties and isinstance(o, Literal):
            message = f"{show(p)} is an object property: its value must be an IRI, not {show(o)}"
            yield s, (s, p, o), message, "", p, o, None
        elif p in datatype_properties and not isinstance(o, Literal):
            message = (
                f"{show(p)} is a datatype property: its value must be a literal, not {show(o)}"
            )
            yield s, (s, p, o), message, "", p, o, None


def check_terms(project: Project, locator: Locator) -> list[Finding]:
    """Report undeclared classes and properties, and values of the wrong kind."""
    findings: list[Finding] = []
    for path in project.sources.data:
        index = locator.indexes[path]
        reported = set()
        problems = _problems(project.graphs[path], project.ontology)
        for subject, key, message, kind, p, o, meant in problems:
            if key not in reported:
                reported.add(key)
                line = index.line_of_value(subject, o if kind == UNKNOWN_CLASS else p)
                finding = Finding(ERROR, "terms", message, path, line, subject, p, o)
                findings.append(replace(finding, kind=kind, meant=meant))
    return findings
