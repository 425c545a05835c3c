"""Write a semantic diff as text, Markdown (a pull-request comment) or JSON.

The JSON shape (documented in the README, "nzsa diff"):
{"old": Revision, "new": Revision, "summary": {...},
 "asserted": [Group], "entailed": [Group], "validation": {"appeared": [Finding],
 "disappeared": [Finding]}, "unreadable": ["old" | "new"]}
Revision = {"name", "commit"}; Group = {"iri", "curie", "label", "kind": "fact" | "resource",
"types": [Term], "status": "added" | "removed" | "changed", "added": [Statement],
"removed": [Statement], "changed": [{"predicate", "via", "old", "new"}]};
Statement = {"predicate": Term, "via": [{"predicate": Term, "node": Value}], "value": Value};
Value = Term {"iri", "curie", "label"} | {"literal", "datatype", "language"} |
{"evidence": {"quote", "source": Term}} | {"list": [Value]} | {"node": [{"predicate", "value"}]};
Finding = {"severity", "stage", "message", "subject": Value | null (what it is about; a nested
node by its content), "resource": Term | null (the named resource that holds it), "file" (relative
to the project), "line"}.
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from ..validate.findings import Finding
from ..vocab import NZSA
from .revisions import Revision
from .semantic_diff import Change, Contents, Diff, Group, Nested, Statement, is_nested

PLAIN_DATATYPES = (None, XSD.string, RDF.langString)
SIGNS = {"added": "+", "removed": "-", "changed": "~"}
QUOTE_PREVIEW = 60
# GitHub keeps at most this many characters of a comment's body.
COMMENT_LIMIT = 65_536


class Names:
    """Labels and prefixed names for the terms of a diff, from the newer revision first."""

    def __init__(self, diff: Diff):
        self.graphs: list[Graph] = [diff.new.asserted, diff.old.asserted]
        self.entailed: list[Graph] = [diff.new.entailed, diff.old.entailed]
        spaces = {str(ns): p for g in reversed(self.graphs) for p, ns in g.namespaces() if p}
        self.namespaces = sorted(spaces.items(), key=lambda item: -len(item[0]))

    def curie(self, iri: URIRef) -> str:
        text = str(iri)
        for namespace, prefix in self.namespaces:
            local = text[len(namespace) :]
            if text.startswith(namespace) and local and not set("/#?") & set(local):
                return f"{prefix}:{local}"
        return f"<{text}>"

    def _value(self, node: Node, predicates) -> str | None:
        for predicate in predicates:
            for graph in self.graphs:
                values = [v for v in graph.objects(node, predicate) if isinstance(v, Literal)]
                english = [v for v in values if v.language in (None, "en")]
                if english or values:
                    return str(sorted(english or values)[0])
        return None

    def label(self, node: Node) -> str | None:
        found = self._value(node, (SKOS.prefLabel, RDFS.label))
        if found is None and self.is_fact(node):
            return self.fact_title(node)
        return found

    def predicate(self, predicate: URIRef) -> str:
        if predicate == RDF.type:
            return "type"
        return self._value(predicate, (RDFS.label,)) or self.curie(predicate)

    def is_fact(self, node: Node) -> bool:
        return any((node, RDF.type, NZSA.Fact) in g for g in self.graphs + self.entailed)

    def types(self, node: Node) -> list[URIRef]:
        for graph in self.graphs:
            found = sorted(t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef))
            if found:
                return found
        return []

    def fact_title(self, node: Node) -> str:
        """Name a fact node by its class and the named resources it relates."""
        kinds = [self._value(t, (RDFS.label,)) or self.curie(t) for t in self.types(node)]
        graph = next((g for g in self.graphs if (node, None, None) in g), self.graphs[0])
        parts = []
        for p, o in sorted(graph.predicate_objects(node)):
            concept = any((o, RDF.type, SKOS.Concept) in g for g in self.graphs + self.entailed)
            if p != RDF.type and isinstance(o, URIRef) and not concept:
                name = self._value(o, (SKOS.prefLabel, RDFS.label))
                if name:
                    parts.append(name)
        kind = kinds[0][:1].upper() + kinds[0][1:] if kinds else "Fact"
        return f"{kind}: {' — '.join(parts)}" if parts else kind


class Style:
    """Plain text."""

    def code(self, text: str) -> str:
        return text

    def escape(self, text: str) -> str:
        return text


class MarkdownStyle(Style):
    """GitHub-flavoured Markdown: names in code spans, labels escaped."""

    SPECIAL = "\\`*_[]<>|~#"

    def code(self, text: str) -> str:
        return f"`{text.replace('`', '')}`"

    def escape(self, text: str) -> str:
        text = text.replace("&", "&amp;")
        return "".join("\\" + c if c in self.SPECIAL else c for c in text)


class Renderer:
    """Shared wording of the text and Markdown forms."""

    def __init__(self, diff: Diff, style: Style):
        self.diff, self.names, self.style = diff, Names(diff), style

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            label = self.names.label(node)
            curie = self.style.code(self.names.curie(node))
            return f"{self.style.escape(label)} ({curie})" if label else curie
        return self.style.escape(node.n3())

    def value(self, value) -> str:
        if isinstance(value, Nested):
            return self.nested(value)
        if isinstance(value, Literal):
            text = f"“{self.style.escape(str(value))}”"
            if value.language and value.language != "en":
                text += f"@{value.language}"
            if value.datatype not in PLAIN_DATATYPES:
                text = f"{self.style.escape(str(value))} ({self.names.curie(value.datatype)})"
            return text
        return self.term(value)

    def nested(self, node: Nested, short: bool = False) -> str:
        quote = node.get(NZSA.quote) or node.get(PROV.value)
        if quote is not None:
            text = str(quote)
            if short and len(text) > QUOTE_PREVIEW:
                text = text[: QUOTE_PREVIEW - 1] + "…"
            source = node.get(PROV.wasQuotedFrom)
            shown = f"“{self.style.escape(text)}”"
            return shown if short or source is None else f"{shown} — {self.value(source)}"
        if node.get(RDF.first) is not None:
            return "( " + ", ".join(self.value(v) for v in _list_items(node)) + " )"
        pairs = [f"{self.names.predicate(p)}: {self.value(v)}" for p, v in node.statements]
        return "[ " + "; ".join(pairs) + " ]"

    def path(self, via) -> str:
        return "".join(f"{self.names.predicate(p)} {self.nested(n, short=True)} › " for p, n in via)

    def statement(self, sign: str, s: Statement) -> str:
        return (
            f"{sign} {self.path(s.via)}{self.names.predicate(s.predicate)}: {self.value(s.value)}"
        )

    def change(self, c: Change) -> str:
        what = f"{self.path(c.via)}{self.names.predicate(c.predicate)}"
        return f"~ {what}: {self.value(c.old)} → {self.value(c.new)}"

    def heading(self, group: Group) -> str:
        kind = "fact" if group.is_fact else ""
        if not kind:
            types = self.names.types(group.subject)
            kind = ", ".join(self._type(t) for t in types)
        return f"{SIGNS[group.status]} {self.term(group.subject)}: {group.status}" + (
            f" {self.style.escape(kind)}" if kind else ""
        )

    def _type(self, node: URIRef) -> str:
        return self.names.label(node) or self.names.curie(node)

    def lines(self, group: Group) -> list[str]:
        return [
            *self.statements("+", group.added),
            *self.statements("-", group.removed),
            *(self.change(c) for c in group.changed),
        ]

    def statements(self, sign: str, statements: list[Statement]) -> list[str]:
        """One line a statement; those about one nested node (evidence) share a line."""
        lines, nested = [], {}
        for s in statements:
            if not s.via:
                lines.append(self.statement(sign, s))
            elif s.via in nested:
                said = f"{self.names.predicate(s.predicate)}: {self.value(s.value)}"
                lines[nested[s.via]] += f"; {said}"
            else:
                nested[s.via] = len(lines)
                lines.append(self.statement(sign, s))
        return lines

    def finding(self, sign: str, finding: Finding) -> str:
        about = f"{self.finding_subject(finding)}: " if finding.subject is not None else ""
        said = self.style.escape(finding.message)
        return f"{sign} {finding.severity} [{finding.stage}] {about}{said}"

    def finding_subject(self, finding: Finding) -> str:
        subject = finding.subject
        if is_nested(subject):
            side = self.diff.new if finding in self.diff.new.findings else self.diff.old
            owner, via = Contents(side.asserted).anchor(subject)
            return f"{self.term(owner)} › {self.path(via).removesuffix(' › ')}"
        return self.term(subject)


def _list_items(node: Nested) -> list:
    items = []
    while isinstance(node, Nested) and node.get(RDF.first) is not None:
        items.append(node.get(RDF.first))
        node = node.get(RDF.rest)
    return items


def _counts(groups: list[Group]) -> dict[str, int]:
    return {status: sum(g.status == status for g in groups) for status in SIGNS}


def _said(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no change"


def _title(old: Revision, new: Revision) -> str:
    def name(r: Revision) -> str:
        return r.name if r.commit is None else f"{r.name} ({r.short})"

    return f"{name(old)} → {name(new)}"


def _unreadable_note(diff: Diff, old: Revision, new: Revision) -> list[str]:
    which = {"old": old, "new": new}
    return [
        f"{which[side].name} could not be read (see its findings): its graphs are not compared"
        for side in diff.unreadable
    ]


def format_text(diff: Diff, old: Revision, new: Revision) -> str:
    r = Renderer(diff, Style())
    out = [f"nzsa diff: {_title(old, new)}", *_unreadable_note(diff, old, new)]
    if diff.empty:
        out.append("no change to the published graph, its entailments or its findings")
        return "\n".join(out) + "\n"
    for title, groups in (("Asserted", diff.asserted), ("Entailed", diff.entailed)):
        if groups:
            out += ["", f"{title}: {_said(_counts(groups))}"]
            for group in _sorted(groups, r.names):
                out.append("  " + r.heading(group))
                out += ["      " + line for line in r.lines(group)]
    if diff.appeared or diff.disappeared:
        out += ["", f"Validation: {len(diff.appeared)} appeared, {len(diff.disappeared)} gone"]
        out += ["  " + r.finding("+", f) for f in diff.appeared]
        out += ["  " + r.finding("-", f) for f in diff.disappeared]
    return "\n".join(out) + "\n"


def format_markdown(
    diff: Diff, old: Revision, new: Revision, limit: int | None = COMMENT_LIMIT
) -> str:
    """Write a pull-request comment: at most `limit` characters (None: no limit)."""
    r = Renderer(diff, MarkdownStyle())
    out = [f"## nzsa diff: {r.style.escape(_title(old, new))}", ""]
    out += [f"> {line}" for line in _unreadable_note(diff, old, new)]
    if diff.empty:
        out.append("No change to the published graph, its entailments or its findings.")
        return "\n".join(out) + "\n"
    rows = [
        ("asserted", _said(_counts(diff.asserted))),
        ("entailed", _said(_counts(diff.entailed))),
        ("findings", f"{len(diff.appeared)} appeared, {len(diff.disappeared)} gone"),
    ]
    out += ["| | |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows), ""]

    def items(groups: list[Group]) -> list[str]:
        return [
            "\n".join(
                [f"- **{r.heading(g)}**", *(f"  - {_bold_sign(line)}" for line in r.lines(g))]
            )
            for g in _sorted(groups, r.names)
        ]

    asserted, entailed = items(diff.asserted), items(diff.entailed)
    findings = [f"- {_bold_sign(r.finding('+', f))}" for f in diff.appeared]
    findings += [f"- {_bold_sign(r.finding('-', f))}" for f in diff.disappeared]

    def compose(shown: tuple[int, int, int]) -> str:
        a, e, f = shown
        text = list(out)
        if asserted:
            title = f"### Asserted: {_said(_counts(diff.asserted))}"
            text += [title, "", *asserted[:a], *_left_out(len(asserted) - a), ""]
        if entailed:
            # Entailments follow from the asserted changes: folded, so the review reads those first.
            summary = f"Entailed: {_said(_counts(diff.entailed))}"
            text += ["<details>", f"<summary>{summary}</summary>", "", *entailed[:e]]
            text += [*_left_out(len(entailed) - e), "", "</details>", ""]
        if findings:
            text += [f"### Validation: {len(diff.appeared)} appeared, {len(diff.disappeared)} gone"]
            text += ["", *findings[:f], *_left_out(len(findings) - f), ""]
        return "\n".join(text).rstrip("\n") + "\n"

    return _fitted(compose, [len(asserted), len(entailed), len(findings)], limit)


def _left_out(count: int) -> list[str]:
    if not count:
        return []
    return [
        f"- … and {count} more not shown here (a comment holds {COMMENT_LIMIT:,} characters): "
        "`nzsa diff --format json` lists them all."
    ]


def _fitted(compose, counts: list[int], limit: int | None) -> str:
    """Compose with as many whole items as fit in `limit` characters.

    The folded entailments give way first, then the asserted changes, then the findings;
    each count is the largest that fits, found by bisection.
    """
    for which in (1, 0, 2):
        if limit is None or len(compose(tuple(counts))) <= limit:
            break
        low, high = 0, counts[which]
        while low < high:
            middle = (low + high + 1) // 2
            counts[which] = middle
            if len(compose(tuple(counts))) <= limit:
                low = middle
            else:
                high = middle - 1
        counts[which] = low
    return compose(tuple(counts))


def _bold_sign(line: str) -> str:
    """`+ x` → `**+** x`: a bare sign would start a nested Markdown list."""
    sign, rest = line.split(" ", 1)
    return f"**{sign}** {rest}"


def _sorted(groups: list[Group], names: Names) -> list[Group]:
    return sorted(groups, key=lambda g: ((names.label(g.subject) or "").casefold(), str(g.subject)))


class JsonWriter:
    def __init__(self, diff: Diff):
        self.diff, self.names = diff, Names(diff)

    def term(self, node: URIRef) -> dict:
        return {"iri": str(node), "curie": self.names.curie(node), "label": self.names.label(node)}

    def value(self, value) -> dict:
        if isinstance(value, Nested):
            quote = value.get(NZSA.quote)
            if quote is not None:
                source = value.get(PROV.wasQuotedFrom)
                return {"evidence": {"quote": str(quote), "source": source and self.value(source)}}
            if value.get(RDF.first) is not None:
                return {"list": [self.value(v) for v in _list_items(value)]}
            return {
                "node": [
                    {"predicate": self.term(p), "value": self.value(v)} for p, v in value.statements
                ]
            }
        if isinstance(value, Literal):
            return {
                "literal": str(value),
                "datatype": str(value.datatype) if value.datatype else None,
                "language": value.language,
            }
        if isinstance(value, URIRef):
            return self.term(value)
        return {"node": []}

    def via(self, via) -> list[dict]:
        return [{"predicate": self.term(p), "node": self.value(n)} for p, n in via]

    def statement(self, s: Statement) -> dict:
        return {
            "predicate": self.term(s.predicate),
            "via": self.via(s.via),
            "value": self.value(s.value),
        }

    def group(self, group: Group) -> dict:
        return {
            **self.term(group.subject),
            "kind": "fact" if group.is_fact else "resource",
            "types": [self.term(t) for t in self.names.types(group.subject)],
            "status": group.status,
            "added": [self.statement(s) for s in group.added],
            "removed": [self.statement(s) for s in group.removed],
            "changed": [
                {
                    "predicate": self.term(c.predicate),
                    "via": self.via(c.via),
                    "old": self.value(c.old),
                    "new": self.value(c.new),
                }
                for c in group.changed
            ],
        }

    def about(self, finding: Finding) -> dict:
        """The finding's subject as a value, and the named resource it belongs to."""
        subject = finding.subject
        if subject is None:
            return {"subject": None, "resource": None}
        if not is_nested(subject):
            return {"subject": self.value(subject), "resource": self.value(subject)}
        side = self.diff.new if finding in self.diff.new.findings else self.diff.old
        contents = Contents(side.asserted)
        owner, _ = contents.anchor(subject)
        return {"subject": self.value(contents.value(subject)), "resource": self.value(owner)}

    def finding(self, finding: Finding) -> dict:
        return {
            "severity": finding.severity,
            "stage": finding.stage,
            "message": finding.message,
            **self.about(finding),
            "file": str(finding.file) if isinstance(finding.file, Path) else finding.file,
            "line": finding.line,
        }


def format_json(diff: Diff, old: Revision, new: Revision) -> str:
    w = JsonWriter(diff)
    document = {
        "old": {"name": old.name, "commit": old.commit},
        "new": {"name": new.name, "commit": new.commit},
        "summary": {
            "asserted": _counts(diff.asserted),
            "entailed": _counts(diff.entailed),
            "findings": {"appeared": len(diff.appeared), "disappeared": len(diff.disappeared)},
        },
        "asserted": [w.group(g) for g in _sorted(diff.asserted, w.names)],
        "entailed": [w.group(g) for g in _sorted(diff.entailed, w.names)],
        "validation": {
            "appeared": [w.finding(f) for f in diff.appeared],
            "disappeared": [w.finding(f) for f in diff.disappeared],
        },
        "unreadable": diff.unreadable,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


FORMATS = {"text": format_text, "markdown": format_markdown, "json": format_json}
