"""Stage 6: every evidence quote occurs verbatim, modulo whitespace, in its source's text copy."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal
from rdflib.term import Node

from ..load import Project, project_root, root_of
from ..project import NoProject
from ..vocab import NZSA, PROV
from .findings import ERROR, Finding
from .locate import Locator
from .quotes import explain
from .show import Shower


def normalise(text: str) -> str:
    """Collapse runs of whitespace to single spaces, as quotes are compared."""
    return " ".join(text.split())


def count_quotes(project: Project) -> int:
    return len({s for graph in project.data_graphs for s in graph.subjects(NZSA.quote, None)})


class TextCopies:
    """The text copies of the source documents, read once each, whitespace normalised."""

    def __init__(self, project: Project, locator: Locator, root: Path | None):
        self.project, self.locator, self.root = project, locator, root
        self.texts: dict[Node, str | None] = {}
        self.problems: dict[Node, str] = {}

    def _root_for(self, source: Node) -> Path:
        if self.root:
            return self.root
        file = self.locator.file_of(source, self.project.sources.data)
        found = root_of(file) if file else None
        if found:
            return found
        try:
            return project_root()
        except NoProject:
            # Files named outside any project: their text copies are named from here.
            return Path.cwd()

    def text(self, source: Node) -> str | None:
        """Return the normalised text of `source`, or None (with a problem noted)."""
        if source not in self.texts:
            self.texts[source] = self._read(source)
        return self.texts[source]

    def _read(self, source: Node) -> str | None:
        show = Shower(self.project.asserted)
        copy = self.project.asserted.value(source, NZSA.textCopy)
        if copy is None:
            self.problems[source] = f"source {show(source)} has no nzsa:textCopy"
            return None
        path = self._root_for(source) / str(copy)
        try:
            return normalise(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.problems[source] = f"text copy {copy} of source {show(source)} does not exist"
        except (OSError, UnicodeDecodeError) as error:
            self.problems[source] = f"text copy {copy} of {show(source)} is unreadable: {error}"
        return None


def check_evidence(project: Project, locator: Locator, root: Path | None = None) -> list[Finding]:
    """Report quotes missing from their source text, and sources without a readable text."""
    copies = TextCopies(project, locator, root)
    findings = []
    for path in project.sources.data:
        graph = project.graphs[path]
        show = Shower(graph)
        index = locator.indexes[path]
        for evidence, quote in sorted(graph.subject_objects(NZSA.quote)):
            line: int | None = 0  # looked up for a finding only: a search of the file's lines
            for source in sorted(project.asserted.objects(evidence, PROV.wasQuotedFrom)):
                text = copies.text(source)
                if text is None:
                    message = copies.problems[source]
                elif not isinstance(quote, Literal) or normalise(str(quote)) not in text:
                    message = f"quote {show(quote)} does not occur in {show(source)}: " + explain(
                        normalise(str(quote)), text
                    )
                else:
                    continue
                if line == 0:
                    line = index.line_of_text(str(quote)) or index.line_of(evidence)
                findings.append(
                    Finding(
                        ERROR, "evidence", message, path, line, evidence, PROV.wasQuotedFrom, source
                    )
                )
    return findings
