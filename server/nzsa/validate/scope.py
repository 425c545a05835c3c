"""What a change since a git revision can affect, and the part of the graph that decides it.

A node's findings depend on its own statements (blank nodes inside them included), on
the statements that point at it (an inverse path in a shape, what the reasoner derives
from their predicates' ranges and inverses) and on what the nodes it points at say of
themselves (their classes for sh:class, owl:deprecated, that they are described at all,
a source's text copy). So a change can only alter the findings of:

- the subjects whose statements changed (owners of changed blank nodes included),
- what points at those subjects,
- the objects of changed triples (they gained or lost a link).

Each of those nodes is checked with everything it depends on: its statements, every
statement that points at it, and the statements of every node it names. For a node that
is only the object of a changed triple, links to it that can only give it classes (through
a range or an inverse) are kept one per predicate: more of them derive the same classes.
A change to the ontology, the shapes, or anything but data files is checked in full.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SH, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .blocks import TurtleText

Span = tuple[int, int]


class NotScoped(Exception):
    """The change cannot be scoped (not a git work tree, ontology or shapes changed…)."""


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=True, text=True
        )
    except (OSError, subprocess.CalledProcessError) as error:
        message = getattr(error, "stderr", "") or str(error)
        raise NotScoped(f"git {' '.join(args)}: {message.strip()}") from error
    return done.stdout


def _old_text(top: Path, rev: str, path: Path) -> str:
    relative = path.resolve().relative_to(top).as_posix()
    try:
        done = subprocess.run(
            ["git", "-C", str(top), "show", f"{rev}:{relative}"],
            capture_output=True,
            check=True,
        )
    except subprocess.CalledProcessError:
        return ""  # a file new since rev
    return done.stdout.decode("utf-8")


def _hunks(diff: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return the changed line ranges (first, last) of the old and new file in a -U0 diff."""
    old, new = [], []
    for line in diff.splitlines():
        if line.startswith("@@"):
            minus, plus = line.split()[1:3]
            for spec, into in ((minus[1:], old), (plus[1:], new)):
                first, _, count = spec.partition(",")
                count = int(count) if count else 1
                if count:
                    into.append((int(first), int(first) + count - 1))
    return old, new


def _erase(graph: Graph) -> Counter:
    """Count the triples with blank nodes made anonymous, to compare two parses."""
    return Counter(tuple(None if isinstance(t, BNode) else t for t in triple) for triple in graph)


@dataclass
class Change:
    """The IRIs a change touched: subjects whose statements changed, objects of changed triples."""

    subjects: set[URIRef] = field(default_factory=set)
    objects: set[URIRef] = field(default_factory=set)


def _owners(text: TurtleText, statements: set[Span]) -> set[URIRef]:
    """Return the IRI subjects of the statements, through labelled blank nodes if need be."""
    owners: set[URIRef] = set()
    seen: set[str] = set()
    statements = set(statements)
    todo = set(statements)
    while todo:
        graph = text.parse(todo)
        owners |= {s for s in graph.subjects(unique=True) if isinstance(s, URIRef)}
        labels = {
            label
            for span in todo
            if text.text[span[0] : span[0] + 2] == "_:"
            for label in text.labels([span])
            if text.text.startswith(label, span[0])
        } - seen
        seen |= labels
        todo = {span for label in labels for span in text.mentioning([label])} - statements
        statements |= todo
    return owners


def changes_since(rev: str, data: tuple[Path, ...], others: tuple[Path, ...]) -> Change:
    """Find what changed in the data files since `rev`; raise NotScoped if it cannot say."""
    if not data:
        raise NotScoped("no data files")
    top = Path(_git(data[0].parent, "rev-parse", "--show-toplevel").strip())
    _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    changed = {
        (top / name).resolve()
        for name in _git(top, "diff", "--name-only", rev, "--").splitlines()
        + _git(top, "ls-files", "--others", "--exclude-standard").splitlines()
    }
    watched = {p.resolve() for p in others}
    folders = {p.resolve().parent for p in data}
    for path in changed:
        if path.suffix == ".ttl" and path.parent in folders and not path.exists():
            raise NotScoped(f"{path.relative_to(top)} was removed")
        if path in watched or (path.parent in folders and path.suffix != ".ttl"):
            raise NotScoped(f"{path.relative_to(top)} changed")
    change = Change()
    for path in data:
        if path.resolve() not in changed:
            continue
        old = TurtleText(_old_text(top, rev, path))
        new = TurtleText(path.read_text(encoding="utf-8"))
        diff = _git(top, "diff", "-U0", rev, "--", str(path.resolve()))
        old_lines, new_lines = _hunks(diff)
        if new.header != old.header:
            # New or renamed prefixes change what every statement says: compare them all.
            old_lines = [(1, len(old.text.splitlines()))] if old.text else []
            new_lines = [(1, len(new.text.splitlines()))]
        before = set().union(*(old.statements_in_lines(a, b) for a, b in old_lines))
        after = set().union(*(new.statements_in_lines(a, b) for a, b in new_lines))
        try:
            removed, added = _erase(old.parse(before)), _erase(new.parse(after))
        except Exception as error:  # noqa: BLE001 - any parse failure: the full run reports it
            raise NotScoped(f"{path.name} does not parse in parts: {error}") from error
        change.subjects |= _owners(old, before) | _owners(new, after)
        for s, _p, o in (removed - added) + (added - removed):
            for term in (s, o):
                if isinstance(term, URIRef):
                    change.objects.add(term)
    change.objects -= change.subjects
    return change


def _terms(ontology: Graph) -> set[Node]:
    """The ontology's own terms: classes and properties, not things the data describes."""
    return set(ontology.subjects(unique=True))


