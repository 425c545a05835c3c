"""Run the stages in order: parse, terms, references, reasoning, SHACL, evidence."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, Graph

from ..load import Project, Sources, default_sources, parse_all, root_of
from ..vocab import NZSA
from .causes import fold
from .duplicates import check_duplicates
from .evidence import check_evidence, count_quotes
from .findings import ERROR, INFO, Counts, Finding, Report
from .literals import check_literals
from .locate import Locator
from .reasoning import check_reasoning, expand
from .references import check_references
from .scope import NotScoped, Scope, changes_since, described_in, scope_of
from .shacl import check_shacl, count_shapes, run_shacl
from .terms import check_terms


def count_facts(project: Project) -> int:
    """Count fact nodes: instances of subclasses of nzsa:Fact, and anything with evidence."""
    fact_classes = set(project.ontology.transitive_subjects(RDFS.subClassOf, NZSA.Fact))
    facts = set()
    for graph in project.data_graphs:
        facts.update(s for c in fact_classes for s in graph.subjects(RDF.type, c))
        facts.update(graph.subjects(NZSA.evidence, None))
    return len(facts)


def _looked_in(sources: Sources) -> str:
    folders = ", ".join(str(folder) for folder in sources.searched)
    return f" (looked in {folders})" if folders else ""


def _input_findings(sources: Sources, triples: int, shapes: int) -> list[Finding]:
    """Refuse to pass vacuously: no files, no shapes or no triples is a failure."""
    problems = []
    if not sources.all:
        problems.append("no files to validate" + _looked_in(sources))
    elif not sources.shapes:
        problems.append("no shapes files (shapes/*.ttl) to validate against" + _looked_in(sources))
    elif not shapes:
        problems.append("the shapes files hold no shapes")
    if sources.all and not triples:
        problems.append("the files hold no triples")
    return [Finding(ERROR, "inputs", message) for message in problems]


def _parse_scoped(sources: Sources, rev: str) -> tuple[dict[Path, Graph], list, Scope | None, str]:
    """Parse what a change since `rev` can affect; the whole project when it cannot be scoped."""
    others = sources.ontology + sources.shapes
    graphs, errors = parse_all(others)
    if not errors:
        try:
            change = changes_since(rev, sources.data, others)
            project = Project(sources, graphs)
            scope = scope_of(change, sources.data, project.ontology, project.shapes)
        except NotScoped as reason:
            note = f"checked everything: the change since {rev} cannot be scoped ({reason})"
        else:
            return {**graphs, **scope.graphs}, [], scope, ""
    else:
        note = ""
    graphs, errors = parse_all(sources.all)
    return graphs, errors, None, note


def validate(
    sources: Sources | None = None,
    root: Path | None = None,
    reasoner: str = "rules",
    changed_since: str | None = None,
) -> Report:
    """Validate the project's files (default: its own ontology, data and shapes).

    `root` is where evidence text copies are looked up; by default the parent of
    the folder (data/) that describes each source document. `reasoner` is "rules"
    (the OWL 2 RL rules the ontology needs, on pyoxigraph) or "owlrl" (all of them).
    `changed_since`, a git revision, checks only what the change since then can
    affect (scope.py), and reports the findings a full validation gives for it.
    """
    sources = sources if sources is not None else default_sources()
    scope, note = None, ""
    if changed_since:
        graphs, parse_errors, scope, note = _parse_scoped(sources, changed_since)
    else:
        graphs, parse_errors = parse_all(sources.all)
    report = Report(stages_run=("inputs", "parse"))
    if parse_errors:
        # Later stages would report the missing file's content as missing: stop here.
        report.findings = [
            Finding(ERROR, "parse", error.message, error.path, error.line) for error in parse_errors
        ]
        report.counts = Counts(files=len(sources.all))
        return report

    project = Project(sources, graphs)
    locator = Locator(graphs)
    report.project = project
    report.counts = Counts(
        files=len(sources.all),
        triples=sum(len(g) for g in graphs.values()),
        shapes=count_shapes(project.shapes),
        facts=count_facts(project),
        quotes=count_quotes(project),
    )
    report.findings = _input_findings(sources, report.counts.triples, report.counts.shapes)
    if report.findings:
        return report

    closure = expand(project.asserted, reasoner)
    report.reasoned = closure
    report.shacl_results = run_shacl(project)
    findings = check_duplicates(project, locator)
    findings += check_terms(project, locator)
    findings += check_literals(project, locator)
    described = None if scope is None else lambda: described_in(sources.data, project.ontology)
    only = None if scope is None else scope.nodes
    findings += check_references(project, locator, _git_root(sources), described, only)
    findings += check_reasoning(project, locator, closure)
    findings += check_shacl(project, locator, report.shacl_results)
    findings += check_evidence(project, locator, root)
    if scope is not None:
        findings = [f for f in findings if f.subject is None or f.subject in scope.nodes]
    if note:
        findings.append(Finding(INFO, "inputs", note))
    report.stages_run += ("terms", "references", "reasoning", "shacl", "evidence")
    report.findings = report.findings + fold(findings)
    return report


def _git_root(sources: Sources) -> Path | None:
    """Return the project folder whose git history tells renamed IRIs, if there is one."""
    roots = [root_of(path) for path in sources.data]
    return next((root for root in roots if root is not None), None)
