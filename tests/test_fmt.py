"""`nzsa fmt`: one canonical Turtle layout, the graph unchanged, idempotent, deterministic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nzsa.load import default_sources, project_root
from nzsa.maintain.comments import find_comments
from nzsa.maintain.fmt import format_file, format_turtle
from rdflib import Graph
from rdflib.compare import isomorphic

NZSA = Path(sys.executable).with_name("nzsa")
REPOSITORY_FILES = [p for p in default_sources(project_root()).all if p.suffix == ".ttl"]

# A fact with three pieces of evidence, written in no particular order: blank nodes
# get fresh random ids on every parse, which once decided their order in the output.
UNORDERED = """\
# Facts from the regional security page.
# Kept here while the page is reviewed.

PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX unused: <https://example.org/unused#>
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX source: <https://w3id.org/nzsa/id/source/>
PREFIX membership: <https://w3id.org/nzsa/id/membership/>
PREFIX country: <https://w3id.org/nzsa/id/country/>
PREFIX organisation: <https://w3id.org/nzsa/id/organisation/>

membership:nz-b a nzsa:Membership ; org:organization organisation:b ;
  nzsa:evidence [ nzsa:quote "zeta" ; prov:wasQuotedFrom source:s2 ; a nzsa:Evidence ] ,
    [ a nzsa:Evidence ; nzsa:quote "alpha" ; prov:wasQuotedFrom source:s2 ] ,
    [ a nzsa:Evidence ; nzsa:quote "mu" ; prov:wasQuotedFrom source:s1 ] ;
  org:member country:new-zealand .
membership:nz-a a nzsa:Membership ; org:member country:new-zealand ;
  org:organization organisation:a ; nzsa:startDate "2001"^^xsd:gYear ;
  nzsa:evidence [ a nzsa:Evidence ; nzsa:quote "one" ; prov:wasQuotedFrom source:s1 ] .
"""

CANONICAL = """\
# Facts from the regional security page.
# Kept here while the page is reviewed.

PREFIX country: <https://w3id.org/nzsa/id/country/>
PREFIX membership: <https://w3id.org/nzsa/id/membership/>
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX organisation: <https://w3id.org/nzsa/id/organisation/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX source: <https://w3id.org/nzsa/id/source/>
PREFIX unused: <https://example.org/unused#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

membership:nz-a
    a nzsa:Membership ;
    org:member country:new-zealand ;
    org:organization organisation:a ;
    nzsa:evidence
        [
            a nzsa:Evidence ;
            prov:wasQuotedFrom source:s1 ;
            nzsa:quote "one" ;
        ] ;
    nzsa:startDate "2001"^^xsd:gYear ;
.

membership:nz-b
    a nzsa:Membership ;
    org:member country:new-zealand ;
    org:organization organisation:b ;
    nzsa:evidence
        [
            a nzsa:Evidence ;
            prov:wasQuotedFrom source:s1 ;
            nzsa:quote "mu" ;
        ] ,
        [
            a nzsa:Evidence ;
            prov:wasQuotedFrom source:s2 ;
            nzsa:quote "alpha" ;
        ] ,
        [
            a nzsa:Evidence ;
            prov:wasQuotedFrom source:s2 ;
            nzsa:quote "zeta" ;
        ] ;
