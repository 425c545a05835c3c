"""Files to graphs: the one place that knows file formats and reports parse errors by line."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from .formats import format_for_suffix
from .project import ROLES, find_root, layout_of
from .vocab import GENID


class _IllTypedLiterals(logging.Filter):
    """Drop rdflib's traceback for a literal whose text is not of its datatype.

    rdflib logs one, with a Python traceback, each time it reads such a literal (a date
    that does not exist); `nzsa validate` reports each with its file and line instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiterals())


def project_root() -> Path:
    """Return the project root: --project, $NZSA_ROOT, else found above the working directory.

    Raises project.NoProject when there is none.
    """
    return find_root()


@dataclass(frozen=True)
class Sources:
    """The RDF files that make up the project, by role."""

    ontology: tuple[Path, ...]
    data: tuple[Path, ...]
    shapes: tuple[Path, ...]
    # The folders the files were looked for in, when they are the project's own.
    searched: tuple[Path, ...] = ()

    @property
    def all(self) -> tuple[Path, ...]:
        return self.ontology + self.data + self.shapes


def _rdf_files(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in folder.glob("*.ttl") if p.is_file()))


# Folder names that give a file its role; any other folder holds data.
ROLE_FOLDERS = ROLES


def role_of(path: Path) -> str:
    """Return the role of a file: the name of its folder if that names a role, else "data"."""
    folder = path.parent.name
    return folder if folder in ROLE_FOLDERS else "data"


def root_of(path: Path) -> Path | None:
    """Return the project root a file belongs to (the parent of its role folder), if any."""
    return path.parent.parent if path.parent.name in ROLE_FOLDERS else None


def _expand(path: Path) -> tuple[Path, ...]:
    if path.is_dir() and any((path / role).is_dir() for role in ROLE_FOLDERS):
        # A project root: its role folders.
        return tuple(
            f for role in ROLE_FOLDERS if (path / role).is_dir() for f in _expand(path / role)
        )
    if path.is_dir():
        # Only files directly inside, as for the project folders (data/sources/ is text).
        return tuple(
            sorted(p for p in path.iterdir() if p.is_file() and format_for_suffix(p.suffix))
        )
    if not path.exists():
        raise FileNotFoundError(f"no such file or directory: {path}")
    return (path,)


def sources_from_paths(
    paths: Iterable[Path], ontology: Iterable[Path] = (), shapes: Iterable[Path] = ()
) -> Sources:
    """Sort files, folders and project roots into roles: by folder name, or as named."""
    roles: dict[str, list[Path]] = {role: [] for role in ROLE_FOLDERS}
    for path in paths:
        for file in _expand(path):
            roles[role_of(file)].append(file)
    for role, given in (("ontology", ontology), ("shapes", shapes)):
        for path in given:
            roles[role].extend(_expand(path))
    return Sources(*(tuple(dict.fromkeys(roles[role])) for role in ROLE_FOLDERS))


def default_sources(root: Path | None = None) -> Sources:
    """List the project's own ontology, data and shapes files (default: the project found)."""
    layout = layout_of(root or project_root())
    folders = tuple(layout.folder(role) for role in ROLE_FOLDERS)
    return Sources(*(_rdf_files(folder) for folder in folders), searched=folders)


