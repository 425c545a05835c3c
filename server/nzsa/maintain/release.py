"""`nzsa release VERSION`: date and version the ontology, write the changelog, commit, tag.

A release is a git tag `v<VERSION>` (linking/releases.py reads the tags for Memento). The
ontology gets `owl:versionIRI <…/ontology/VERSION>`, `owl:versionInfo "VERSION"` and
`dcterms:modified` (the release date, which dates the release's mementos); the dataset
description (VoID/DCAT) is written by `nzsa build` from them. `CHANGELOG.md` gets a
section for the release: the IRIs renamed or withdrawn since the last release tag, and
the semantic difference since then.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from packaging.version import InvalidVersion, Version
from rdflib import OWL, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from ..linking.releases import GitError, git, release_tags
from ..load import default_sources, parse_file, project_root
from ..vocab import ONTOLOGY_IRI
from . import changelog
from .fmt import format_file, format_turtle

DESCRIPTION = """\
Release the data as VERSION (PEP 440: 1.2.0, 2026.1 ...): set the ontology's
owl:versionIRI, owl:versionInfo and dcterms:modified, add the release's section to
CHANGELOG.md (renamed and withdrawn IRIs, and the semantic difference since the last
release tag), commit both and tag the commit vVERSION. Push with `git push --follow-tags`.

Refused when the work tree has changes, the tag exists, VERSION is not greater than
every earlier release's, or the data fails `nzsa validate --since-release`.

Exit status: 0 released (or, with --dry-run, would release), 1 refused, 2 usage error.
"""


class Refused(Exception):
    """The release cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class Plan:
    """What a release writes: each file's new text, the commit message and the tag."""

    version: Version
    tag: str
    previous: str | None
    day: date
    files: dict[Path, str]
    message: str


def parse_version(text: str) -> Version:
    """Return VERSION as a PEP 440 version (a leading `v` is allowed)."""
    try:
        return Version(text.removeprefix("v"))
    except InvalidVersion as error:
        raise Refused(f"{text!r} is not a version (PEP 440: 1.2.0, 2026.1, 2.0.0rc1)") from error


def last_release(root: Path) -> tuple[str, Version] | None:
    """Return the release tag with the greatest version, if any."""
    versions = []
    for release in release_tags(root):
        try:
            versions.append((Version(release.tag[1:]), release.tag))
        except InvalidVersion:
            continue
    return (max(versions)[1], max(versions)[0]) if versions else None


def check_repository(root: Path, version: Version, tag: str) -> str | None:
    """Refuse a dirty tree, an existing tag or a version not past the last; return the last."""
    try:
        changed = git(root, "status", "--porcelain", "--untracked-files=normal").splitlines()
    except GitError as error:
        raise Refused(f"{root} is not in a git repository ({error})") from error
    if changed:
        shown = "\n  ".join(changed[:10]) + ("\n  …" if len(changed) > 10 else "")
        raise Refused(f"the work tree has changes; commit or stash them first:\n  {shown}")
    if git(root, "tag", "--list", tag).strip():
        raise Refused(f"tag {tag} exists already: choose the next version")
    last = last_release(root)
    if last and version <= last[1]:
        raise Refused(f"{version} is not greater than the last release {last[0]}")
    return last[0] if last else None


def ontology_file(root: Path) -> Path:
    """Return the ontology file that declares the ontology (owl:Ontology)."""
    for path in default_sources(root).ontology:
        if (ONTOLOGY_IRI, None, None) in parse_file(path):
            return path
    raise Refused(f"no file in {root / 'ontology'} describes <{ONTOLOGY_IRI}>")


def _block(lines: list[str], graph: Graph) -> tuple[int, int]:
    """Return the first and last line (0-based) of the ontology's statement in the file."""
    names = {f"<{ONTOLOGY_IRI}>", graph.namespace_manager.normalizeUri(ONTOLOGY_IRI)}
    for start, line in enumerate(lines):
        if line and not line[0].isspace() and line.split(None, 1)[0] in names:
            for end in range(start, len(lines)):
                if lines[end].rstrip().endswith(".") and (
                    end + 1 == len(lines) or not lines[end + 1].startswith((" ", "\t"))
                ):
                    return start, end
    raise Refused("the ontology's statement is not written as a block of its own")


