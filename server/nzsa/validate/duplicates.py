"""A subject described in two places: two files, or two blocks of one file.

Turtle merges them silently, so a second block (often a stale copy) adds to the first
without anyone seeing both. Each subject's description belongs in one block of one file.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rdflib import URIRef

from ..load import Project
from .findings import WARNING, Finding
from .formatters import display_path
from .locate import FileIndex, Locator
from .show import Shower


def _block_lines(index: FileIndex) -> dict[str, list[int]]:
    """Return the lines on which each token starts a statement (at the start of a line)."""
    starts: dict[str, list[int]] = defaultdict(list)
    for number, text in enumerate(index.lines, start=1):
        if text and not text[0].isspace() and not text.startswith(("#", "@", "PREFIX", "BASE")):
            starts[text.split(None, 1)[0].rstrip(";")].append(number)
    return starts


def _blocks(index: FileIndex, subject: URIRef, starts: dict[str, list[int]]) -> list[int]:
    return sorted(n for spelling in index.names(subject) for n in starts.get(spelling, []))


def check_duplicates(project: Project, locator: Locator) -> list[Finding]:
    """Warn about subjects described in two files, or in two blocks of one file."""
    findings: list[Finding] = []
    first_file: dict[URIRef, tuple[Path, int | None]] = {}
    for path in project.sources.ontology + project.sources.data:
        graph, index = project.graphs[path], locator.indexes[path]
        show = Shower(graph)
        starts = _block_lines(index)
        for subject in sorted(s for s in graph.subjects(unique=True) if isinstance(s, URIRef)):
            lines = _blocks(index, subject, starts)
            for line in lines[1:]:
                message = (
                    f"{show(subject)} is described again here, after line {lines[0]}: "
                    "Turtle merges the two blocks; keep one"
                )
                findings.append(Finding(WARNING, "parse", message, path, line, subject))
            line = lines[0] if lines else index.line_of(subject)
            if subject in first_file:
                other, other_line = first_file[subject]
                where = display_path(other) + (f":{other_line}" if other_line else "")
                message = (
                    f"{show(subject)} is also described in {where}: "
                    "keep each subject's description in one file"
                )
                findings.append(Finding(WARNING, "parse", message, path, line, subject))
            else:
                first_file[subject] = (path, line)
    return findings
