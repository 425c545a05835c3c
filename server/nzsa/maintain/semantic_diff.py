"""The semantic difference of the published graph between two revisions.

Triples are grouped by the resource they describe: an entity, a term, a shape, or a
fact node (a membership, a partnership ...). Blank nodes (skolemised in the published
graph) are never groups of their own: a node such as a piece of evidence is a value of
the statement that points at it, compared by its content, so re-serialising a file (new
blank-node ids, another order) changes nothing, and a fact is shown as one fact with its
evidence. The entailed (inferred) graph is compared the same way, and the validation
findings of the two revisions by what they say about what.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from ..validate.findings import Finding
from ..vocab import GENID, NZSA
from .published import Published


@dataclass(frozen=True, order=True)
class Nested:
    """A skolemised (blank) node, by its content: (predicate, value) pairs, sorted."""

    statements: tuple[tuple[URIRef, Node | Nested], ...]

    def get(self, predicate: URIRef):
        return next((value for p, value in self.statements if p == predicate), None)


def _sort_key(item) -> str:
    return repr(item)


def _statement_order(item) -> tuple:
    """Statements of a node first, those of its nested nodes after; `a` first, then by IRI."""
    value = getattr(item, "value", getattr(item, "old", None))
    return (
        bool(item.via),
        repr(item.via),
        item.predicate != RDF.type,
        str(item.predicate),
        repr(value),
    )


def is_nested(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(GENID))


class Contents:
    """Read one graph's nodes as values: skolem IRIs become their nested content."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._values: dict[URIRef, Nested] = {}

    def value(self, node: Node, seen: frozenset = frozenset()) -> Node | Nested:
        if not is_nested(node) or node in seen:
            return node
        if node not in self._values:
            pairs = {
                (p, self.value(o, seen | {node})) for p, o in self.graph.predicate_objects(node)
            }
            self._values[node] = Nested(tuple(sorted(pairs, key=_sort_key)))
        return self._values[node]

    def anchor(self, node: URIRef) -> tuple[Node, tuple[tuple[URIRef, Nested], ...]]:
        """The named resource a skolem node hangs from, and the path of nodes down to it."""
        path: list[tuple[URIRef, Nested]] = []
        current, seen = node, set()
        while is_nested(current) and current not in seen:
            seen.add(current)
            referrer = next(iter(self.graph.subject_predicates(current)), None)
            if referrer is None:
                break
            path.insert(0, (referrer[1], self.value(current)))
            current = referrer[0]
        return current, tuple(path)


@dataclass(frozen=True, order=True)
class Statement:
    """One statement about a group's resource; `via` is the path into a nested node."""

    predicate: URIRef
    value: Node | Nested
    via: tuple[tuple[URIRef, Nested], ...] = ()


def statements(graph: Graph, contents: Contents) -> dict[Node, set[Statement]]:
    """Every statement of `graph`, by the named resource it is about."""
    about: dict[Node, set[Statement]] = defaultdict(set)
    for s, p, o in graph:
        owner, via = contents.anchor(s) if is_nested(s) else (s, ())
        if not via:  # a named resource, or a nested node nothing points at
            about[s].add(Statement(p, contents.value(o)))
        elif graph is not contents.graph:
            # An entailed statement about a nested node (evidence is a prov:Entity).
            about[owner].add(Statement(p, contents.value(o), via))
        # Otherwise it is already inside the value its owner's statement holds.
    return about


@dataclass
class Change:
    """A statement whose one value was replaced by another."""

    predicate: URIRef
    old: Node | Nested
    new: Node | Nested
    via: tuple = ()


@dataclass
class Group:
    """What changed about one resource."""

    subject: Node
    status: str  # "added", "removed" or "changed"
    is_fact: bool
    added: list[Statement] = field(default_factory=list)
    removed: list[Statement] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)


