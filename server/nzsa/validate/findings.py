"""Findings and the report: plain values that every stage returns and every formatter reads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    # A reasoning.Closure: its entailed graph is made when `closure` is first read.
    reasoned: Any = None
    shacl_results: Graph | None = None
    stages_run: tuple[str, ...] = ()

    @property
    def closure(self) -> Graph | None:
        """The entailed graph (see reasoning.Closure), or None if reasoning did not run."""
        return None if self.reasoned is None else self.reasoned.graph

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def roots(self) -> list[Finding]:
        """The findings that are no consequence of another, in the order they are shown."""
        return [f for f in self.findings if f.cause is None]

    def consequences(self, root: Finding) -> list[Finding]:
        """The findings folded under `root`."""
        return list(self._by_cause().get(id(root), ()))

    def _by_cause(self) -> dict[int, list[Finding]]:
        """Index the findings by the root they follow from, once per list of findings.

        Formatters ask for each root's consequences: searching the whole list each time
        took most of a 100k validation with many findings.
        """
        cached = self.__dict__.get("_causes")
        if cached is None or cached[0] is not self.findings or cached[1] != len(self.findings):
            by_cause: dict[int, list[Finding]] = defaultdict(list)
            for finding in self.findings:
                if finding.cause is not None:
                    by_cause[id(finding.cause)].append(finding)
            cached = (self.findings, len(self.findings), by_cause)
            self.__dict__["_causes"] = cached
        return cached[2]

    @property
    def conforms(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        """Return 0 when the graph conforms, 2 on a parse error, 1 on any other error."""
        if any(f.stage == "parse" for f in self.errors):
            return 2
        return 0 if self.conforms else 1
