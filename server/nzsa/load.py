"""Files to graphs: the one place that knows file formats and reports parse errors by line."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from .formats import format_for_suffix
from .vocab import GENID

# The repository root when running from a checkout (server/nzsa/load.py → root).
_CHECKOUT_ROOT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    """Return the project root: $NZSA_ROOT, else the checkout this package lives in."""
    configured = os.environ.get("NZSA_ROOT")
    return Path(configured).resolve() if configured else _CHECKOUT_ROOT


@dataclass(frozen=True)
class Sources:
    """The RDF files that make up the project, by role."""

    ontology: tuple[Path, ...]
    data: tuple[Path, ...]
    shapes: tuple[Path, ...]

    @property
    def all(self) -> tuple[Path, ...]:
        return self.ontology + self.data + self.shapes


def _rdf_files(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in folder.glob("*.ttl") if p.is_file()))


def default_sources(root: Path | None = None) -> Sources:
    """List the project's own ontology, data and shapes files."""
    root = root or project_root()
    return Sources(
        ontology=_rdf_files(root / "ontology"),
        data=_rdf_files(root / "data"),
        shapes=_rdf_files(root / "shapes"),
    )


class ParseError(Exception):
    """A file that could not be parsed, with the line the parser stopped at."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file (format chosen by suffix) into `graph`, or a new graph."""
    graph = graph if graph is not None else Graph()
    fmt = format_for_suffix(path.suffix)
    if fmt is None:
        raise ParseError(path, None, f"unknown RDF file suffix {path.suffix!r}")
    try:
        graph.parse(path, format=fmt.rdflib_format)
    except BadSyntax as error:
        # BadSyntax counts lines from zero and buries the reason in a private field.
        raise ParseError(path, error.lines + 1, error._why) from error
    except (SyntaxError, ValueError) as error:
        raise ParseError(path, getattr(error, "lineno", None), str(error)) from error
    except OSError as error:
        raise ParseError(path, None, error.strerror or str(error)) from error
    return graph


def parse_files(paths: Iterable[Path]) -> dict[Path, Graph]:
    """Parse each file into its own graph; the first parse error is raised."""
    return {path: parse_file(path) for path in paths}


def merge(graphs: Iterable[Graph]) -> Graph:
    """Union graphs into one new graph, keeping the prefixes they declare."""
    merged = Graph()
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            merged.bind(prefix, namespace, override=False)
        merged += graph
    return merged


def skolemise(graph: Graph) -> Graph:
    """Replace blank nodes by IRIs derived from their content, so output is deterministic.

    A blank node's name is a hash of the triple pointing at it and of its own
    (recursively named) description, so the same Turtle always gives the same IRIs.
    """
    names: dict[BNode, URIRef] = {}

    def describe(node: BNode, seen: frozenset) -> str:
        parts = []
        for p, o in graph.predicate_objects(node):
            if isinstance(o, BNode):
                o_text = "[]" if o in seen else describe(o, seen | {o})
            else:
                o_text = o.n3()
            parts.append(f"{p.n3()} {o_text}")
        return "[" + ";".join(sorted(parts)) + "]"

    def name(node: BNode) -> URIRef:
        if node not in names:
            referrers = sorted(
                f"{s.n3() if not isinstance(s, BNode) else '[]'} {p.n3()}"
                for s, p in graph.subject_predicates(node)
            )
            text = "|".join(referrers) + describe(node, frozenset({node}))
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
            names[node] = GENID[digest]
        return names[node]

    result = Graph()
    for prefix, namespace in graph.namespaces():
        result.bind(prefix, namespace)
    for s, p, o in graph:
        result.add(
            (
                name(s) if isinstance(s, BNode) else s,
                p,
                name(o) if isinstance(o, BNode) else o,
            )
        )
    return result
