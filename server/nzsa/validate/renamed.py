"""Dangling references to IRIs that were described before: most likely renamed.

"Before" is the merge base of HEAD with `main` (what this branch changed) and the last
release tag (what was published); both are read from git, with the same parser as now.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from ..linking.releases import GitError, checkout, git, release_tags
from ..load import default_sources
from ..vocab import BASE_IRI

BRANCH = "main"


@dataclass(frozen=True)
class Before:
    """The IRIs of ours described at an earlier revision, and what to call that revision."""

    name: str
    iris: frozenset[URIRef]


def _described(root: Path, commit: str) -> frozenset[URIRef]:
    # pyoxigraph's parser: only the subjects are needed, and rdflib's takes minutes at 1M.
    found = set()
    with checkout(root, commit) as project:
        sources = default_sources(project)
        try:
            for path in sources.ontology + sources.data:
                for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
                    if isinstance(triple.subject, ox.NamedNode):
                        found.add(triple.subject.value)
        except (SyntaxError, OSError):
            return frozenset()
    return frozenset(URIRef(s) for s in found if s.startswith(BASE_IRI))


def _revisions(root: Path) -> list[tuple[str, str]]:
    """Return (name, commit) of the merge base with main and of the last release tag."""
    found = []
    try:
        base = git(root, "merge-base", "HEAD", BRANCH).strip()
        found.append((f"the merge base with {BRANCH} ({base[:7]})", base))
    except GitError:
        pass  # no git, no main branch, or no commit yet
    try:
        tags = release_tags(root)
    except GitError:
        tags = []
    if tags:
        found.append((f"release {tags[-1].tag}", tags[-1].commit))
    return found


def earlier(root: Path) -> list[Before]:
    """Return what the earlier revisions described (none when `root` is not in git)."""
    befores = []
    for name, commit in _revisions(root):
        try:
            befores.append(Before(name, _described(root, commit)))
        except GitError:
            continue
    return befores