class ParseError(Exception):
    """A file that could not be parsed, with the line the parser stopped at."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


def _bad_syntax_line(error: BadSyntax) -> int:
    text, at = getattr(error, "_str", None), getattr(error, "_i", None)
    if isinstance(text, bytes | str) and isinstance(at, int):
        newline = b"\n" if isinstance(text, bytes) else "\n"
        return text[:at].count(newline) + 1
    return error.lines + 1


# What cannot occur inside <…> (https://www.w3.org/TR/turtle/#grammar-production-IRIREF).
_NOT_IN_IRI = frozenset('<"{}|^`\\') | frozenset(" \t\r\n")


def _skip_string(text: str, at: int) -> int | None:
    """Return the index after the string literal opening at `at`, or None if never closed."""
    quote = text[at]
    if text.startswith(quote * 3, at):
        end = text.find(quote * 3, at + 3)
        while end > 0 and text[end - 1] == "\\":
            end = text.find(quote * 3, end + 1)
        return None if end < 0 else end + 3
    at += 1
    while at < len(text) and text[at] not in (quote, "\n"):
        at += 2 if text[at] == "\\" else 1
    return at + 1  # an unclosed short string is reported on its own line by the parser


def opening_mistake(text: str) -> tuple[int, str] | None:
    """Find a `<` or `\"\"\"` that is never closed: (line, what is wrong), or None.

    The parser reads on from such an opening to the end of the file and reports the error
    there; the mistake is where it opened.
    """
    at = 0
    while at < len(text):
        char = text[at]
        if char == "#":
            newline = text.find("\n", at)
            at = len(text) if newline < 0 else newline + 1
        elif char in "\"'":
            end = _skip_string(text, at)
            if end is None:
                line = text.count("\n", 0, at) + 1
                return line, f"the string opened with {char * 3} on this line is never closed"
            at = end
        elif char == "<":
            end = at + 1
            while end < len(text) and text[end] != ">" and text[end] not in _NOT_IN_IRI:
                end += 1
            if end >= len(text) or text[end] != ">":
                line = text.count("\n", 0, at) + 1
                return line, "'<' opens an IRI that is not closed with '>' (a stray '<'?)"
            at = end + 1
        else:
            at += 1
    return None


def _syntax_error(path: Path, error: BadSyntax) -> ParseError:
    """Name the line of the mistake: the parser's, or an earlier unclosed opening."""
    line, message = _bad_syntax_line(error), error._why
    try:
        mistake = opening_mistake(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        mistake = None
    if mistake and mistake[0] < line:
        line, message = mistake
    return ParseError(path, line, message)


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file (format chosen by suffix) into `graph`, or a new graph."""
    graph = graph if graph is not None else Graph()
    fmt = format_for_suffix(path.suffix)
    if fmt is None:
        raise ParseError(path, None, f"unknown RDF file suffix {path.suffix!r}")
    try:
        graph.parse(path, format=fmt.rdflib_format)
    except BadSyntax as error:
        # BadSyntax buries the reason in a private field, and its line counter drifts
        # (it counts some newlines twice): count the newlines before the error instead.
        raise _syntax_error(path, error) from error
    except (SyntaxError, ValueError) as error:
        raise ParseError(path, getattr(error, "lineno", None), str(error)) from error
    except OSError as error:
        raise ParseError(path, None, error.strerror or str(error)) from error
    return graph


def parse_files(paths: Iterable[Path]) -> dict[Path, Graph]:
    """Parse each file into its own graph; the first parse error is raised."""
    return {path: parse_file(path) for path in paths}


def parse_all(paths: Iterable[Path]) -> tuple[dict[Path, Graph], list[ParseError]]:
    """Parse every file into its own graph, collecting every parse error instead of stopping."""
    graphs: dict[Path, Graph] = {}
    errors: list[ParseError] = []
    for path in paths:
        try:
            graphs[path] = parse_file(path)
        except ParseError as error:
            errors.append(error)
    return graphs, errors


@dataclass
class Project:
    """Parsed files by role, with their unions built once on demand."""

    sources: Sources
    graphs: dict[Path, Graph]

    def union(self, *roles: str) -> Graph:
        """Merge the graphs of the files with the given roles."""
        return merge(self.graphs[p] for role in roles for p in getattr(self.sources, role))

    @property
    def data_graphs(self) -> list[Graph]:
        """The data files' own graphs: to read the data without copying it into one graph."""
        return [self.graphs[p] for p in self.sources.data]

    @cached_property
    def ontology(self) -> Graph:
        return self.union("ontology")

    @cached_property
    def data(self) -> Graph:
        return self.union("data")

    @cached_property
    def shapes(self) -> Graph:
        return self.union("shapes")

    @cached_property
    def asserted(self) -> Graph:
        """Ontology and data together, as the reasoner and SHACL see them."""
        return self.union("ontology", "data")


def load_project(sources: Sources) -> Project:
    """Parse every source file; the first parse error is raised."""
    return Project(sources, parse_files(sources.all))


def merge(graphs: Iterable[Graph], store: str = "default") -> Graph:
    """Union graphs into one new graph, keeping the prefixes they declare.

    `store` is rdflib's store plugin for the new graph ("SimpleMemory": no named graphs,
    several times faster to fill and to read; the build's graphs need none).
    """
    merged = Graph(store=store)
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            merged.bind(prefix, namespace, override=False)
        merged += graph
    return merged


def skolem_names(graph: Graph) -> dict[BNode, URIRef]:
    """Name every blank node of `graph` by an IRI derived from its content.

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

    for s, _, o in graph:
        for node in (s, o):
            if isinstance(node, BNode):
                name(node)
    return names


def skolemise(
    graph: Graph, names: dict[BNode, URIRef] | None = None, store: str = "default"
) -> Graph:
    """Replace blank nodes by IRIs derived from their content, so output is deterministic.

    Pass `names` (from `skolem_names` of a larger graph) to name the blank nodes of
    several graphs alike; blank nodes it lacks are named from `graph` itself. `store` is
    the new graph's store plugin, as for `merge`.
    """
    names = names or {}
    if any(isinstance(n, BNode) and n not in names for t in graph for n in (t[0], t[2])):
        names = {**skolem_names(graph), **names}

    def name(node: BNode) -> URIRef:
        return names[node]

    result = Graph(store=store)
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
