"""One dataset per release: every release tag of the data built into BUILD_DIR/releases/.

A release is a git tag named `v` and a version (`v1.0.0`, `v2024.1`), as `nzsa release`
writes them. It is in force from its release date, which `nzsa release` writes as the
ontology's dcterms:modified: from the tag's own moment when the tag was made that day
(so two releases of one day keep their order), else from the start of that day (UTC).
A tag whose ontology has no dcterms:modified is in force from the tag's date (the
tagger's date of an annotated tag, the commit's of a lightweight one).

`nzsa build` checks each tagged revision out with `git archive` (the work tree is not
touched), builds it as it builds the current data, loads its store, and lists the
releases in `releases/index.json`. A release already built from the same commit is kept
as it is, so only a new tag costs a build.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ..project import ROLES, layout_of

RELEASES = "releases"
INDEX = "index.json"
STAMP = "release.json"
TAG_PATTERN = "refs/tags/v[0-9]*"


class GitError(Exception):
    """git failed, or is not there; the message is git's own."""


@dataclass(frozen=True)
class Release:
    """A release: its tag, the commit it names and when it came into force."""

    tag: str
    commit: str
    datetime: datetime

    def as_json(self) -> dict:
        return {"tag": self.tag, "commit": self.commit, "datetime": self.datetime.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> Release:
        when = datetime.fromisoformat(data["datetime"]).astimezone(UTC)
        return cls(str(data["tag"]), str(data["commit"]), when)


def git(root: Path, *args: str, binary: bool = False):
    """Run git in `root`; return its output (bytes if `binary`), or raise GitError."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, timeout=120, check=False
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed") from error
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(lines[-1] if lines else f"git {' '.join(args)} failed")
    return done.stdout if binary else done.stdout.decode("utf-8")


def release_tags(root: Path) -> list[Release]:
    """Return the release tags of the repository holding `root`, oldest first."""
    try:
        git(root, "rev-parse", "--show-toplevel")
    except GitError:
        return []  # not a git checkout: an installed package, a copied folder
    listing = git(
        root, "for-each-ref", TAG_PATTERN,
        "--format=%(refname:short)%09%(objectname)%09%(*objectname)%09%(creatordate:iso-strict)",
    )  # fmt: skip
    found = []
    for line in listing.splitlines():
        tag, target, peeled, when = line.split("\t")
        moment = datetime.fromisoformat(when).astimezone(UTC).replace(microsecond=0)
        found.append(Release(tag, peeled or target, moment))
    return sorted(found, key=lambda r: (r.datetime, r.tag))


def _project_paths(root: Path) -> list[str]:
    """The project's folders relative to `root`, as its `[tool.nzsa]` table names them,
    and that pyproject.toml (so the checkout has the same layout)."""
    layout = layout_of(root)
    folders = []
    for role in ROLES:
        folder = layout.folder(role)
        inside = folder.resolve().is_relative_to(root.resolve())
        folders.append(folder.resolve().relative_to(root.resolve()).as_posix() if inside else role)
    return [*folders, "pyproject.toml"]


@contextmanager
def checkout(root: Path, commit: str) -> Iterator[Path]:
    """Yield a temporary project folder holding the project's folders at `commit`
    (ontology/, data/ and shapes/, or those its pyproject.toml names)."""
    prefix = git(root, "rev-parse", "--show-prefix").strip()
    paths = _project_paths(root)
    wanted = [prefix + path for path in paths]
    # --full-tree: paths from the top of the repository, as `prefix` gives them.
    listed = git(root, "ls-tree", "--full-tree", "--name-only", commit, "--", *wanted).splitlines()
    with tempfile.TemporaryDirectory(prefix="nzsa-release-") as folder:
        target = Path(folder)
        if listed:
            top = Path(git(root, "rev-parse", "--show-toplevel").strip())
            archive = git(top, "archive", "--format=tar", commit, "--", *listed, binary=True)
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(target, filter="data")
        project = target / prefix
        for name in paths[:-1]:
            (project / name).mkdir(parents=True, exist_ok=True)
        yield project


def in_force_from(modified: date | datetime | None, tagged: datetime) -> datetime:
    """Return when a release came into force, from its dcterms:modified and its tag's date."""
    if isinstance(modified, datetime):
        return modified.astimezone(UTC) if modified.tzinfo else modified.replace(tzinfo=UTC)
    if modified is None or modified == tagged.date():
        return tagged
    return datetime(modified.year, modified.month, modified.day, tzinfo=UTC)


def _release_date(folder: Path) -> date | datetime | None:
    """Return the dcterms:modified of the ontology a release built (its release date)."""
    from rdflib import Graph
    from rdflib.namespace import DCTERMS

    from ..vocab import ONTOLOGY_IRI

    graph = Graph().parse(folder / "ontology.ttl", format="turtle")
    value = graph.value(ONTOLOGY_IRI, DCTERMS.modified)
    found = value.toPython() if value is not None else None
    return found if isinstance(found, date) else None


def _built(folder: Path, release: Release) -> Release | None:
    """Return the release as built into `folder` before, if it is built from the same commit."""
    try:
        stamp = Release.from_json(json.loads((folder / STAMP).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return None
    same = (stamp.tag, stamp.commit) == (release.tag, release.commit)
    return stamp if same and (folder / "nzsa.nq").is_file() else None


def _build_one(root: Path, release: Release, folder: Path, say) -> Release | None:
    """Build one release into `folder`; return it, dated, or None if it could not be built."""
    # Imported here: serving a build never needs validation's imports.
    from ..build import BuildRefused, build_dataset
    from ..build.dataset import publishable_graphs, write_dataset
    from ..build.manifest import write_sums
    from ..load import default_sources
    from ..store.disk import ensure_store

    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    with checkout(root, release.commit) as project:
        sources = default_sources(project)
        try:
            build_dataset(sources, building)
        except BuildRefused as refused:
            report = refused.report
            if report.project is None or report.closure is None:
                say(f"{release.tag}: cannot be read ({len(report.errors)} errors), not kept")
                return None
            # It was published as it is: today's stricter checks do not unpublish it.
            say(f"{release.tag}: {len(report.errors)} findings by today's checks, kept as released")
            building.mkdir(parents=True, exist_ok=True)
            written = write_dataset(publishable_graphs(report), building)
            write_sums(building, written)
    release = Release(release.tag, release.commit,
                      in_force_from(_release_date(building), release.datetime))  # fmt: skip
    # The dataset "was modified" when it was released: Last-Modified of its mementos.
    stamp = release.datetime.timestamp()
    os.utime(building / "nzsa.nq", (stamp, stamp))
    ensure_store(building)  # loaded now, so serving a memento never loads anything
    (building / STAMP).write_text(json.dumps(release.as_json()) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    return release


def build_releases(root: Path, out_dir: Path, say=print) -> list[Release]:
    """Build every release tag not yet built into out_dir/releases; return those kept."""
    releases = release_tags(root)
    base = Path(out_dir) / RELEASES
    kept = []
    for release in releases:
        folder = base / release.tag
        built = _built(folder, release) or _build_one(root, release, folder, say)
        if built is not None:
            kept.append(built)
    kept.sort(key=lambda r: (r.datetime, r.tag))
    if releases or base.exists():
        base.mkdir(parents=True, exist_ok=True)
        for stale in set(p.name for p in base.iterdir() if p.is_dir()) - {r.tag for r in kept}:
            shutil.rmtree(base / stale, ignore_errors=True)
        index = [r.as_json() for r in kept]
        (base / INDEX).write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    return kept


def read_releases(build_dir: Path) -> list[Release]:
    """Return the releases a build holds, oldest first (none when it holds no index)."""
    try:
        listed = json.loads((Path(build_dir) / RELEASES / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted((Release.from_json(r) for r in listed), key=lambda r: (r.datetime, r.tag))
