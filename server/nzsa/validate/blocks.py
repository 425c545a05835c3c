"""A Turtle file's text cut into statements, searched for terms without parsing the whole file.

Our Turtle (canonical, and N-Triples, which is Turtle too) starts every statement at
column 0 and indents everything inside it, nested blank nodes included: a statement runs
from such a line to the next. `nzsa validate --changed-since` reads only the statements
that name the terms a change can affect, so its cost follows the change, not the file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property

from rdflib import Graph, URIRef

# Lines at column 0 that continue a statement, or declare rather than state.
_NOT_A_START = tuple(".])}#") + ("@prefix", "@base", "PREFIX", "BASE", "prefix", "base")
_DIRECTIVE = re.compile(r"^\s*(@prefix|@base|PREFIX|BASE)\b", re.IGNORECASE)
# A prefixed name's local part, as Turtle allows it without escapes (simplified).
_LOCAL = re.compile(r"^[A-Za-z0-9_\-.]*$")
_LABEL = re.compile(r"_:[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*")
# The first term of a line at column 0: a statement's subject.
_SUBJECT = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w\-.]*:[\w\-.]*)(?=[\s;,.])", re.MULTILINE)
# Characters that may stand right before or after a term in Turtle.
_BEFORE = frozenset(" \t\n(,;[")
_AFTER = frozenset(" \t\n),;.]")


class TurtleText:
    """The text of one Turtle file: its directives, and the statement around any offset."""

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def header(self) -> str:
        """The prefix and base directives, to parse any statement of the file on its own."""
        return "".join(line + "\n" for line in self.text.splitlines() if _DIRECTIVE.match(line))

    @cached_property
    def prefixes(self) -> list[tuple[str, str]]:
        graph = Graph(bind_namespaces="none").parse(data=self.header, format="turtle")
        return [(prefix, str(ns)) for prefix, ns in graph.namespaces() if prefix]

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def line_of(self, offset: int) -> int:
        """Return the 1-based line number of an offset."""
        return bisect_right(self._line_starts, offset)

    def _starts_statement(self, at: int) -> bool:
        char = self.text[at : at + 1]
        return bool(char) and not char.isspace() and not self.text.startswith(_NOT_A_START, at)

    def statement_at(self, offset: int) -> tuple[int, int]:
        """Return the (start, end) offsets of the statement holding `offset`."""
        start = self.text.rfind("\n", 0, offset) + 1
        while start > 0 and not self._starts_statement(start):
            start = self.text.rfind("\n", 0, start - 1) + 1
        end = self.text.find("\n", offset)
        while end >= 0 and not self._starts_statement(end + 1) and end + 1 < len(self.text):
            end = self.text.find("\n", end + 1)
        return start, len(self.text) if end < 0 else end + 1

    def statements_in_lines(self, first: int, last: int) -> set[tuple[int, int]]:
        """Return the statements that lines `first`..`last` (1-based, inclusive) belong to."""
        starts = self._line_starts
        found = set()
        for line in range(max(first, 1), min(last, len(starts)) + 1):
            at = starts[line - 1]
            if at < len(self.text) and not _DIRECTIVE.match(self.text[at : at + 10]):
                found.add(self.statement_at(at))
        return {s for s in found if self.text[s[0] : s[1]].strip()}

    def spellings(self, iri: URIRef) -> list[str]:
        """Return the ways this file can write `iri`: full, then prefixed."""
        names = [f"<{iri}>"]
        for prefix, ns in self.prefixes:
            local = str(iri)[len(ns) :]
            if str(iri).startswith(ns) and _LOCAL.match(local) and not local.endswith("."):
                names.append(f"{prefix}:{local}")
        return names

    def _occurrences(self, spelling: str):
        text, at = self.text, self.text.find(spelling)
        while at >= 0:
            end = at + len(spelling)
            if (at == 0 or text[at - 1] in _BEFORE) and (end == len(text) or text[end] in _AFTER):
                yield at
            at = text.find(spelling, end)

    def mentioning(self, spellings: list[str]) -> set[tuple[int, int]]:
        """Return the statements that mention any of the spellings."""
        return {self.statement_at(at) for s in spellings for at in self._occurrences(s)}

    def describing(self, spellings: list[str]) -> set[tuple[int, int]]:
        """Return the statements whose subject is written as one of the spellings."""
        found = set()
        for spelling in spellings:
            after = self.text[len(spelling) : len(spelling) + 1]
            if self.text.startswith(spelling) and after in _AFTER:
                found.add(self.statement_at(0))
            at = self.text.find("\n" + spelling)
            while at >= 0:
                end = at + 1 + len(spelling)
                if end == len(self.text) or self.text[end] in _AFTER:
                    found.add(self.statement_at(at + 1))
                at = self.text.find("\n" + spelling, end)
        return found

    def labels(self, statements) -> set[str]:
        """Return the blank node labels (_:x) the statements use."""
        return {label for s, e in statements for label in _LABEL.findall(self.text, s, e)}

    def parse(self, statements) -> Graph:
        """Parse the given statements, in file order, as one graph with the file's prefixes."""
        body = "".join(self.text[s:e] for s, e in sorted(statements))
        return Graph().parse(data=self.header + body, format="turtle")

    def subjects(self) -> set[URIRef]:
        """Return the IRIs written as the subject of a statement."""
        names = dict(self.prefixes)
        found = set()
        for token in set(_SUBJECT.findall(self.text)):
            if token.startswith("<"):
                found.add(URIRef(token[1:-1]))
            elif ":" in token and not token.startswith("_:"):
                prefix, _, local = token.partition(":")
                if prefix in names:
                    found.add(URIRef(names[prefix] + local))
        return found
