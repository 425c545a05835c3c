"""Findings and the report: plain values that every stage returns and every formatter reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from ..load import Project

ERROR, WARNING, INFO = "error", "warning", "info"

# The stages, in the order they run (README and --help list them in this order).
# "stability" runs only with --since-release (maintain/stability.py).
STAGES = (
    "inputs", "parse", "terms", "references", "reasoning", "shacl", "evidence", "stability",
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, what it is about, and what is wrong."""

    severity: str
    stage: str
    message: str
    file: Path | None = None
    line: int | None = None
    subject: Node | None = None
    # SHACL results also name the path, the offending value and the shape.
    path: Node | None = None
    value: Node | None = None
    source_shape: Node | None = None
    # What kind of root cause this is (causes.py folds consequences under it), and the
    # finding this one is a consequence of.
    kind: str = ""
    meant: Node | None = None  # the declared term or IRI it was probably meant to be
    cause: Finding | None = field(default=None, compare=False)
    # The sh:ValidationResult a SHACL finding came from.
    result: Node | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Counts:
    """How much the validator looked at, so that it cannot pass vacuously."""

    files: int = 0
    triples: int = 0
    shapes: int = 0
    facts: int = 0
    quotes: int = 0


@dataclass
class Report:
    """The outcome of validation, with the graphs it built for reuse (e.g. by the build)."""

    findings: list[Finding] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    project: Project | None = None
    closure: Graph | None = None
    shacl_results: Graph | None = None
    stages_run: tuple[str, ...] = ()

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def roots(self) -> list[Finding]:
        """The findings that are no consequence of another, in the order they are shown."""
        return [f for f in self.findings if f.cause is None]

    def consequences(self, root: Finding) -> list[Finding]:
        """The findings folded under `root`."""
        return [f for f in self.findings if f.cause is root]

    @property
    def conforms(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        """Return 0 when the graph conforms, 2 on a parse error, 1 on any other error."""
        if any(f.stage == "parse" for f in self.errors):
            return 2
        return 0 if self.conforms else 1
