"""What a revision publishes: its named graphs as `nzsa build` writes them, and its findings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import BNode, Graph, URIRef

from ..build.dataset import publishable_graphs
from ..load import default_sources, merge, skolem_names
from ..validate import validate
from ..validate.findings import Finding
from ..vocab import Graphs


@dataclass
class Published:
    """The published graphs of one revision (none when it cannot be read) and its findings."""

    asserted: Graph = field(default_factory=Graph)
    entailed: Graph = field(default_factory=Graph)
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True


def published(project: Path) -> Published:
    """Validate the project in `project` and return what its build would publish.

    Data that fails validation is diffed all the same (a pull request is where findings
    are fixed); only a revision that cannot be parsed or reasoned over has no graphs.
    """
    report = validate(default_sources(project))
    if report.project is None or report.closure is None:
        findings = [_named(finding, {}, project) for finding in report.findings]
        return Published(findings=findings, readable=False)
    graphs: dict[URIRef, Graph] = publishable_graphs(report)
    asserted = merge(graphs[name] for name in (Graphs.ONTOLOGY, Graphs.DATA, Graphs.SHAPES))
    # Findings name blank nodes by their ids of this parse: use the published names,
    # which follow content, so that one finding in two revisions is recognised.
    names = {**skolem_names(report.project.shapes), **skolem_names(report.project.asserted)}
    findings = [_named(finding, names, project) for finding in report.findings]
    return Published(asserted, graphs[Graphs.INFERRED], findings)


def _named(finding: Finding, names: dict[BNode, URIRef], project: Path) -> Finding:
    """The finding with published names for blank nodes, and its file named in the project."""
    fields = ("subject", "path", "value", "source_shape")
    # A revision is read from a temporary folder: name files as the project does.
    if finding.file is not None and finding.file.is_relative_to(project):
        finding = replace(finding, file=finding.file.relative_to(project))
    finding = replace(finding, message=finding.message.replace(f"{project}/", ""))
    return replace(
        finding, **{f: names.get(getattr(finding, f), getattr(finding, f)) for f in fields}
    )
