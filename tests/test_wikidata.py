"""The Wikidata files a build writes: the linkset with its VoID counts, and QuickStatements
that only name checked ids, byte-identical from one build to the next."""

from __future__ import annotations

import csv
import os
import re
import subprocess
from pathlib import Path

import pytest
from fixture_data import ID, NZSA
from linking_data import linking_build, linking_project
from nzsa.build import is_current
from nzsa.load import project_root, sources_from_paths
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS, VOID, XSD

LINKSET = URIRef("https://w3id.org/nzsa/dataset/wikidata-links")
WIKIDATA = "http://www.wikidata.org/entity/"
STATEMENT = re.compile(r'^(Q[0-9]+)\tP2888\t"(https://w3id\.org/nzsa/id/[a-z0-9/-]+)"$')
# The checked list the project's data/wikidata-ids.csv copies.
REFERENCE = project_root().parent / "shared" / "reference" / "wikidata-ids.csv"


def build(project: Path, out: Path, seed: str = "0") -> Path:
    done = subprocess.run(
        [NZSA, "build", "--out", str(out), str(project)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONHASHSEED": seed},
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module", params=["fixture", "bundled"])
def built(request, tmp_path_factory) -> tuple[Path, Path]:
    """Return (project root, build folder) for the linking fixture and the bundled data."""
    folder = tmp_path_factory.mktemp("wikidata")
    project = linking_project(folder) if request.param == "fixture" else project_root()
    return project, build(project, folder / "build")


def listed(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return {row["wikidata_id"] for row in csv.DictReader(stream)}


def exact_matches(out: Path) -> set[tuple[URIRef, URIRef]]:
    graph = Graph().parse(out / "nzsa.nt", format="nt")
    return {
        (s, o) for s, o in graph.subject_objects(SKOS.exactMatch) if str(o).startswith(WIKIDATA)
    }


def test_linkset_holds_every_wikidata_link_and_void_counts_it(built):
    _, out = built
    links = exact_matches(out)
    assert links
    linkset = Graph().parse(out / "wikidata-links.nt", format="nt")
    assert set(linkset) == {(s, SKOS.exactMatch, o) for s, o in links}
    void = Graph().parse(out / "void.ttl", format="turtle")

    def count(predicate):
        return void.value(LINKSET, predicate)

    assert count(VOID.triples) == Literal(len(links), datatype=XSD.integer)
    assert count(VOID.distinctSubjects) == Literal(len({s for s, _ in links}), datatype=XSD.integer)
    assert count(VOID.distinctObjects) == Literal(len({o for _, o in links}), datatype=XSD.integer)
    assert count(VOID.dataDump) == URIRef("https://w3id.org/nzsa/download/wikidata-links.nt")
    assert "wikidata-links.nt" in (out / "SHA256SUMS").read_text()


def test_quickstatements_name_only_checked_ids_and_our_links(built):
    project, out = built
    lines = (out / "wikidata.qs").read_text(encoding="utf-8").splitlines()
    statements = [STATEMENT.match(line) for line in lines]
    assert lines and all(statements), lines
    pairs = {(m.group(1), m.group(2)) for m in statements}
    ids = listed(project / "data" / "wikidata-ids.csv")
    assert {qid for qid, _ in pairs} <= ids
    if REFERENCE.is_file():
        assert {qid for qid, _ in pairs} <= listed(REFERENCE)
    links = {(str(o)[len(WIKIDATA) :], str(s)) for s, o in exact_matches(out)}
    assert pairs == {(qid, iri) for qid, iri in links if qid in ids}
    assert [int(m.group(1)[1:]) for m in statements] == sorted(
        int(m.group(1)[1:]) for m in statements
    )


def test_an_unlisted_id_is_never_offered_to_wikidata(tmp_path):
    out = linking_build(tmp_path)
    text = (out / "wikidata.qs").read_text(encoding="utf-8")
    assert text == f'Q664\tP2888\t"{ID}country/new-zealand"\n'
    assert (URIRef(ID + "country/samoa"), URIRef(WIKIDATA + "Q683")) in exact_matches(out)


def test_two_builds_write_the_same_wikidata_files(tmp_path):
    project = linking_project(tmp_path)
    first = build(project, tmp_path / "first", seed="1")
    second = build(project, tmp_path / "second", seed="2")
    for name in sorted(p.name for p in first.iterdir() if p.is_file()):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_changed_id_list_makes_the_build_stale(tmp_path):
    project = linking_project(tmp_path)
    out = build(project, tmp_path / "out")
    sources = sources_from_paths([project])
    assert is_current(out, sources)
    ids = project / "data" / "wikidata-ids.csv"
    ids.write_text(ids.read_text() + "Samoa,Q683\n", encoding="utf-8")
    assert not is_current(out, sources)
