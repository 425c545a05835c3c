"""The validator catches each bad change, made to a copy of the bundled data (and the fixture)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nzsa.load import parse_file, project_root, sources_from_paths
from nzsa.validate import validate
from nzsa.vocab import ID, NZSA
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

FIXTURE = Path(__file__).parent / "fixtures" / "validate" / "project"
BUNDLED = project_root()


def has_data(root: Path) -> bool:
    return any((root / "data").glob("*.ttl")) and any((root / "shapes").glob("*.ttl"))


def copy_project(root: Path, into: Path) -> Path:
    """Copy the ontology, data (with text copies) and shapes of `root` into `into`."""
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(root / folder, into / folder)
    return into


def files(root: Path, role: str) -> list[Path]:
    return sorted((root / role).glob("*.ttl"))


def rewrite(path: Path, graph: Graph) -> None:
    path.write_text(graph.serialize(format="turtle"), encoding="utf-8")


def ontology(root: Path) -> Graph:
    graph = Graph()
    for path in files(root, "ontology"):
        parse_file(path, graph)
    return graph


def first(root: Path, role: str, match) -> tuple[Path, Graph, tuple]:
    """Find the first triple (in sorted order) of a file of `role` that `match` accepts."""
    for path in files(root, role):
        graph = parse_file(path)
        for triple in sorted(graph):
            if match(graph, triple):
                return path, graph, triple
    raise LookupError("no triple to change")


def is_instance(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(ID))


def remove_label(root: Path) -> URIRef:
    """Remove every skos:prefLabel of one typed instance."""

    def match(graph, t):
        return t[1] == SKOS.prefLabel and is_instance(t[0]) and (t[0], RDF.type, None) in graph

    path, graph, (s, _, _) = first(root, "data", match)
    graph.remove((s, SKOS.prefLabel, None))
    rewrite(path, graph)
    return s


def remove_term_label(root: Path) -> URIRef:
    """Remove the rdfs:label of one of our own classes."""

    def match(graph, t):
        return t[1] == RDFS.label and str(t[0]).startswith(str(NZSA))

    path, graph, (s, _, _) = first(root, "ontology", match)
    graph.remove((s, RDFS.label, None))
    rewrite(path, graph)
    return s


def misspell_property(root: Path) -> URIRef:
    """Misspell one use of one of our properties."""

    def match(graph, t):
        return is_instance(t[0]) and str(t[1]).startswith(str(NZSA))

    path, graph, (s, p, o) = first(root, "data", match)
    graph.remove((s, p, o))
    graph.add((s, URIRef(str(p) + "Typo"), o))
    rewrite(path, graph)
    return s


def _object_link(root: Path):
    object_properties = set(ontology(root).subjects(RDF.type, OWL.ObjectProperty))

    def match(graph, t):
        return is_instance(t[0]) and t[1] in object_properties and is_instance(t[2])

    return first(root, "data", match)


def literal_for_iri(root: Path) -> URIRef:
    """Replace the IRI value of an object property by a literal."""
    path, graph, (s, p, o) = _object_link(root)
    graph.remove((s, p, o))
    graph.add((s, p, Literal(str(o).rsplit("/", 1)[-1])))
    rewrite(path, graph)
    return s


def dangle(root: Path) -> URIRef:
    """Point an object property at an IRI that nothing describes."""
    path, graph, (s, p, o) = _object_link(root)
    graph.remove((s, p, o))
    graph.add((s, p, ID["country/atlantis"]))
    rewrite(path, graph)
    return s


def misquote(root: Path) -> None:
    """Change one evidence quote to words no source contains."""
    path, graph, (s, p, o) = first(root, "data", lambda g, t: t[1] == NZSA.quote)
    graph.set((s, p, Literal("words that appear in no source document at all")))
    rewrite(path, graph)


def break_syntax(root: Path) -> tuple[Path, int]:
    """Append a statement without an object; return the file and the line of the error."""
    path = files(root, "data")[0]
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    line = text.count("\n") + 1
    bad = "<https://w3id.org/nzsa/id/country/x> <https://w3id.org/nzsa/ontology#p> .\n"
    path.write_text(text + bad, encoding="utf-8")
    return path, line


def _typed_instance(root: Path, cls: URIRef, onto: Graph) -> tuple[Path, Graph, URIRef] | None:
    subclasses = set(onto.transitive_subjects(RDFS.subClassOf, cls))
    for path in files(root, "data"):
        graph = parse_file(path)
        for s in sorted(graph.subjects(RDF.type, None)):
            if is_instance(s) and set(graph.objects(s, RDF.type)) & subclasses:
                return path, graph, s
    return None


def disjoint_pairs(onto: Graph) -> list[tuple[URIRef, URIRef]]:
    pairs = [(a, b) for a, b in onto.subject_objects(OWL.disjointWith)]
    for group in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(onto.items(onto.value(group, OWL.members)))
        pairs += [(a, b) for a in members for b in members if a != b]
    return sorted(p for p in pairs if all(isinstance(c, URIRef) for c in p))


def make_disjoint(root: Path) -> URIRef | None:
    """Type an instance of a class also as a class disjoint with it."""
    onto = ontology(root)
    for a, b in disjoint_pairs(onto):
        found = _typed_instance(root, a, onto)
        if found:
            path, graph, s = found
            graph.add((s, RDF.type, b))
            rewrite(path, graph)
            return s
    return None


def make_nothing(root: Path) -> URIRef:
    """Type one instance as owl:Nothing."""
    path, graph, (s, _, _) = first(
        root, "data", lambda g, t: t[1] == RDF.type and is_instance(t[0])
    )
    graph.add((s, RDF.type, OWL.Nothing))
    rewrite(path, graph)
    return s


@pytest.fixture(
    params=[
        pytest.param(FIXTURE, id="fixture"),
        pytest.param(BUNDLED, id="bundled"),
    ]
)
def project(request, tmp_path) -> Path:
    """A copy of a project, to change."""
    if not has_data(request.param):
        pytest.skip("the bundled data/ or shapes/ folder is empty")
    return copy_project(request.param, tmp_path / "project")


def check(root: Path):
    return validate(sources_from_paths([root]))


def stages_about(report, subject=None) -> set[str]:
    return {f.stage for f in report.errors if subject is None or f.subject == subject}


def test_unchanged_copy_conforms(project):
    report = check(project)
    assert report.exit_code == 0, [f.message for f in report.findings]
    assert report.counts.facts > 0 and report.counts.shapes > 0


def test_removed_label(project):
    subject = remove_label(project)
    report = check(project)
    assert report.exit_code == 1
    assert "shacl" in stages_about(report, subject)


def test_removed_term_label(project):
    subject = remove_term_label(project)
    report = check(project)
    assert report.exit_code == 1
    assert "shacl" in stages_about(report, subject)


def test_undeclared_property(project):
    subject = misspell_property(project)
    report = check(project)
    assert report.exit_code == 1
    [finding] = [f for f in report.errors if f.stage == "terms"]
    assert finding.subject == subject and "Typo is not declared" in finding.message
    assert finding.file.parent.name == "data" and finding.line


def test_literal_where_iri_required(project):
    subject = literal_for_iri(project)
    report = check(project)
    assert report.exit_code == 1
    assert "terms" in stages_about(report, subject)
    assert any("must be an IRI" in f.message for f in report.errors)


def test_dangling_reference(project):
    subject = dangle(project)
    report = check(project)
    assert report.exit_code == 1
    [finding] = [f for f in report.errors if f.stage == "references"]
    assert finding.subject == subject and "country/atlantis" in str(finding.value)


def test_quote_not_in_source(project):
    misquote(project)
    report = check(project)
    assert report.exit_code == 1
    [finding] = [f for f in report.errors if f.stage == "evidence"]
    assert "does not occur" in finding.message and finding.line


def test_missing_text_copy(project):
    for text in (project / "data" / "sources").glob("*.txt"):
        text.unlink()
    report = check(project)
    assert report.exit_code == 1
    assert any("does not exist" in f.message for f in report.errors if f.stage == "evidence")


def test_syntax_error_names_file_and_line(project):
    path, line = break_syntax(project)
    report = check(project)
    assert report.exit_code == 2
    [finding] = report.errors
    assert (finding.stage, finding.file, finding.line) == ("parse", path, line)
    assert report.stages_run == ("inputs", "parse")


def test_disjointness_contradiction(project):
    subject = make_disjoint(project)
    if subject is None:
        pytest.skip("the ontology declares no disjoint classes with instances")
    report = check(project)
    assert report.exit_code == 1
    [finding] = [f for f in report.errors if f.stage == "reasoning" and "isjoint" in f.message]
    assert finding.subject == subject and finding.file and finding.line


def test_nothing_contradiction(project):
    subject = make_nothing(project)
    report = check(project)
    assert report.exit_code == 1
    assert "reasoning" in stages_about(report, subject)