def _pair_changes(
    removed: set[Statement], added: set[Statement], kept: set[tuple] = frozenset()
) -> tuple[list[Statement], list[Statement], list[Change]]:
    """One value of a predicate replaced by one other is a change, not a removal and an add.

    `kept` names the (predicate, via) keys that also have values in both revisions.
    """
    by_key_r: dict[tuple, list[Statement]] = defaultdict(list)
    by_key_a: dict[tuple, list[Statement]] = defaultdict(list)
    for s in removed:
        by_key_r[(s.predicate, s.via)].append(s)
    for s in added:
        by_key_a[(s.predicate, s.via)].append(s)
    changes = []
    for key in set(by_key_r) & set(by_key_a):
        # Only a predicate that had one value and has one: `before` and `after` minus the
        # statements they share would hide a third value kept by both.
        if len(by_key_r[key]) == 1 and len(by_key_a[key]) == 1 and key not in kept:
            old, new = by_key_r[key][0], by_key_a[key][0]
            changes.append(Change(key[0], old.value, new.value, key[1]))
            removed.discard(old)
            added.discard(new)
    return (
        sorted(removed, key=_statement_order),
        sorted(added, key=_statement_order),
        sorted(changes, key=_statement_order),
    )


def compare(
    old: dict[Node, set[Statement]],
    new: dict[Node, set[Statement]],
    facts: set[Node],
    pair: bool = True,
) -> list[Group]:
    """Compare statements by resource; return the groups that changed.

    With `pair`, a predicate whose one value was replaced by one other is a change;
    entailments are not paired (a new member is not a changed one).
    """
    groups = []
    for subject in set(old) | set(new):
        before, after = old.get(subject, set()), new.get(subject, set())
        if before == after:
            continue
        status = "added" if not before else "removed" if not after else "changed"
        if pair:
            kept = {(s.predicate, s.via) for s in before & after}
            removed, added, changes = _pair_changes(before - after, after - before, kept)
        else:
            removed = sorted(before - after, key=_statement_order)
            added, changes = sorted(after - before, key=_statement_order), []
        groups.append(Group(subject, status, subject in facts, added, removed, changes))
    return groups


def finding_key(finding: Finding, contents: Contents) -> tuple:
    """What a finding says about what, without where (lines move between revisions)."""
    about = tuple(contents.value(n) for n in (finding.subject, finding.path, finding.value))
    return (finding.severity, finding.stage, finding.message, about)


@dataclass
class Diff:
    """The semantic difference between two revisions."""

    asserted: list[Group]
    entailed: list[Group]
    appeared: list[Finding]
    disappeared: list[Finding]
    unreadable: list[str]  # "old" / "new": revisions whose graphs could not be read
    old: Published
    new: Published

    @property
    def empty(self) -> bool:
        return not (self.asserted or self.entailed or self.appeared or self.disappeared)


def fact_nodes(*graphs: Graph) -> set[Node]:
    """Resources typed nzsa:Fact (the inferred graph types every fact node so)."""
    return {s for g in graphs for s in g.subjects(RDF.type, NZSA.Fact)}


def semantic_diff(old: Published, new: Published) -> Diff:
    """Compare what two revisions publish."""
    old_contents, new_contents = Contents(old.asserted), Contents(new.asserted)
    facts = fact_nodes(old.entailed, new.entailed, old.asserted, new.asserted)
    asserted = compare(
        statements(old.asserted, old_contents), statements(new.asserted, new_contents), facts
    )
    entailed = compare(
        statements(old.entailed, old_contents),
        statements(new.entailed, new_contents),
        facts,
        pair=False,
    )
    old_keys = {finding_key(f, old_contents) for f in old.findings}
    new_keys = {finding_key(f, new_contents) for f in new.findings}
    appeared = [f for f in new.findings if finding_key(f, new_contents) not in old_keys]
    disappeared = [f for f in old.findings if finding_key(f, old_contents) not in new_keys]
    unreadable = [name for name, p in (("old", old), ("new", new)) if not p.readable]
    if unreadable:
        # An unreadable revision has no graphs: comparing would list everything as gone.
        asserted, entailed = [], []
    return Diff(asserted, entailed, appeared, disappeared, unreadable, old, new)