.
"""


def nzsa(*args, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script."""
    return subprocess.run(
        [str(NZSA), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def parse(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle", publicID="file:///x.ttl")


def test_the_layout_is_pinned():
    assert format_turtle(UNORDERED, Path("x.ttl")) == CANONICAL


@pytest.mark.parametrize("path", REPOSITORY_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_repository_file_keeps_its_graph_and_formats_idempotently(path):
    formatted = format_file(path).text
    original = Graph().parse(path, format="turtle")
    assert isomorphic(original, parse(formatted))
    assert format_turtle(formatted, path) == formatted
    # Prefixes kept: exactly the ones the file declares.
    declared = {p for p, _ in Graph(bind_namespaces="none").parse(path).namespaces()}
    written = {p for p, _ in Graph(bind_namespaces="none").parse(data=formatted).namespaces()}
    assert written == declared
    # No trailing spaces and no whitespace-only lines (longturtle leaves both).
    assert not [line for line in formatted.splitlines() if line != line.rstrip()]


def test_the_repository_is_in_the_canonical_layout():
    unformatted = [
        str(p.relative_to(project_root())) for p in REPOSITORY_FILES if format_file(p).changed
    ]
    assert unformatted == [], "run `nzsa fmt`"


def test_any_other_layout_of_the_same_graph_formats_alike():
    # rdflib's plain Turtle writer orders and nests differently (and drops unused prefixes).
    graph = Graph(bind_namespaces="none").parse(data=UNORDERED, format="turtle")
    other = graph.serialize(format="turtle")
    head = "".join(c.text + "\n" for c in find_comments(UNORDERED) if c.at_head) + "\n"
    expected = CANONICAL.replace("PREFIX unused: <https://example.org/unused#>\n", "")
    assert format_turtle(head + other, Path("x.ttl")) == expected


def test_evidence_order_is_the_same_in_every_process(tmp_path):
    outputs = set()
    for seed in ("1", "2", "3"):
        path = tmp_path / "facts.ttl"
        path.write_text(UNORDERED, encoding="utf-8")
        result = nzsa("fmt", path, env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.add(path.read_text(encoding="utf-8"))
    assert outputs == {CANONICAL}


def test_check_lists_files_that_differ_and_changes_nothing(tmp_path):
    (tmp_path / "data").mkdir()
    messy = tmp_path / "data" / "messy.ttl"
    tidy = tmp_path / "data" / "tidy.ttl"
    messy.write_text(UNORDERED, encoding="utf-8")
    tidy.write_text(CANONICAL, encoding="utf-8")
    result = nzsa("fmt", "--check", tmp_path / "data", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "would reformat data/messy.ttl\n"
    assert messy.read_text(encoding="utf-8") == UNORDERED

    assert nzsa("fmt", tmp_path / "data", cwd=tmp_path).returncode == 0
    assert messy.read_text(encoding="utf-8") == CANONICAL
    result = nzsa("fmt", "--check", tmp_path / "data", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_without_paths_it_formats_the_project(tmp_path):
    root = tmp_path / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(project_root() / folder, root / folder)
    (root / "data" / "new.ttl").write_text(UNORDERED, encoding="utf-8")
    result = nzsa("fmt", cwd=root, env={"NZSA_ROOT": str(root)})
    assert result.returncode == 0, result.stderr
    assert "reformatted data/new.ttl" in result.stdout.splitlines()
    result = nzsa("fmt", "--check", cwd=root, env={"NZSA_ROOT": str(root)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_comment_inside_the_file_is_refused_not_dropped(tmp_path):
    path = tmp_path / "facts.ttl"
    lines = CANONICAL.splitlines(keepends=True)
    lines.insert(17, "    # the year is from the annual report\n")
    text = "".join(lines)
    path.write_text(text, encoding="utf-8")
    result = nzsa("fmt", path)
    assert result.returncode == 2
    assert f"{path}: comment on line 18 would be lost" in result.stderr
    assert path.read_text(encoding="utf-8") == text


def test_hashes_in_iris_and_strings_are_not_comments():
    text = '<https://x.org/a#b> <https://x.org/p> "no # comment", """nor\n# this""" . # this\n'
    assert [(c.line, c.text) for c in find_comments(text)] == [(2, "# this")]


def test_a_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "broken.ttl"
    lines = CANONICAL.splitlines(keepends=True)
    lines[15] = lines[15].replace("org:member", "org:member <")
    path.write_text("".join(lines), encoding="utf-8")
    result = nzsa("fmt", path)
    assert result.returncode == 2
    assert f"nzsa fmt: {path}:" in result.stderr
