"""Revisions of the project to compare: git commits, or the working tree as it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..linking.releases import GitError, checkout, git

DEFAULT_BASE_BRANCH = "main"


@dataclass(frozen=True)
class Revision:
    """A commit (`commit` set) or the working tree (`commit` None), and how to call it."""

    name: str
    commit: str | None = None

    @property
    def short(self) -> str:
        return self.commit[:12] if self.commit else "working tree"


def resolve(root: Path, name: str) -> Revision:
    """Name a revision by the commit it stands for; raise GitError if git does not know it."""
    commit = git(root, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}").strip()
    return Revision(name, commit)


def default_base(root: Path, branch: str = DEFAULT_BASE_BRANCH) -> Revision:
    """The merge base of HEAD with `branch`, or with `origin/branch` (a CI clone has only
    that), else HEAD itself."""
    for candidate in (branch, f"origin/{branch}"):
        try:
            commit = git(root, "merge-base", candidate, "HEAD").strip()
        except GitError:
            continue
        return Revision(f"merge base with {candidate}", commit)
    return resolve(root, "HEAD")


def revisions(root: Path, rev_a: str | None, rev_b: str | None) -> tuple[Revision, Revision]:
    """The two revisions `nzsa diff` compares: by default the merge base and the work tree."""
    old = resolve(root, rev_a) if rev_a else default_base(root)
    new = resolve(root, rev_b) if rev_b else Revision("working tree")
    return old, new


@contextmanager
def project_at(root: Path, revision: Revision) -> Iterator[Path]:
    """Yield a folder holding the project's ontology/, data/ and shapes/ at `revision`."""
    if revision.commit is None:
        yield root
    else:
        with checkout(root, revision.commit) as folder:
            yield folder