def versioned(path: Path, version: Version, day: date) -> str:
    """Return the ontology file's text with the release's version and date set in place."""
    text = path.read_text(encoding="utf-8")
    graph = parse_file(path)
    iri = URIRef(f"{ONTOLOGY_IRI}/{version}")
    values = {
        OWL.versionIRI: (iri, f"<{iri}>"),
        OWL.versionInfo: (Literal(str(version)), f'"{version}"'),
        DCTERMS.modified: (
            Literal(day.isoformat(), datatype=XSD.date),
            f'"{day.isoformat()}"^^{graph.namespace_manager.normalizeUri(XSD.date)}',
        ),
    }
    lines = text.split("\n")
    start, end = _block(lines, graph)
    for predicate, (_, written) in values.items():
        name = re.escape(graph.namespace_manager.normalizeUri(predicate))
        pattern = re.compile(rf'^(\s+{name}\s+)(?:<[^>]*>|"[^"]*"(?:\^\^\S+)?)(\s*;\s*)$')
        found = [i for i in range(start, end + 1) if pattern.match(lines[i])]
        if len(found) == 1:
            lines[found[0]] = pattern.sub(lambda m, w=written: m[1] + w + m[2], lines[found[0]])
        elif not found and (ONTOLOGY_IRI, predicate, None) not in graph:
            lines.insert(
                start + 1, f"    {graph.namespace_manager.normalizeUri(predicate)} {written} ;"
            )
            end += 1
        else:
            raise Refused(f"{path}: set {predicate} of the ontology by hand (one value, one line)")
    result = "\n".join(lines)
    expected = Graph()
    expected += graph
    for predicate, (value, _) in values.items():
        expected.set((ONTOLOGY_IRI, predicate, value))
    if not isomorphic(Graph().parse(data=result, format="turtle"), expected):
        raise Refused(f"{path}: could not set the version in place; set it by hand")
    if not format_file(path).changed:
        result = format_turtle(result, path)  # it was canonical: keep it so (nzsa fmt)
    return result


def refuse_unless_valid(root: Path) -> None:
    """Refuse data that fails validation or drops an IRI an earlier release published."""
    from ..validate.command import add_stability
    from ..validate.formatters import format_text
    from ..validate.run import validate

    report = validate(default_sources(root))
    if report.project is not None:
        add_stability(report, root)
    if not report.conforms:
        raise Refused("the data fails `nzsa validate --since-release`:\n" + format_text(report))


def plan(root: Path, text: str, day: date) -> Plan:
    """Check that a release can be made, and work out what it writes."""
    version = parse_version(text)
    tag = f"v{version}"
    previous = check_repository(root, version, tag)
    refuse_unless_valid(root)
    ontology = ontology_file(root)
    section = changelog.section(root, version, day, previous)
    files = {
        ontology: versioned(ontology, version, day),
        root / changelog.FILE: changelog.insert(root / changelog.FILE, section),
    }
    return Plan(version, tag, previous, day, files, f"Release {version}")


def apply(root: Path, release: Plan) -> str:
    """Write the files, commit them and tag the commit; return the commit id."""
    for path, text in release.files.items():
        path.write_text(text, encoding="utf-8")
    names = [str(path) for path in release.files]
    git(root, "add", "--", *names)
    git(root, "commit", "-q", "-m", release.message, "--", *names)
    git(root, "tag", "-a", release.tag, "-m", f"nzsa {release.version}")
    return git(root, "rev-parse", "--short", "HEAD").strip()


def show(root: Path, release: Plan) -> str:
    """Say what a release would change, as a unified diff of each file."""
    out = []
    for path, text in release.files.items():
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        out.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True), text.splitlines(keepends=True),
                f"a/{path.relative_to(root).as_posix()}", f"b/{path.relative_to(root).as_posix()}",
            )
        )  # fmt: skip
    return "".join(out)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `release` subcommand."""
    parser = subparsers.add_parser(
        "release",
        help="version and date the ontology, write CHANGELOG.md, commit and tag vVERSION",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("version", metavar="VERSION", help="the new version, e.g. 1.2.0")
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the release date written as dcterms:modified (default: today, UTC)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Make the release (or show it); return the exit status."""
    root = project_root()
    day = args.date or datetime.now(UTC).date()
    try:
        release = plan(root, args.version, day)
    except Refused as refused:
        print(f"nzsa release: refused: {refused}", file=sys.stderr)
        return 1
    since = f"since {release.previous}" if release.previous else "first release"
    if args.dry_run:
        sys.stdout.write(show(root, release))
        print(f"nzsa release: would commit {release.message!r} and tag {release.tag} ({since})")
        return 0
    commit = apply(root, release)
    files = ", ".join(path.relative_to(root).as_posix() for path in release.files)
    print(f"nzsa release: wrote {files}; committed {commit} and tagged {release.tag} ({since})")
    print("nzsa release: publish it with `git push --follow-tags`")
    return 0
