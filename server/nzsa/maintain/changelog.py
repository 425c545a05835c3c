"""The CHANGELOG.md section of a release: retired IRIs, then what changed since the last."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from packaging.version import Version
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from ..linking.releases import release_tags
from ..load import load_project, merge
from .stability import _label, is_published_name, released_graphs

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


def added_lines(current: Graph, before: Graph) -> list[str]:
    """List the IRIs described now and not before, with their labels."""
    show = current.namespace_manager.normalizeUri
    new = {
        s for s in set(current.subjects()) if is_published_name(s) and (s, None, None) not in before
    }
    new -= set(current.subjects(OWL.deprecated, None))
    lines = []
    for iri in sorted(new):
        label = _label(current, iri)
        lines.append(f"- `{show(iri)}`" + (f" {Literal(label).n3()}" if label else ""))
    return lines


def _graph_at(root: Path, tag: str | None) -> Graph:
    for release in release_tags(root):
        if release.tag == tag:
            return merge(released_graphs(root, release).values())
    return Graph()


def changes(root: Path, previous: str | None, current: Graph, before: Graph) -> str:
    """Return the Markdown of what changed since the previous release."""
    added = added_lines(current, before)
    if not added:
        return "No new IRIs.\n"
    return "### New IRIs\n\n" + "\n".join(added) + "\n"


def section(root: Path, version: Version, day: date, previous: str | None) -> str:
    """Return the changelog section of a release made from the project at `root`."""
    from ..load import default_sources

    sources = default_sources(root)
    current = load_project(sources).asserted
    before = _graph_at(root, previous)
    head = f"## [{version}] - {day.isoformat()}\n\n"
    if previous is None:
        return head + "First release.\n"
    body = [f"Changes since {previous}.\n"]
    retired = retired_lines(current, before)
    if retired:
        body.append("### Renamed and withdrawn IRIs\n\n" + "\n".join(retired) + "\n")
    body.append(changes(root, previous, current, before))
    return head + "\n".join(body)


def insert(path: Path, section: str) -> str:
    """Return the changelog's text with `section` as its newest release."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    before = "".join(lines[:at]).rstrip("\n") + "\n\n"
    after = "".join(lines[at:])
    return before + section.rstrip("\n") + "\n" + ("\n" + after if after else "")
