"""`nzsa validate --changed-since REV` gives, for a small change, the findings a full run gives.

Each example edits the text of a copy of the bundled data kept in a git repository (a
removed evidence quote, a wrong class, a dangling reference, a bad literal, a changed
quote, a removed or a new description), then validates it twice: in full, and only what
the change since the commit can affect. The bundled data is valid, so every finding of
the full run comes from the change, and the scoped run must report exactly the same.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nzsa.load import default_sources, project_root
from nzsa.validate import validate
from rdflib import Graph

BUNDLED = project_root()

# Each edit: a pattern that picks a place in a data file, and what it becomes there.
EDITS = {
    "removed evidence quote": (r'\n +nzsa:quote "[^"\n]*" ;', ""),
    "removed evidence source": (r"\n +prov:wasQuotedFrom \S+ ;", ""),
    "wrong class": (r"\n    a nzsa:(\w+) ;", "\n    a nzsa:Meeting ;"),
    "undeclared class": (r"\n    a nzsa:(\w+) ;", "\n    a nzsa:\\1Typo ;"),
    "dangling reference": (r"(\n    nzsa:\w+ (?:country|organisation|agency):[\w-]+)", "\\1-x"),
    "bad literal": (r'"(\d{4})"\^\^xsd:gYear', '"\\1-13-45"^^xsd:date'),
    "changed quote": (r'(nzsa:quote ")([^"\n]*)"', '\\1\\2 and more words"'),
    "reference to a deprecated or other thing": (
        r"(\n    nzsa:\w+ )country:[\w-]+",
        "\\1country:australia",
    ),
    "removed description": (r"\n(\w+:[\w-]+)\n(?:    .*\n|        .*\n)*\.\n", "\n"),
    "new description": (
        r"\n(\w+):([\w-]+)(\n(?:    .*\n)*\.\n)",
        "\n\\1:\\2\\3\n\\1:\\2-copy\\3",
    ),
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    """A git repository holding a copy of the bundled project, committed."""
    root = tmp_path_factory.mktemp("changed-since")
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(BUNDLED / folder, root / folder)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return root


def _seen(report, root: Path) -> list[tuple]:
    """The findings as a reader sees them (blank nodes have no name to compare)."""
    return sorted(
        (f.severity, f.stage, f.message, str(f.file.relative_to(root)) if f.file else "", f.line)
        for f in report.findings
    )


def _edit(root: Path, kind: str, which: int, where: int) -> bool:
    """Apply one edit of `kind` to one data file; False if that file has no place for it."""
    pattern, replacement = EDITS[kind]
    paths = sorted((root / "data").glob("*.ttl"))
    path = paths[which % len(paths)]
    text = path.read_text(encoding="utf-8")
    matches = list(re.finditer(pattern, text))
    if not matches:
        return False
    match = matches[where % len(matches)]
    changed = text[: match.start()] + match.expand(replacement) + text[match.end() :]
    path.write_text(changed, encoding="utf-8")
    return changed != text


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(sorted(EDITS)),
            st.integers(0, 50),
            st.integers(0, 500),
        ),
        min_size=1,
        max_size=2,
    )
)
def test_changed_since_finds_what_a_full_run_finds(repository, edits):
    try:
        applied = [kind for kind, which, where in edits if _edit(repository, kind, which, where)]
        sources = default_sources(repository)
        full = validate(sources)
        scoped = validate(sources, changed_since="HEAD")
        assert not [f for f in scoped.findings if "cannot be scoped" in f.message], applied
        assert _seen(scoped, repository) == _seen(full, repository), applied
        assert scoped.counts.triples < full.counts.triples
    finally:
        _git(repository, "checkout", "-q", "--", ".")
        _git(repository, "clean", "-qfd")


def test_an_unchanged_project_checks_nothing_and_passes(repository):
    report = validate(default_sources(repository), changed_since="HEAD")
    assert report.findings == []
    assert report.counts.files > 0


def test_a_changed_shape_is_checked_in_full(repository):
    shapes = repository / "shapes" / "data.ttl"
    try:
        shapes.write_text(shapes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        report = validate(default_sources(repository), changed_since="HEAD")
        notes = [f.message for f in report.findings if f.stage == "inputs"]
        assert notes and "shapes/data.ttl changed" in notes[0]
        assert report.counts.triples > 6000
    finally:
        _git(repository, "checkout", "-q", "--", ".")


def test_an_unknown_revision_is_checked_in_full(repository):
    report = validate(default_sources(repository), changed_since="no-such-revision")
    assert any("cannot be scoped" in f.message for f in report.findings)


def test_the_command_reports_the_change_and_keeps_release_checks_whole(repository):
    data = repository / "data" / "countries.ttl"
    try:
        text = data.read_text(encoding="utf-8")
        data.write_text(text.replace("\n    a nzsa:State ;", "\n    a nzsa:Stat ;", 1), "utf-8")
        done = subprocess.run(
            [str(Path(sys.executable).with_name("nzsa")), "validate", "--changed-since", "HEAD"]
            + ["--since-release", str(repository)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert "class nzsa:Stat is not declared in the ontology" in done.stdout
        assert "no release tag" in done.stdout  # the stability stage ran on the whole graph
    finally:
        _git(repository, "checkout", "-q", "--", ".")


@pytest.fixture(scope="module")
def flat_repository(tmp_path_factory) -> Path:
    """The bundled project with its data as one N-Triples file (labelled blank nodes)."""
    root = tmp_path_factory.mktemp("changed-since-flat")
    for folder in ("ontology", "shapes"):
        shutil.copytree(BUNDLED / folder, root / folder)
    shutil.copytree(BUNDLED / "data" / "sources", root / "data" / "sources")
    graph = Graph()
    for path in sorted((BUNDLED / "data").glob("*.ttl")):
        graph.parse(path)
    lines = sorted(graph.serialize(format="nt").splitlines())
    (root / "data" / "all.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return root


FLAT_EDITS = {
    "removed source of a quote": (r"\n_:\w+ <http://www.w3.org/ns/prov#wasQuotedFrom> <.+> \.", ""),
    "changed quote": (r'(\n_:\w+ <https://w3id.org/nzsa/ontology#quote> "[^"]*)"', '\\1 and more"'),
    "wrong class": (
        r"(\n<https://w3id.org/nzsa/id/membership/[^>]+> <[^>]+#type> <[^>]+#)Membership>",
        "\\1Meeting>",
    ),
    "removed description line": (r"\n<https://w3id.org/nzsa/id/country/[^\n]*#type>[^\n]*", ""),
}


@pytest.mark.parametrize("kind", sorted(FLAT_EDITS))
def test_changed_since_follows_labelled_blank_nodes_across_lines(flat_repository, kind):
    path = flat_repository / "data" / "all.ttl"
    pattern, replacement = FLAT_EDITS[kind]
    try:
        text = path.read_text(encoding="utf-8")
        matches = list(re.finditer(pattern, text))
        match = matches[len(matches) // 3]
        path.write_text(text[: match.start()] + match.expand(replacement) + text[match.end() :])
        sources = default_sources(flat_repository)
        full = validate(sources)
        scoped = validate(sources, changed_since="HEAD")
        # One line a statement: every subject is "described again" (a warning) at the base
        # already; the errors all come from the change.
        errors = [f for f in _seen(full, flat_repository) if f[0] == "error"]
        assert errors
        assert [f for f in _seen(scoped, flat_repository) if f[0] == "error"] == errors
    finally:
        _git(flat_repository, "checkout", "-q", "--", ".")
