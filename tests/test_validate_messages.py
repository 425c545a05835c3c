"""The wording of each kind of validation message, made by one mistake in a copy of the fixture.

A maintainer who is not an RDF expert reads these: the root cause first, what follows from
it folded under it, the closest existing name, the line of the mistake.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from nzsa.load import parse_file, sources_from_paths
from nzsa.validate import validate
from nzsa.validate.formatters import format_github, format_text, report_graph
from nzsa.vocab import ID
from rdflib import RDF, SH, Namespace, URIRef

FIXTURE = Path(__file__).parent / "fixtures" / "validate" / "project"
NZSAV = Namespace("https://w3id.org/nzsa/validate#")
SUMMARY = "nzsa validate: checked 5 files, 250 triples, 13 shapes, 7 facts, 7 evidence quotes: "


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the fixture project, and the working directory in it (paths show short)."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    monkeypatch.chdir(root)
    return root


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def run(root: Path):
    return validate(sources_from_paths([root]))


def test_misspelt_class_shows_its_root_cause_first_and_folds_the_rest(project):
    edit(
        project / "data" / "entities.ttl",
        "organisation:pacific-islands-forum a nzsa:Organisation",
        "organisation:pacific-islands-forum a nzsa:Organisaton",
    )
    report = run(project)
    assert format_text(report).splitlines() == [
        "data/entities.ttl",
        "  organisation:pacific-islands-forum, line 31",
        "    error [terms] class nzsa:Organisaton is not declared in the ontology; "
        "did you mean nzsa:Organisation?",
        "      and 1 more caused by this:",
        "        data/facts.ttl:22, membership:samoa-pacific-islands-forum: error [shacl] "
        "org:organization: A membership names exactly one organisation. "
        "(value organisation:pacific-islands-forum)",
        SUMMARY + "FAIL: 1 error (and 1 more caused by it)",
    ]
    assert report.exit_code == 1


def test_folded_findings_in_github_annotations(project):
    edit(project / "data" / "entities.ttl", "a nzsa:Organisation", "a nzsa:Organisaton", 2)
    lines = format_github(run(project)).splitlines()
    assert lines[0] == (
        "::error file=data/entities.ttl,line=24,title=nzsa validate (terms)::"
        "organisation:asean-regional-forum: class nzsa:Organisaton is not declared in the "
        "ontology; did you mean nzsa:Organisation? (and 1 more caused by this)"
    )
    assert lines[2] == (
        "::error file=data/facts.ttl,line=14,title=nzsa validate (shacl)::"
        "caused by data/entities.ttl:24: membership:new-zealand-asean-regional-forum: "
        "org:organization: A membership names exactly one organisation. "
        "(value organisation:asean-regional-forum)"
    )
    assert lines[-1] == SUMMARY + "FAIL: 2 errors (and 2 more caused by them)"


def test_folded_findings_in_the_turtle_report(project):
    edit(project / "data" / "entities.ttl", "a nzsa:Organisation", "a nzsa:Organisaton", 1)
    graph = report_graph(run(project))
    [(follower, root)] = graph.subject_objects(NZSAV.causedBy)
    assert (follower, SH.sourceShape, None) in graph  # a SHACL result
    component = graph.value(root, SH.sourceConstraintComponent)
    assert component == NZSAV.TermsConstraintComponent
    assert (root, RDF.type, SH.ValidationResult) in graph


def test_misspelt_property_suggests_the_declared_one(project):
    edit(
        project / "data" / "entities.ttl", '    skos:prefLabel "Samoa"', '    skos:prefLabl "Samoa"'
    )
    assert format_text(run(project)).splitlines()[1:5] == [
        "  country:samoa, line 18",
        "    error [terms] property skos:prefLabl is not declared in the ontology; "
        "did you mean skos:prefLabel?",
        "      and 1 more caused by this:",
        "        data/entities.ttl:17, country:samoa: error [shacl] skos:prefLabel: "
        "An entity has exactly one English skos:prefLabel.",
    ]


def test_mistyped_reference_suggests_the_described_iri(project):
    edit(
        project / "data" / "facts.ttl",
        "org:organization organisation:pacific-islands-forum",
        "org:organization organisation:pacific-island-forum",
    )
    text = format_text(run(project)).splitlines()
    assert text[:5] == [
        "data/facts.ttl",
        "  membership:samoa-pacific-islands-forum, line 24",
        "    error [references] org:organization points to organisation:pacific-island-forum, "
        "which nothing describes; did you mean organisation:pacific-islands-forum?",
        "      and 1 more caused by this:",
        "        data/facts.ttl:22, membership:samoa-pacific-islands-forum: error [shacl] "
        "org:organization: A membership names exactly one organisation. "
        "(value organisation:pacific-island-forum)",
    ]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout


def test_renamed_iri_is_named_as_renamed_once_with_its_references_folded(project):
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "data")
    git(project, "switch", "-q", "-c", "rename")
    base = git(project, "rev-parse", "--short=7", "HEAD").strip()
    facts = project / "data" / "facts.ttl"
    # A second reference to the organisation, then the rename of its description only.
    edit(
        facts,
        "org:role role:member ;",
        "org:role role:member ; org:memberOf organisation:pacific-islands-forum ;",
    )
    edit(
        project / "data" / "entities.ttl",
        "organisation:pacific-islands-forum a",
        "organisation:pif a",
    )
    report = run(project)
    text = format_text(report).splitlines()
    assert text[2] == (
        "    error [references] org:memberOf points to organisation:pacific-islands-forum, "
        "which nothing describes; renamed to organisation:pif? it was described at the merge "
        f"base with main ({base}): point the references at its new IRI, and keep the old one "
        "with owl:deprecated true and dcterms:isReplacedBy (docs/MODELLING.md)"
    )
    assert text[3] == "      and 2 more caused by this:"
    assert sum(f.cause is None for f in report.errors) == 1


def test_iri_removed_since_the_last_release_is_named_as_renamed(project):
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "data")
    git(project, "tag", "v1.0.0")
    # Renamed and committed on main itself: only the release still describes the old IRI.
    edit(project / "data" / "entities.ttl", "country:samoa a", "country:samoa-renamed a")
    git(project, "commit", "-q", "-am", "rename")
    text = format_text(run(project)).splitlines()
    assert text[2] == (
        "    error [references] org:member points to country:samoa, which nothing describes; "
        "renamed to country:samoa-renamed? it was described at release v1.0.0: point the "
        "references at its new IRI, and keep the old one with owl:deprecated true and "
        "dcterms:isReplacedBy (docs/MODELLING.md)"
    )


def test_quote_shows_the_closest_passage_and_the_first_difference(project):
    source = project / "data" / "sources" / "regional-security.txt"
    edit(source, "We're a member", "We’re a member")
    text = format_text(run(project)).splitlines()
    assert text[1:7] == [
        "  [nzsa:evidence of membership:new-zealand-asean-regional-forum], line 19",
        '    error [evidence] quote "We\'re a member of the ASEAN Regional Forum" does not occur '
        "in source:regional-security: the closest passage of the source differs at character 3 "
        "of the quote:",
        "        quote:  We're a member of the ASEAN Regi",
        "        source: We’re a member of the ASEAN Regi",
        "                  ^ the quote has \"'\" (U+0027 APOSTROPHE), the source '’' "
        "(U+2019 RIGHT SINGLE QUOTATION MARK)",
        SUMMARY + "FAIL: 1 error",
    ]


def test_quote_with_a_hyphen_for_a_dash(project):
    source = project / "data" / "sources" / "regional-security.txt"
    edit(source, "Samoa is a member", "Samoa – a member")
    facts = project / "data" / "entities.ttl"
    edit(facts, '"Samoa is a member"', '"Samoa - a member"')
    text = format_text(run(project)).splitlines()
    assert text[3:6] == [
        "        quote:  Samoa - a member",
        "        source: Samoa – a member of the Pacific ",
        "                      ^ the quote has '-' (U+002D HYPHEN-MINUS), the source '–' "
        "(U+2013 EN DASH)",
    ]


def test_invalid_date_has_file_and_line_and_no_traceback(project, capfd):
    facts = project / "data" / "facts.ttl"
    edit(facts, "@prefix", "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix")
    edit(
        facts,
        "org:role role:member ;",
        'org:role role:member ;\n    nzsa:asOf "2024-02-30"^^xsd:date ;',
    )
    report = run(project)
    text = format_text(report)
    assert (
        "  membership:new-zealand-asean-regional-forum, line 19\n"
        "    error [terms] '2024-02-30' is not a valid xsd:date (day is out of range for month): "
        "write a date that exists, as YYYY-MM-DD\n"
    ) in text
    assert "Traceback" not in text + capfd.readouterr().err
    assert not any(f.stage == "reasoning" for f in report.findings)


def test_stray_angle_bracket_is_reported_on_its_line(project):
    path = project / "data" / "entities.ttl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[19] = lines[19].replace("nzsa:evidence [", "nzsa:evidence < [")
    path.write_text("".join(lines), encoding="utf-8")
    report = run(project)
    assert format_text(report).splitlines()[:3] == [
        "data/entities.ttl",
        "  line 20",
        "    error [parse] '<' opens an IRI that is not closed with '>' (a stray '<'?)",
    ]
    assert report.exit_code == 2


def test_unclosed_long_string_is_reported_on_its_line(project):
    edit(project / "data" / "entities.ttl", '"Samoa"@en', '"""Samoa"@en')
    assert format_text(run(project)).splitlines()[1:3] == [
        "  line 18",
        '    error [parse] the string opened with """ on this line is never closed',
    ]


