"""`nzsa validate` on the command line: exit status, formats, and refusing to pass vacuously."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nzsa.load import project_root
from rdflib import RDF, SH, Graph

FIXTURE = Path(__file__).parent / "fixtures" / "validate" / "project"
NZSA = Path(sys.executable).with_name("nzsa")
NZSAV_TERMS = "https://w3id.org/nzsa/validate#TermsConstraintComponent"


def nzsa(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script."""
    return subprocess.run(
        [str(NZSA), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture
def broken(tmp_path) -> Path:
    """A copy of the fixture with a misspelt property on line 11 of data/entities.ttl."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    path = root / "data" / "entities.ttl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[10].strip().startswith("skos:prefLabel")
    lines[10] = lines[10].replace("skos:prefLabel", "skos:prefLabl")
    path.write_text("".join(lines), encoding="utf-8")
    return root


def test_fixture_conforms():
    result = nzsa("validate", FIXTURE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "checked 5 files, 250 triples, 13 shapes, 7 facts, 7 evidence quotes: OK" in result.stdout
    )


def test_role_folders_given_one_by_one():
    folders = [FIXTURE / name for name in ("ontology", "data", "shapes")]
    assert nzsa("validate", *folders).returncode == 0


def test_roles_given_by_option(tmp_path):
    # Files outside role folders: named as ontology and shapes by option, the rest is data.
    for name in ("ontology/nzsa.ttl", "shapes/shapes.ttl"):
        shutil.copy(FIXTURE / name, tmp_path / Path(name).name)
    result = nzsa(
        "validate",
        "--ontology",
        tmp_path / "nzsa.ttl",
        "--shapes",
        tmp_path / "shapes.ttl",
        "--root",
        FIXTURE,
        *sorted((FIXTURE / "data").glob("*.ttl")),
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(
    not any((project_root() / "data").glob("*.ttl")), reason="the bundled data is not there yet"
)
def test_bundled_data_conforms():
    result = nzsa("validate", cwd=project_root())
    assert result.returncode == 0, result.stdout
    assert result.stdout.rstrip().endswith(": OK")


def test_no_files_fails(tmp_path):
    result = nzsa("validate", tmp_path)
    assert result.returncode == 1
    assert "no files to validate" in result.stdout
    assert "checked 0 files" in result.stdout


def test_no_shapes_fails():
    result = nzsa("validate", FIXTURE / "ontology", FIXTURE / "data")
    assert result.returncode == 1
    assert "no shapes files" in result.stdout


def test_missing_path_is_a_usage_error(tmp_path):
    result = nzsa("validate", tmp_path / "nowhere.ttl")
    assert result.returncode == 2
    assert "nowhere.ttl" in result.stderr


def test_syntax_error_names_file_and_line(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    path = root / "data" / "facts.ttl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(13, "membership:broken a ;\n")
    path.write_text("".join(lines), encoding="utf-8")
    result = nzsa("validate", root, cwd=root)
    assert result.returncode == 2
    assert "data/facts.ttl" in result.stdout and "line 14" in result.stdout
    github = nzsa("validate", root, "--format", "github", cwd=root)
    assert github.stdout.startswith(
        "::error file=data/facts.ttl,line=14,title=nzsa validate (parse)::"
    )


def test_text_groups_by_file_and_subject(broken):
    result = nzsa("validate", broken, cwd=broken)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    at = lines.index("data/entities.ttl")
    assert lines[at + 1] == "  country:new-zealand, line 11"
    assert lines[at + 2].startswith("    error [terms] property skos:prefLabl is not declared")
    # The missing prefLabel follows from the misspelling: folded under it.
    assert lines[at + 3] == "      and 1 more caused by this:"
    assert result.stdout.rstrip().endswith("FAIL: 1 error (and 1 more caused by it)")


def test_github_annotations(broken):
    result = nzsa("validate", broken, "--format", "github", cwd=broken)
    assert result.returncode == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert (
        "::error file=data/entities.ttl,line=11,title=nzsa validate (terms)::country:new-zealand: "
        "property skos:prefLabl is not declared in the ontology; did you mean skos:prefLabel? "
        "(and 1 more caused by this)"
    ) in annotations
    assert any("title=nzsa validate (shacl)" in line for line in annotations)


def test_turtle_report(broken):
    result = nzsa("validate", broken, "--format", "turtle", cwd=broken)
    assert result.returncode == 1
    report = Graph().parse(data=result.stdout, format="turtle")
    [node] = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms).toPython() is False
    results = list(report.objects(node, SH.result))
    components = {str(report.value(r, SH.sourceConstraintComponent)) for r in results}
    assert NZSAV_TERMS in components
    assert str(SH.MinCountConstraintComponent) in components
    assert "FAIL" in result.stderr  # the summary stays off stdout


def test_turtle_report_when_conforming():
    result = nzsa("validate", FIXTURE, "--format", "turtle")
    assert result.returncode == 0
    report = Graph().parse(data=result.stdout, format="turtle")
    [node] = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms).toPython() is True
