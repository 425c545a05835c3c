"""Stage 5: SHACL with pyshacl over the asserted data plus ontology."""

from __future__ import annotations

import pyshacl
from rdflib import RDF, SH, Graph, Literal
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from ..load import Project
from .findings import ERROR, INFO, WARNING, Finding
from .locate import Locator
from .show import Shower

SEVERITIES = {SH.Violation: ERROR, SH.Warning: WARNING, SH.Info: INFO}


def count_shapes(shapes: Graph) -> int:
    """Count node and property shapes, typed or reached through sh:property."""
    typed = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    return len(typed | set(shapes.objects(None, SH.property)))


class _PreparedQueries(Graph):
    """A view of a graph (same store) that parses each SPARQL query text once.

    pyshacl runs a shape's SPARQL constraint once per focus node, as text with `$this`
    bound: rdflib would parse and translate the same text again each time.
    """

    def __init__(self, graph: Graph) -> None:
        # The graph's own namespace manager: a new one would bind rdflib's defaults in the
        # store, over prefixes the files declared.
        super().__init__(graph.store, graph.identifier, namespace_manager=graph.namespace_manager)
        self._prepared: dict[str, Query] = {}

    def query(
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,  # noqa: N803 (rdflib's names)
        initBindings=None,  # noqa: N803
        use_store_provided=True,
        **kwargs,
    ):
        if isinstance(query_object, str) and processor == "sparql" and not (initNs or kwargs):
            if query_object not in self._prepared:
                namespaces = dict(self.namespaces())  # as Graph.query would bind them
                self._prepared[query_object] = prepareQuery(query_object, initNs=namespaces)
            query_object = self._prepared[query_object]
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def run_shacl(project: Project) -> Graph:
    """Validate ontology plus data against the shapes; return the sh:ValidationReport graph.

    The data graph is the asserted graph (rdfs:subClassOf in the ontology gives
    sh:class and sh:targetClass their SHACL-instance meaning), not the OWL closure:
    shapes constrain what people wrote, and entailed triples such as inverse links
    would otherwise count against cardinalities.
    """
    # pyshacl adds axioms (e.g. owl:Class rdfs:subClassOf rdfs:Class) to the shapes graph
    # it is given: give it a copy, so the shapes stay as written for the build.
    shapes = Graph()
    shapes += project.shapes
    _, results, _ = pyshacl.validate(
        _PreparedQueries(project.asserted),
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        # In advanced mode pyshacl copies the data graph (1M triples: a minute and a GB)
        # for SHACL rules to write into; shapes without rules leave it as it is.
        inplace=(None, SH.rule, None) not in shapes,
    )
    return results


def _message(results: Graph, result: Node) -> str:
    messages = sorted(results.objects(result, SH.resultMessage), key=str)
    english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    return str((english or messages or ["SHACL constraint violated"])[0])


def check_shacl(project: Project, locator: Locator, results: Graph) -> list[Finding]:
    """Turn each sh:ValidationResult into a finding located at its focus node."""
    show = Shower(project.asserted)
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        shape = results.value(result, SH.sourceShape)
        severity = SEVERITIES.get(results.value(result, SH.resultSeverity), ERROR)
        message = _message(results, result)
        if path is not None:
            message = f"{show(path)}: {message}"
        if value is not None and value != focus:
            message += f" (value {show(value)})"
        file, line = locator.where(focus, project.sources.data)
        findings.append(
            Finding(
                severity, "shacl", message, file, line, focus, path, value, shape, result=result
            )
        )
    return sorted(findings, key=lambda f: (str(f.file), f.line or 0, f.message))