def test_subject_described_in_two_blocks_of_one_file(project):
    path = project / "data" / "entities.ttl"
    path.write_text(
        path.read_text(encoding="utf-8") + '\ncountry:samoa skos:altLabel "Samoa"@en .\n',
        encoding="utf-8",
    )
    report = run(project)
    assert format_text(report).splitlines()[:3] == [
        "data/entities.ttl",
        "  country:samoa, line 45",  # the 43 lines, an empty one, then the new block
        "    warning [parse] country:samoa is described again here, after line 17: "
        "Turtle merges the two blocks; keep one",
    ]
    assert report.exit_code == 0


def test_subject_described_in_two_files(project):
    facts = project / "data" / "facts.ttl"
    facts.write_text(
        facts.read_text(encoding="utf-8") + '\ncountry:samoa skos:altLabel "Samoa"@en .\n',
        encoding="utf-8",
    )
    text = format_text(run(project))
    assert (
        "data/facts.ttl\n"
        "  country:samoa, line 30\n"  # the 28 lines, an empty one, then the new block
        "    warning [parse] country:samoa is also described in data/entities.ttl:17: "
        "keep each subject's description in one file\n"
    ) in text


BUNDLED = Path(__file__).resolve().parents[1]


def test_bundled_data_one_misspelt_class_and_one_renamed_iri_are_two_errors(tmp_path):
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(BUNDLED / folder, tmp_path / folder)
    graphs = {path: parse_file(path) for path in sorted((tmp_path / "data").glob("*.ttl"))}
    uses = Counter(
        o for g in graphs.values() for _, p, o in g if p != RDF.type and str(o).startswith(ID)
    )
    # The most referenced thing is renamed; the next one's class is misspelt.
    renamed, misspelt = (iri for iri, _ in uses.most_common(2))
    for path, graph in graphs.items():
        changed = False
        for _, p, o in list(graph.triples((renamed, None, None))):
            graph.remove((renamed, p, o))
            graph.add((URIRef(str(renamed) + "-renamed"), p, o))
            changed = True
        for _, _, cls in list(graph.triples((misspelt, RDF.type, None))):
            graph.remove((misspelt, RDF.type, cls))
            graph.add((misspelt, RDF.type, URIRef(str(cls) + "x")))
            changed = True
        if changed:
            path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    report = validate(sources_from_paths([tmp_path]))
    roots = [f for f in report.errors if f.cause is None]
    assert sorted(f.kind for f in roots) == ["dangling", "unknown-class"], format_text(report)
    by_kind = {f.kind: f for f in roots}
    assert by_kind["dangling"].value == renamed
    assert by_kind["unknown-class"].subject == misspelt
    assert len(report.errors) > uses[renamed]  # every use of the old IRI, folded
