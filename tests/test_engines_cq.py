"""The competency questions on every engine: embedded, `oxigraph serve` and Virtuoso 7.

Each engine holds a build of the bundled data (its inferred graph is the OWL 2 RL closure
the questions rely on) and answers each `tests/cq/*.rq` through the store interface, as
the endpoint does; the rows, as SPARQL CSV writes them, must be the expected `.csv`,
compared by value where engines write the same value differently (numbers, durations).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from nzsa.formats import BY_NAME
from nzsa.store.base import QueryRequest
from nzsa.store.oxigraph import OxigraphStore
from nzsa.store.remote import RemoteStore
from test_competency_questions import expected, questions

sys.path.insert(0, str(Path(__file__).parent / "browser"))
from realdata import real_build  # noqa: E402

ENGINES = ("embedded", "oxigraph", "virtuoso")


@pytest.fixture(scope="module", params=ENGINES)
def store(request, tmp_path_factory, engine_endpoint):
    build = real_build(tmp_path_factory.getbasetemp())
    if request.param == "embedded":
        opened = OxigraphStore(build, 1)
    else:
        opened = RemoteStore(engine_endpoint(request.param, build), timeout=30.0)
    yield opened
    opened.close()


def rows_of(body: bytes) -> tuple[list[str], set[tuple[str, ...]]]:
    """Read SPARQL CSV results, normalising numbers by value as the closure test does."""
    table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    return table[0], {tuple(normal(value) for value in row) for row in table[1:]}


# A documented engine difference: Virtuoso 7 gives a year-month xsd:duration back as its
# number of months ("P1Y" → "12"), and a day-time one as seconds ("PT1H" → "3600.0").
DURATION = re.compile(
    r"-?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?"
)


def normal(value: str) -> str:
    """Write a number by its value, as the expected answers do (`2700000.0` → `2700000`).

    A duration of whole years and months is written as its number of months.
    """
    found = DURATION.fullmatch(value)
    if found and value not in ("P", "-P") and not any(found.groups()[2:]):
        months = int(found.group(1) or 0) * 12 + int(found.group(2) or 0)
        return str(-months if value.startswith("-") else months)
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return format(number.normalize(), "f") if number.is_finite() else value


@pytest.mark.parametrize("query", questions(), ids=lambda p: p.stem)
def test_competency_question_on_every_engine(store, query: Path) -> None:
    request = QueryRequest(query.read_text(encoding="utf-8"), "SELECT", BY_NAME["csv"],
                           timeout=30.0)  # fmt: skip
    header, rows = rows_of(store.execute(request).body)
    want_header, want_rows = expected(query.with_suffix(".csv"))
    assert header == want_header
    assert rows == {tuple(normal(value) for value in row) for row in want_rows}
