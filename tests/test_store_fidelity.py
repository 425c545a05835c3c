"""`nzsa validate` refuses literals that the store or the dumps would not give back as written.

The build's own round trip (nzsa.nq through the embedded store) is in test_build.py; here the
validator's check (nzsa.validate.literals) on the datatypes we publish and on changed copies
of the fixture project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nzsa.load import sources_from_paths
from nzsa.validate import validate
from nzsa.validate.literals import store_forms, turtle_forms, written
from rdflib import Literal, URIRef, namespace

FIXTURE = Path(__file__).parent / "fixtures" / "validate" / "project"

# One literal of each kind the ontology, data and shapes publish.
PUBLISHED = [
    Literal("a quote"),
    Literal("New Zealand", lang="en"),
    Literal("https://www.mfat.govt.nz/", datatype=namespace.XSD.anyURI),
    Literal("2024-03-01", datatype=namespace.XSD.date),
    Literal("P1Y", datatype=namespace.XSD.duration),
    Literal("2014", datatype=namespace.XSD.gYear),
    Literal("2014-10", datatype=namespace.XSD.gYearMonth),
    Literal("6000", datatype=namespace.XSD.integer),
    Literal("2700000", datatype=namespace.XSD.integer),
    Literal("2.5", datatype=namespace.XSD.decimal),  # an amount that is not whole
]


@pytest.mark.parametrize("literal", PUBLISHED, ids=lambda lit: lit.n3())
def test_published_kinds_survive_store_and_turtle(literal):
    assert store_forms([literal]) == [written(literal)]
    assert turtle_forms([literal]) == [written(literal)]


@pytest.mark.parametrize(
    "literal, problem",
    [
        # Derived integer types come back as xsd:integer.
        ('"3"^^xsd:positiveInteger', 'the store would give "3"^^xsd:positiveInteger back as'),
        ('"3"^^xsd:nonNegativeInteger', 'back as "3"^^xsd:integer'),
        # Canonical forms: the store drops a whole decimal's ".0" ...
        ("2700000.0", 'back as "2700000"^^xsd:decimal'),
        # ... and the Turtle writer puts it back.
        ('"2700000"^^xsd:decimal', 'the Turtle dumps would write "2700000"^^xsd:decimal as'),
        ('"Samoa"@sm-WS', 'back as "Samoa"@sm-ws'),
    ],
)
def test_validate_refuses_a_literal_that_would_change(tmp_path, literal, problem):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    entities = project / "data" / "entities.ttl"
    text = entities.read_text(encoding="utf-8")
    prefixes = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    prefixes += "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    addition = f"\ncountry:samoa rdfs:comment {literal} .\n"
    entities.write_text(prefixes + text + addition, encoding="utf-8")

    report = validate(sources_from_paths([project]))
    found = [f for f in report.errors if f.stage == "terms"]
    assert len(found) == 1, [f.message for f in report.errors]
    [finding] = found
    assert problem in finding.message
    assert "the dumps and the SPARQL endpoint would disagree" in finding.message
    assert finding.file == entities and finding.line is not None
    assert finding.subject == URIRef("https://w3id.org/nzsa/id/country/samoa")


def test_whole_decimal_is_told_to_be_an_integer(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    entities = project / "data" / "entities.ttl"
    text = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    text += entities.read_text(encoding="utf-8") + "\ncountry:samoa rdfs:comment 2700000.0 .\n"
    entities.write_text(text, encoding="utf-8")
    [finding] = [f for f in validate(sources_from_paths([project])).errors if f.stage == "terms"]
    assert finding.message.endswith(
        'write a whole number as an xsd:integer, "2700000"^^xsd:integer'
    )


def test_fixture_project_passes():
    report = validate(sources_from_paths([FIXTURE]))
    assert [f.message for f in report.errors] == []
