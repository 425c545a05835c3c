"""Find the file and line where a node is described, so findings point at the source text."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

# A prefixed name's local part, as Turtle allows it without escapes (simplified).
_LOCAL = re.compile(r"^[A-Za-z0-9_\-.]*$")


class FileIndex:
    """The text of one Turtle file, indexed by the token that starts each statement."""

    def __init__(self, path: Path, graph: Graph):
        self.path, self.graph = path, graph

    @cached_property
    def lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return []

    @cached_property
    def statement_starts(self) -> dict[str, int]:
        starts: dict[str, int] = {}
        for number, text in enumerate(self.lines, start=1):
            if text and not text[0].isspace():
                token = text.split(None, 1)[0]
                starts.setdefault(token, number)
        return starts

    @cached_property
    def prefixes(self) -> list[tuple[str, str]]:
        return [(prefix, str(ns)) for prefix, ns in self.graph.namespaces()]

    def names(self, iri: URIRef) -> list[str]:
        """Return the ways this file can spell `iri`: full, then prefixed."""
        spellings = [f"<{iri}>"]
        for prefix, ns in self.prefixes:
            local = str(iri)[len(ns) :]
            if str(iri).startswith(ns) and _LOCAL.match(local) and not local.endswith("."):
                spellings.append(f"{prefix}:{local}")
        return spellings

    def line_of_text(self, text: str) -> int | None:
        """Return the first line containing `text` (its first line, whitespace-trimmed)."""
        first = text.strip().splitlines()[0].strip() if text.strip() else ""
        if not first:
            return None
        for number, line in enumerate(self.lines, start=1):
            if first in line:
                return number
        # A long literal may wrap: look for its first words.
        head = " ".join(first.split()[:6])
        for number, line in enumerate(self.lines, start=1):
            if head and head in " ".join(line.split()):
                return number
        return None

    def line_of(self, node: Node) -> int | None:
        """Return the line where `node` is described, else where it is mentioned."""
        if isinstance(node, URIRef):
            spellings = self.names(node)
            for spelling in spellings:
                if spelling in self.statement_starts:
                    return self.statement_starts[spelling]
            for number, line in enumerate(self.lines, start=1):
                if any(_mentions(line, spelling) for spelling in spellings):
                    return number
            return None
        if isinstance(node, BNode):
            # A blank node has no name in the text: find one of its literals, else its owner.
            for literal in sorted(o for o in self.graph.objects(node) if isinstance(o, Literal)):
                line = self.line_of_text(str(literal))
                if line:
                    return line
            for owner in self.graph.subjects(None, node):
                return self.line_of(owner)
        return None

    def line_of_value(self, subject: Node, value: Node) -> int | None:
        """Return the line, at or after where `subject` is described, that mentions `value`."""
        start = self.line_of(subject)
        if start is not None and isinstance(value, Literal) and str(value).strip():
            first = str(value).strip().splitlines()[0]
            for number in range(start, len(self.lines) + 1):
                if first in self.lines[number - 1]:
                    return number
        if start is None or not isinstance(value, URIRef):
            return start
        spellings = self.names(value)
        for number in range(start, len(self.lines) + 1):
            if any(_mentions(self.lines[number - 1], spelling) for spelling in spellings):
                return number
        return start


def _mentions(line: str, spelling: str) -> bool:
    at = line.find(spelling)
    while at >= 0:
        end = at + len(spelling)
        before_ok = at == 0 or line[at - 1] in " \t(,;[<"
        after_ok = end == len(line) or line[end] in " \t),;.]"
        if before_ok and after_ok:
            return True
        at = line.find(spelling, end)
    return False


class Locator:
    """Answer "in which file and on which line is this node described?" for a project."""

    def __init__(self, graphs: dict[Path, Graph]):
        self.indexes = {path: FileIndex(path, graph) for path, graph in graphs.items()}

    def file_of(self, node: Node, prefer: tuple[Path, ...] = ()) -> Path | None:
        """Return the file that describes `node` (as a subject), preferring the given files."""
        ordered = list(prefer) + [p for p in self.indexes if p not in prefer]
        for path in ordered:
            index = self.indexes.get(path)
            if index and (node, None, None) in index.graph:
                return path
        return None

    def where(self, node: Node, prefer: tuple[Path, ...] = ()) -> tuple[Path | None, int | None]:
        """Return the file and line that describe `node`."""
        path = self.file_of(node, prefer)
        if path is None:
            return None, None
        return path, self.indexes[path].line_of(node)
