"""The CHANGELOG.md section of a release: retired IRIs, then what changed since the last."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from packaging.version import Version
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from ..linking.releases import release_tags
from ..load import default_sources, load_project, merge
from .stability import released_graphs

FILE = "CHANGELOG.md"
HEADER = """\
# Changelog

Every release of the nzsa data, newest first, as `nzsa release` writes it: the IRIs
renamed or withdrawn (they answer `301` or `410`), and what changed since the release
before. Each release is the git tag `v<version>`; its data stays readable as published
(`/release/<tag>/…`, see README.md).
"""


def _retired(graph: Graph) -> dict[URIRef, tuple[URIRef | None, list[str]]]:
    retired = {}
    for iri in set(graph.subjects(OWL.deprecated, None)):
        if isinstance(iri, URIRef):
            replacement = graph.value(iri, DCTERMS.isReplacedBy)
            notes = sorted(str(n) for n in graph.objects(iri, SKOS.changeNote))
            retired[iri] = (replacement if isinstance(replacement, URIRef) else None, notes)
    return retired


def retired_lines(current: Graph, before: Graph) -> list[str]:
    """List the IRIs retired since `before`, each with its replacement or its reason."""
    show = current.namespace_manager.normalizeUri
    already = set(before.subjects(OWL.deprecated, None))
    lines = []
    for iri, (replacement, notes) in sorted(_retired(current).items()):
        if iri in already:
            continue
        why = (": " + " ".join(notes)) if notes else ""
        if replacement is not None:
            lines.append(f"- `{show(iri)}` → `{show(replacement)}` (renamed){why}")
        else:
            lines.append(f"- `{show(iri)}` withdrawn{why}")
    return lines


def changes(root: Path, previous: str) -> str:
    """Return the semantic difference since the previous release, as `nzsa diff` writes it."""
    from .diff_report import format_markdown
    from .published import published
    from .revisions import Revision, project_at, resolve
    from .semantic_diff import semantic_diff

    old, new = resolve(root, previous), Revision("this release")
    with project_at(root, old) as folder:
        before = published(folder)
    after = published(root)
    # A file, not a comment: every change, however many.
    markdown = format_markdown(semantic_diff(before, after), old, new, limit=None)
    # Its title ("## nzsa diff: …") would stand beside the release's own heading.
    return markdown.split("\n", 1)[1].lstrip("\n")


def _graph_at(root: Path, tag: str) -> Graph:
    for release in release_tags(root):
        if release.tag == tag:
            return merge(released_graphs(root, release).values())
    return Graph()


def section(root: Path, version: Version, day: date, previous: str | None) -> str:
    """Return the changelog section of a release made from the project at `root`."""
    head = f"## [{version}] - {day.isoformat()}\n\n"
    if previous is None:
        return head + "First release.\n"
    current = load_project(default_sources(root)).asserted
    body = [f"Changes since {previous}.\n"]
    retired = retired_lines(current, _graph_at(root, previous))
    if retired:
        body.append("### Renamed and withdrawn IRIs\n\n" + "\n".join(retired) + "\n")
    body.append(changes(root, previous))
    return head + "\n".join(body)


def insert(path: Path, section: str) -> str:
    """Return the changelog's text with `section` as its newest release."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    before = "".join(lines[:at]).rstrip("\n") + "\n\n"
    after = "".join(lines[at:])
    return before + section.rstrip("\n") + "\n" + ("\n" + after if after else "")
