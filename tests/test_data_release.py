"""`nzsa release VERSION`: version and date the ontology, write the changelog, commit, tag."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import OWL, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

ROOT = Path(__file__).resolve().parents[1]
NZSA = ROOT / ".venv" / "bin" / "nzsa"
ONTOLOGY = URIRef("https://w3id.org/nzsa/ontology")
IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
RETIRED = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
organisation:european-union owl:deprecated true ;
    dcterms:isReplacedBy organisation:the-european-union ;
    skos:changeNote "Renamed to follow the other organisations' IRIs."@en .
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env={**os.environ, **IDENTITY})  # fmt: skip
    return done.stdout


def release(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **IDENTITY, "NZSA_ROOT": str(repo)}
    return subprocess.run([NZSA, "release", *args], capture_output=True, text=True, cwd=repo,
                          env=env, timeout=600)  # fmt: skip


def rename(repo: Path, old: str, new: str) -> None:
    for path in (repo / "data").glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(re.escape(old) + r"(?![\w-])", new, text), encoding="utf-8")


def version_facts(repo: Path) -> tuple:
    graph = Graph().parse(repo / "ontology" / "nzsa.ttl")
    return tuple(graph.value(ONTOLOGY, p) for p in (OWL.versionIRI, OWL.versionInfo,
                                                      DCTERMS.modified))  # fmt: skip


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A project copy in git, released once as 1.0.0."""
    repo = tmp_path_factory.mktemp("release") / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / folder, repo / folder)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "data")
    done = release(repo, "1.0.0", "--date", "2026-01-15")
    assert done.returncode == 0, done.stderr
    assert "tagged v1.0.0 (first release)" in done.stdout
    return repo


def test_a_release_versions_the_ontology_commits_and_tags(repo):
    assert version_facts(repo) == (
        URIRef("https://w3id.org/nzsa/ontology/1.0.0"),
        Literal("1.0.0"),
        Literal("2026-01-15", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
    )
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "cat-file", "-t", "v1.0.0").strip() == "tag"  # annotated
    assert git(repo, "rev-parse", "v1.0.0^{commit}") == git(repo, "rev-parse", "HEAD")
    changed = git(repo, "show", "--name-only", "--format=%s", "HEAD").split()
    assert changed[:2] == ["Release", "1.0.0"]
    assert sorted(changed[2:]) == ["CHANGELOG.md", "ontology/nzsa.ttl"]
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n")
    assert "## [1.0.0] - 2026-01-15\n\nFirst release.\n" in changelog


@pytest.mark.parametrize(
    ("version", "refusal"),
    [
        ("1.0.0", "tag v1.0.0 exists already"),
        ("0.9.0", "0.9.0 is not greater than the last release v1.0.0"),
        ("1.0", "1.0 is not greater than the last release v1.0.0"),  # v1.0.0 by another name
        ("next", "'next' is not a version"),
    ],
    ids=["existing-tag", "older", "equal", "not-a-version"],
)
def test_a_release_refuses_a_version_not_after_the_last(repo, version, refusal):
    done = release(repo, version)
    assert done.returncode == 1
    assert refusal in done.stderr
    assert git(repo, "tag", "--list") == "v1.0.0\n"


def test_a_release_refuses_a_dirty_tree(repo):
    path = repo / "data" / "organisations.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n", encoding="utf-8")
    try:
        done = release(repo, "1.1.0")
    finally:
        path.write_text(text, encoding="utf-8")
    assert done.returncode == 1
    assert "the work tree has changes" in done.stderr and "data/organisations.ttl" in done.stderr


def test_a_rename_is_refused_until_deprecated_then_released_with_its_entry(repo):
    rename(repo, "organisation:european-union", "organisation:the-european-union")
    git(repo, "commit", "-qam", "rename")
    refused = release(repo, "1.1.0")
    assert refused.returncode == 1
    assert "organisation:european-union" in refused.stderr
    assert "published in v1.0.0, is gone" in refused.stderr

    with (repo / "data" / "organisations.ttl").open("a", encoding="utf-8") as data:
        data.write(RETIRED)
    git(repo, "commit", "-qam", "retire the old IRI")
    head = git(repo, "rev-parse", "HEAD")
    dry = release(repo, "1.1.0", "--dry-run", "--date", "2026-02-01")
    assert dry.returncode == 0, dry.stderr
    assert '+    owl:versionInfo "1.1.0" ;' in dry.stdout
    assert "+## [1.1.0] - 2026-02-01" in dry.stdout
    assert "would commit 'Release 1.1.0' and tag v1.1.0 (since v1.0.0)" in dry.stdout
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""
    assert version_facts(repo)[1] == Literal("1.0.0")

    done = release(repo, "1.1.0", "--date", "2026-02-01")
    assert done.returncode == 0, done.stderr
    assert version_facts(repo)[1] == Literal("1.1.0")
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    newest, older = changelog.split("## [1.1.0] - 2026-02-01\n", 1)[1].split("## [1.0.0]", 1)
    assert "Changes since v1.0.0." in newest
    assert (
        "- `organisation:european-union` → `organisation:the-european-union` (renamed): "
        "Renamed to follow the other organisations' IRIs." in newest
    )
    assert "### Asserted:" in newest  # nzsa diff's Markdown since v1.0.0
    assert "`organisation:the-european-union`): added" in newest
    assert "First release." in older
    assert git(repo, "tag", "--list") == "v1.0.0\nv1.1.0\n"
