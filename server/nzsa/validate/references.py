"""Stage 3: every IRI under the base that is used as an object is described as a subject."""

from __future__ import annotations

from rdflib import OWL, RDF, URIRef

from ..load import Project
from ..vocab import BASE_IRI
from .findings import ERROR, Finding
from .locate import Locator
from .show import Shower

# Objects that name versions or other documents of the ontology, not things described.
NOT_REFERENCES = frozenset(
    {
        OWL.versionIRI,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
        OWL.imports,
    }
)


def check_references(project: Project, locator: Locator) -> list[Finding]:
    """Report references to IRIs of ours that nothing describes (dangling links)."""
    described = set(project.asserted.subjects())
    findings: list[Finding] = []
    data = set(project.sources.data)
    for path in project.sources.ontology + project.sources.data:
        graph = project.graphs[path]
        show = Shower(graph)
        seen = set()
        for s, p, o in sorted(graph):
            # Classes of instances are checked (as declared terms) by the terms stage.
            if p in NOT_REFERENCES or (p == RDF.type and path in data):
                continue
            dangling = isinstance(o, URIRef) and o.startswith(BASE_IRI) and o not in described
            if dangling and (s, o) not in seen:
                seen.add((s, o))
                message = f"{show(p)} points to {show(o)}, which nothing describes"
                line = locator.indexes[path].line_of_value(s, o)
                findings.append(Finding(ERROR, "references", message, path, line, s, p, o))
    return findings
