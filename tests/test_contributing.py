"""CONTRIBUTING.md stays true: its examples are the data, its messages the validator's."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from nzsa.load import default_sources, load_project
from nzsa.validate.findings import STAGES
from nzsa.vocab import NZSA
from rdflib import BNode, Graph
from rdflib.namespace import OWL

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
MESSAGES = GUIDE.split("## Validation messages", 1)[1]
PACKAGE = ROOT / "server" / "nzsa"
CODE = "\n".join(
    path.read_text(encoding="utf-8")
    for path in [
        *PACKAGE.glob("validate/*.py"), *PACKAGE.glob("maintain/*.py"),
        PACKAGE / "load.py", PACKAGE / "project.py",
    ]
)  # fmt: skip
# A fixed part of each kind of message: in the validator's code and in the guide alike.
FRAGMENTS = [
    "no files to validate", "no shapes files (shapes/*.ttl) to validate against",
    "the shapes files hold no shapes", "the files hold no triples", "opens an IRI that is not",
    "is described again here, after line", "Turtle merges the two blocks; keep one",
    "is also described in", "keep each subject's description in one file",
    "is not declared in the ontology", "did you mean", "is an object property: its value must",
    "is a datatype property: its value must", "is not a valid", "the store would give",
    "the Turtle dumps would write", "so the dumps and the SPARQL endpoint would disagree",
    "the store cannot hold the literal", "which nothing describes", "it was described at",
    "inconsistent: ", "does not occur in", "the closest passage of the source differs at",
    "has no nzsa:textCopy", "does not exist", "is unreadable", "is no longer described",
    "is gone", "no release tag (v*) in", "its IRIs were not checked", "Renamed to ",
    "no nzsa project here or above",
]  # fmt: skip


def turtle_examples() -> list[str]:
    blocks = re.findall(r"^( *)```turtle\n(.*?)^\1```", GUIDE, flags=re.M | re.S)
    return [textwrap.dedent(body) for _, body in blocks]


@pytest.fixture(scope="module")
def data() -> Graph:
    return load_project(default_sources(ROOT)).data


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_its_messages_explained(stage):
    assert f"\n### {stage}" in MESSAGES


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_every_kind_of_message_is_the_validators_and_explained(fragment):
    assert fragment in CODE
    assert fragment in " ".join(MESSAGES.split())


def test_the_worked_examples_are_in_the_data(data):
    examples = [e for e in turtle_examples() if "owl:deprecated" not in e]
    assert len(examples) >= 6
    prefixes = "".join(f"PREFIX {p}: <{n}>\n" for p, n in data.namespaces())
    for example in examples:
        graph = Graph().parse(data=prefixes + example, format="turtle")
        for s, p, o in graph:
            if isinstance(s, BNode):
                continue
            if isinstance(o, BNode):
                # An evidence node: the data has one with the same quote and source.
                quote = graph.value(o, NZSA.quote)
                quotes = {data.value(e, NZSA.quote) for e in data.objects(s, p)}
                assert quote in quotes, (s, quote)
            else:
                assert (s, p, o) in data, (s, p, o)


def test_the_rename_example_is_a_valid_retirement():
    [example] = [e for e in turtle_examples() if "owl:deprecated" in e]
    graph = Graph().parse(
        data="PREFIX organisation: <https://w3id.org/nzsa/id/organisation/>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + example,
        format="turtle",
    )
    [old] = graph.subjects(OWL.deprecated, None)
    assert str(old).endswith("/european-union")
