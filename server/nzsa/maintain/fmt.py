"""`nzsa fmt`: write every Turtle file in the one canonical layout, the graph unchanged.

The layout is rdflib's longturtle made deterministic (see turtle.py): the file's own
prefixes, subjects by IRI, `a` and `rdfs:label` first then predicates by IRI, one object
a line, blank nodes nested in place and ordered by content. The comment block at the
head of a file is kept; a comment anywhere else could not be placed again, so such a
file is refused rather than have its comment dropped.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from ..load import ParseError, default_sources, parse_file, project_root, sources_from_paths
from .comments import find_comments, head_block
from .turtle import canonical_turtle, same_graph

DESCRIPTION = """\
Rewrite Turtle files in nzsa's canonical layout, so that a change to the data shows
in a text diff as exactly the lines of the facts that changed. The graph is unchanged
(each rewrite is checked to parse back to an isomorphic graph) and formatting twice
gives the same bytes.

The layout: the file's own PREFIX lines, sorted (none added, none dropped); the
ontology header, then subjects in IRI order; `a` and rdfs:label first, then predicates
in IRI order, one object a line; blank nodes (evidence, amounts, lists) nested in place
as [ ... ] and ( ... ), ordered by their content. The comment block at the head of a file
is kept; a comment anywhere else is refused (it would be lost): move it to the head, or
say it in the data (rdfs:comment, skos:editorialNote).

PATHs are Turtle files or folders (the *.ttl directly inside); default: every file in
the project's ontology/, data/ and shapes/.

Exit status: 0 formatted (with --check: nothing to change), 1 with --check: some
files would change, 2 a file that cannot be read, parsed or formatted safely.
"""


class Unformattable(Exception):
    """A file that fmt will not rewrite, and why."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    changed: bool
    text: str


def format_turtle(text: str, path: Path, graph: Graph | None = None) -> str:
    """Return `text` (the Turtle of `path`, parsed as `graph`) in the canonical layout."""
    stray = [c for c in find_comments(text) if not c.at_head]
    if stray:
        lines = ", ".join(str(c.line) for c in stray)
        raise Unformattable(
            f"{path}: comment on line {lines} would be lost: move it to the comment block "
            "at the head of the file, or state it in the data (rdfs:comment, "
            "skos:editorialNote)"
        )
    base = path.resolve().as_uri()
    if graph is None:
        graph = Graph(bind_namespaces="none")  # the file's own prefixes, not rdflib's
        graph.parse(data=text, format="turtle", publicID=base)
    head = head_block(text)
    formatted = head + ("\n" if head else "") + canonical_turtle(graph)
    if formatted != text and not same_graph(text, formatted, base):
        raise Unformattable(f"{path}: the canonical layout would change the graph; left as is")
    return formatted


def format_file(path: Path) -> Outcome:
    """Format one file in memory: its canonical text and whether that differs."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise Unformattable(f"{path}: {error}") from error
    # The loader's parse names the line of a syntax error; only the file's own prefixes.
    graph = parse_file(path, Graph(bind_namespaces="none"))
    formatted = format_turtle(text, path, graph)
    return Outcome(path, formatted != text, formatted)


def turtle_files(paths: list[Path]) -> list[Path]:
    """The Turtle files named by `paths`, or the project's own."""
    sources = sources_from_paths(paths) if paths else default_sources(project_root())
    return [p for p in sources.all if p.suffix == ".ttl"]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `fmt` subcommand."""
    parser = subparsers.add_parser(
        "fmt",
        help="write the Turtle files in the canonical layout",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing: list the files that are not in the layout, exit 1 if any",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Format (or check) the files; return the exit status."""
    try:
        files = turtle_files(args.paths)
    except FileNotFoundError as error:
        print(f"nzsa fmt: {error}", file=sys.stderr)
        return 2
    if not files:
        print("nzsa fmt: no Turtle files found", file=sys.stderr)
        return 2
    changed, failed = [], 0
    for path in files:
        try:
            outcome = format_file(path)
        except (ParseError, Unformattable) as error:
            print(f"nzsa fmt: {error}", file=sys.stderr)
            failed += 1
            continue
        if outcome.changed:
            changed.append(path)
            if args.check:
                print(f"would reformat {_shown(path)}")
            else:
                path.write_text(outcome.text, encoding="utf-8")
                print(f"reformatted {_shown(path)}")
    verb = "would reformat" if args.check else "reformatted"
    print(
        f"nzsa fmt: {len(files)} files, {verb} {len(changed)}"
        + (f", {failed} could not be formatted" if failed else ""),
        file=sys.stderr,
    )
    if failed:
        return 2
    return 1 if args.check and changed else 0
