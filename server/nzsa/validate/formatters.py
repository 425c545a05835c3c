"""Render a report: text for people, GitHub annotations for CI, Turtle for machines."""

from __future__ import annotations

import os
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, SH, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ..load import skolem_names
from ..vocab import GENID
from .findings import ERROR, INFO, STAGES, WARNING, Finding, Report
from .show import Shower

# Our own constraint components, for findings that do not come from a SHACL shape.
NZSAV = Namespace("https://w3id.org/nzsa/validate#")
SEVERITY_IRIS = {ERROR: SH.Violation, WARNING: SH.Warning, INFO: SH.Info}


def display_path(path: Path | None) -> str:
    """Show a path relative to the working directory when it lies below it."""
    if path is None:
        return ""
    return _relative(path, Path.cwd())


@lru_cache(maxsize=1024)
def _relative(path: Path, cwd: Path) -> str:
    # Resolving is a system call per folder of the path, and is asked once per finding.
    try:
        return path.resolve().relative_to(cwd).as_posix()
    except ValueError:
        return os.fspath(path)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary(report: Report) -> str:
    """Say how much was checked and whether it passed."""
    c = report.counts
    errors = sum(f.cause is None for f in report.errors)
    follow_ons = len(report.errors) - errors
    warnings = sum(f.severity == WARNING for f in report.findings)
    checked = (
        f"checked {c.files} files, {c.triples} triples, {c.shapes} shapes, "
        f"{c.facts} facts, {c.quotes} evidence quotes"
    )
    verdict = "OK" if report.conforms else f"FAIL: {_plural(errors, 'error')}"
    if follow_ons:
        verdict += f" (and {follow_ons} more caused by {'it' if errors == 1 else 'them'})"
    if warnings:
        verdict += f", {_plural(warnings, 'warning')}"
    return f"nzsa validate: {checked}: {verdict}"


def _shower(report: Report) -> Shower:
    return Shower(report.project.asserted if report.project else Graph())


def _where(finding: Finding) -> str:
    file = display_path(finding.file)
    return f"{file}:{finding.line}" if file and finding.line else file


def _indent(text: str, prefix: str) -> str:
    """Indent the lines after the first of a multi-line message to `prefix`."""
    return text.replace("\n", "\n" + prefix)


def _folded(report: Report, root: Finding, show: Shower, prefix: str) -> list[str]:
    """List the consequences of `root` under it."""
    consequences = sorted(report.consequences(root), key=lambda f: (_where(f), f.message))
    if not consequences:
        return []
    lines = [f"{prefix}and {len(consequences)} more caused by this:"]
    for f in consequences:
        about = ", ".join(x for x in (_where(f), show(f.subject)) if x)
        text = _indent(f.message, prefix + "    ")
        lines.append(f"{prefix}  {about}: {f.severity} [{f.stage}] {text}")
    return lines


def format_text(report: Report) -> str:
    """Group root causes by file, then by subject, in line order; fold consequences under."""
    show = _shower(report)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.roots:
        by_file[display_path(finding.file)].append(finding)
    lines = []
    for file in sorted(by_file):
        lines.append(file or "(no file)")
        by_subject: dict[str, list[Finding]] = defaultdict(list)
        for finding in sorted(
            by_file[file], key=lambda f: (f.line or 0, STAGES.index(f.stage), f.message)
        ):
            where = f"line {finding.line}" if finding.line else ""
            subject = show(finding.subject)
            by_subject[", ".join(x for x in (subject, where) if x) or "-"].append(finding)
        for subject, findings in by_subject.items():
            lines.append(f"  {subject}")
            for f in findings:
                lines.append(f"    {f.severity} [{f.stage}] {_indent(f.message, '      ')}")
                lines.extend(_folded(report, f, show, "      "))
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report) -> str:
    """Write workflow commands that GitHub shows as annotations on the lines they name."""
    show = _shower(report)
    level = {ERROR: "error", WARNING: "warning", INFO: "notice"}
    lines = []
    for f in report.findings:
        props = []
        if f.file:
            props.append(f"file={_escape_property(display_path(f.file))}")
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f'nzsa validate ({f.stage})')}")
        subject = f"{show(f.subject)}: " if f.subject is not None else ""
        message = subject + f.message
        if f.cause is not None:
            message = f"caused by {_where(f.cause)}: {message}"
        elif count := len(report.consequences(f)):
            message += f" (and {count} more caused by this)"
        lines.append(f"::{level[f.severity]} {','.join(props)}::{_escape_data(message)}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def report_graph(report: Report) -> Graph:
    """Return the SHACL validation report, with the other stages' findings as results too.

    Findings from stages other than SHACL carry `sh:sourceConstraintComponent
    nzsav:<Stage>ConstraintComponent`, and `nzsav:file` / `nzsav:line` where known. A
    result that follows from another names it with `nzsav:causedBy`.
    """
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("nzsav", NZSAV)
    if report.project:
        for prefix, namespace in report.project.asserted.namespaces():
            graph.bind(prefix, namespace, override=False)
    shacl = report.shacl_results
    if shacl is not None:
        graph += shacl
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    node = reports[0] if reports else BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.set((node, SH.conforms, Literal(report.conforms)))
    nodes: dict[int, Node] = {}
    for f in report.findings:
        if f.stage == "shacl":
            if f.result is not None:
                nodes[id(f)] = f.result
            continue
        result = nodes[id(f)] = BNode()
        focus = (
            f.subject
            if f.subject is not None
            else URIRef(f.file.resolve().as_uri())
            if f.file
            else NZSAV.inputs
        )
        graph.add((node, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, focus))
        graph.add((result, SH.resultSeverity, SEVERITY_IRIS[f.severity]))
        graph.add((result, SH.resultMessage, Literal(f.message)))
        component = NZSAV[f"{f.stage.capitalize()}ConstraintComponent"]
        graph.add((result, SH.sourceConstraintComponent, component))
        if f.path is not None:
            graph.add((result, SH.resultPath, f.path))
        if f.value is not None:
            graph.add((result, SH.value, f.value))
        if f.file:
            graph.add((result, NZSAV.file, Literal(display_path(f.file))))
        if f.line:
            graph.add((result, NZSAV.line, Literal(f.line, datatype=XSD.integer)))
    for f in report.findings:
        if f.cause is not None and id(f) in nodes and id(f.cause) in nodes:
            graph.add((nodes[id(f)], NZSAV.causedBy, nodes[id(f.cause)]))
    return graph


def _name_data_blank_nodes(graph: Graph, report: Report) -> None:
    """Show focus nodes and values that are blank nodes of the data by their build IRIs."""
    if report.project is None:
        return
    names = skolem_names(report.project.asserted)
    for predicate in (SH.focusNode, SH.value):
        for result, node in list(graph.subject_objects(predicate)):
            if isinstance(node, BNode) and node in names:
                graph.set((result, predicate, names[node]))
    graph.bind("genid", GENID)


def format_turtle(report: Report) -> str:
    """Serialise the validation report as Turtle."""
    graph = report_graph(report)
    _name_data_blank_nodes(graph, report)
    return graph.serialize(format="turtle")


FORMATTERS = {"text": format_text, "github": format_github, "turtle": format_turtle}