def _property_closure(ontology: Graph, seeds: set[Node]) -> set[Node]:
    """Return the seeds and every property tied to them by inverse, sub- or equivalence."""
    found, todo = set(seeds), list(seeds)
    while todo:
        p = todo.pop()
        related = set()
        for link in (OWL.inverseOf, OWL.equivalentProperty):
            related |= set(ontology.objects(p, link)) | set(ontology.subjects(link, p))
        related |= set(ontology.subjects(RDFS.subPropertyOf, p))
        related |= set(ontology.objects(p, RDFS.subPropertyOf))
        for q in related - found:
            found.add(q)
            todo.append(q)
    return found


def pair_predicates(ontology: Graph, shapes: Graph) -> set[Node]:
    """Predicates whose every link matters to the node linked to (not only its classes).

    Inverse paths in shapes count the links; asymmetric, irreflexive and disjoint properties
    compare them two by two (OWL 2 RL prp-asyp, prp-irp, prp-pdw), as do chains and
    transitive properties.
    """
    seeds: set[Node] = set(shapes.objects(None, SH.inversePath))
    for kind in (OWL.AsymmetricProperty, OWL.IrreflexiveProperty, OWL.TransitiveProperty):
        seeds |= set(ontology.subjects(RDF.type, kind))
    for a, b in ontology.subject_objects(OWL.propertyDisjointWith):
        seeds |= {a, b}
    for p, chain in ontology.subject_objects(OWL.propertyChainAxiom):
        seeds.add(p)
        seeds |= set(Collection(ontology, chain))
    return _property_closure(ontology, seeds)


@dataclass
class Scope:
    """The nodes whose findings a change can alter, and the statements that decide them."""

    nodes: set[Node]
    graphs: dict[Path, Graph]


def scope_of(change: Change, data: tuple[Path, ...], ontology: Graph, shapes: Graph) -> Scope:
    """Read, from each data file, the statements that decide the findings of changed nodes."""
    terms = _terms(ontology)
    change = Change(change.subjects - terms, change.objects - terms)
    texts = {path: TurtleText(path.read_text(encoding="utf-8")) for path in data}
    every = {path: set() for path in data}  # statements to parse, by file
    whole = {path: set() for path in data}  # statements whose named nodes are read too
    pointers: set[URIRef] = set()
    for path, text in texts.items():
        for node in change.subjects:
            found = text.mentioning(text.spellings(node))
            whole[path] |= found
            pointers |= _owners(text, set(found))
    nodes: set[Node] = set(change.subjects) | pointers | change.objects
    pairs = {str(p) for p in pair_predicates(ontology, shapes)}
    for path, text in texts.items():
        for node in pointers - change.subjects:
            whole[path] |= text.mentioning(text.spellings(node))
        for node in change.objects - change.subjects - pointers:
            whole[path] |= text.describing(text.spellings(node))
            every[path] |= _one_per_predicate(text, node, pairs)
    for path, text in texts.items():
        whole[path] = _with_labels(text, whole[path])
        named = _named(text, whole[path] | every[path]) - terms
        every[path] |= whole[path]
        for other, other_text in texts.items():
            for iri in named:
                every[other] |= other_text.describing(other_text.spellings(iri))
    graphs = {path: text.parse(_with_labels(text, every[path])) for path, text in texts.items()}
    return Scope(_with_blank_nodes(nodes, graphs), graphs)


def _with_labels(text: TurtleText, statements: set[Span]) -> set[Span]:
    """Add every statement about the labelled blank nodes (_:x) the statements name."""
    statements = set(statements)
    labels = text.labels(statements)
    seen: set[str] = set()
    while labels - seen:
        seen |= labels
        more = {span for label in labels for span in text.mentioning([label])} - statements
        statements |= more
        labels = text.labels(more)
    return statements


def _named(text: TurtleText, statements: set[Span]) -> set[URIRef]:
    graph = text.parse(statements)
    return {t for triple in graph for t in triple if isinstance(t, URIRef)}


def _one_per_predicate(text: TurtleText, node: URIRef, pairs: set[str]) -> set[Span]:
    """Return the statements that point at `node`: all for `pairs`, else one per predicate."""
    kept: set[Span] = set()
    seen: set[Node] = set()
    for span in sorted(text.mentioning(text.spellings(node))):
        predicates = _predicates_to(text, span, node)
        if not predicates:
            continue
        if any(str(p) in pairs for p in predicates) or not predicates <= seen:
            kept.add(span)
            seen |= predicates
    return kept


def _predicates_to(text: TurtleText, span: Span, node: URIRef) -> set[Node]:
    """Return the predicates linking to `node` in one statement (an N-Triples line, read fast)."""
    line = text.text[span[0] : span[1]]
    if line.count("\n") == 1 and line.startswith(("<", "_:")):
        words = line.split(None, 2)
        if len(words) == 3 and words[1].startswith("<") and words[2].startswith(f"<{node}>"):
            return {URIRef(words[1][1:-1])}
    return set(text.parse([span]).predicates(None, node))


def _with_blank_nodes(nodes: set[Node], graphs: dict[Path, Graph]) -> set[Node]:
    """Add the blank nodes the nodes' statements hold (evidence), as their findings count too."""
    found = set(nodes)
    todo = list(nodes)
    while todo:
        node = todo.pop()
        for graph in graphs.values():
            for o in graph.objects(node):
                if isinstance(o, BNode) and o not in found:
                    found.add(o)
                    todo.append(o)
    return found


def described_in(data: tuple[Path, ...], ontology: Graph) -> set[Node]:
    """Return every IRI that the data files or the ontology describe, read from the text."""
    described: set[Node] = set(ontology.subjects(unique=True))
    for path in data:
        described |= TurtleText(path.read_text(encoding="utf-8")).subjects()
    return described
