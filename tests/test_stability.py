"""IRI stability: an IRI a release published never vanishes without being retired."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from nzsa.load import default_sources, load_project
from nzsa.maintain.stability import check_stability, published_iris
from rdflib import URIRef

ROOT = Path(__file__).resolve().parents[1]
NZSA = ROOT / ".venv" / "bin" / "nzsa"
OLD = URIRef("https://w3id.org/nzsa/id/organisation/european-union")
RETIRED = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
organisation:european-union owl:deprecated true ;
    dcterms:isReplacedBy organisation:the-european-union .
"""
WITHDRAWN = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
organisation:european-union owl:deprecated true ;
    skos:changeNote "Withdrawn: a test removes it."@en .
"""


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env)  # fmt: skip
    return done.stdout


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A copy of the project in a git repository, released as v1.0.0."""
    repo = tmp_path_factory.mktemp("stability") / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / folder, repo / folder)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first release")
    git(repo, "tag", "-a", "v1.0.0", "-m", "v1.0.0")
    return repo


@pytest.fixture()
def repo(released, tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(released, copy)
    return copy


def rename(repo: Path, old: str, new: str) -> None:
    """Rename an IRI everywhere in the data, as a careless search and replace would."""
    for path in (repo / "data").glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(re.escape(old) + r"(?![\w-])", new, text), encoding="utf-8")


def append(repo: Path, name: str, text: str) -> None:
    with (repo / "data" / name).open("a", encoding="utf-8") as file:
        file.write(text)


def findings(repo: Path):
    return check_stability(repo, load_project(default_sources(repo)))


def test_every_iri_a_release_described_is_published(released):
    published, unreadable = published_iris(released)
    assert not unreadable
    assert published[OLD].tag == "v1.0.0"
    assert published[OLD].file == "data/organisations.ttl"
    assert published[OLD].label == "European Union"
    ontology = URIRef("https://w3id.org/nzsa/ontology#Membership")
    assert ontology in published
    assert not any("/.well-known/genid/" in iri for iri in published)


def test_an_unchanged_release_is_stable(repo):
    assert findings(repo) == []


def test_a_rename_without_deprecation_fails_and_names_the_new_iri(repo):
    rename(repo, "organisation:european-union", "organisation:the-european-union")
    [finding] = findings(repo)
    assert finding.severity == "error" and finding.stage == "stability"
    assert finding.subject == OLD
    assert finding.file == repo / "data" / "organisations.ttl"
    assert finding.message.startswith("published in v1.0.0, is gone: keep it with owl:deprecated")
    assert finding.message.endswith("Renamed to organisation:the-european-union?")


def test_a_rename_with_deprecation_and_replacement_passes(repo):
    rename(repo, "organisation:european-union", "organisation:the-european-union")
    append(repo, "organisations.ttl", RETIRED)
    assert findings(repo) == []


def test_a_withdrawal_with_a_reason_passes(repo):
    path = repo / "data" / "organisations.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    a nzsa:RegionalOrganisation ;\n    skos:exactMatch wd:Q458 ;",
                                 "    skos:exactMatch wd:Q458 ;"), encoding="utf-8")  # fmt: skip
    [finding] = findings(repo)
    assert "is no longer described" in finding.message
    append(repo, "organisations.ttl", WITHDRAWN)
    assert findings(repo) == []


def test_validate_since_release_fails_on_a_rename_and_passes_once_retired(repo):
    rename(repo, "organisation:european-union", "organisation:the-european-union")
    failed = subprocess.run([NZSA, "validate", "--since-release", "--format", "github", str(repo)],
                            capture_output=True, text=True, cwd=repo, timeout=600)  # fmt: skip
    assert failed.returncode == 1, failed.stdout + failed.stderr
    annotation = next(line for line in failed.stdout.splitlines() if "(stability)" in line)
    assert annotation.startswith("::error file=data/organisations.ttl,title=nzsa validate")
    assert "organisation:european-union: published in v1.0.0, is gone" in annotation
    append(repo, "organisations.ttl", RETIRED)
    passed = subprocess.run([NZSA, "validate", "--since-release", str(repo)],
                            capture_output=True, text=True, cwd=repo, timeout=600)  # fmt: skip
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "[stability]" not in passed.stdout


def test_a_rename_with_a_new_label_is_found_by_its_close_name_only(repo):
    rename(repo, "organisation:european-union", "organisation:europe-union")
    path = repo / "data" / "organisations.ttl"
    text = path.read_text(encoding="utf-8").replace('"European Union"@en', '"EU"@en')
    unrelated = '\norganisation:test-forum a nzsa:Forum ; skos:prefLabel "Test Forum"@en .\n'
    path.write_text(text + unrelated, encoding="utf-8")
    [finding] = findings(repo)
    assert finding.message.endswith("Renamed to organisation:europe-union?")
