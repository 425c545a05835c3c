"""The competency questions in tests/cq/ give their expected answers.

Each `NN-name.rq` runs over the ontology and data expanded with the OWL 2 RL closure (owlrl), so
that the shortcut relations derived by property chains can be queried; its answers, compared as a
set of rows, must equal `NN-name.csv` (SPARQL CSV results: a header row of variable names, IRIs
in full, literals by their lexical form, unbound as empty).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal

ROOT = Path(__file__).resolve().parents[1]
CQ = ROOT / "tests" / "cq"


@pytest.fixture(scope="session")
def closure() -> Graph:
    """Ontology and data with their OWL 2 RL closure, computed once per session (it is slow)."""
    graph = Graph()
    graph.parse(ROOT / "ontology" / "nzsa.ttl")
    for path in sorted((ROOT / "data").glob("*.ttl")):
        graph.parse(path)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def cell(term) -> str:
    """A result term as SPARQL CSV writes it."""
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype is not None and term.value is not None:
        # Compare numbers by value: the reasoner may rewrite a lexical form ("2700000.0").
        if isinstance(term.value, Decimal):
            return format(term.value.normalize(), "f")
        if isinstance(term.value, int) and not isinstance(term.value, bool):
            return str(term.value)
    return str(term)


def answers(graph: Graph, query: str) -> tuple[list[str], set[tuple[str, ...]]]:
    result = graph.query(query)
    return [str(v) for v in result.vars], {tuple(cell(t) for t in row) for row in result}


def expected(path: Path) -> tuple[list[str], set[tuple[str, ...]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], {tuple(row) for row in rows[1:]}


def questions() -> list[Path]:
    return sorted(CQ.glob("*.rq"))


def test_there_are_enough_questions() -> None:
    assert len(questions()) >= 25
    for query in questions():
        assert query.with_suffix(".csv").exists(), query.name
        assert query.read_text(encoding="utf-8").startswith("# "), query.name


@pytest.mark.parametrize("query", questions(), ids=lambda p: p.stem)
def test_competency_question(closure: Graph, query: Path) -> None:
    header, rows = answers(closure, query.read_text(encoding="utf-8"))
    want_header, want_rows = expected(query.with_suffix(".csv"))
    assert header == want_header
    assert rows == want_rows
