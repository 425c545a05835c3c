"""One-pattern lookups run in the server process; every other query still in an executor.

A query is answered in process only when one scan of one index, stopped at the result
cap, answers it (store/bounded.py). The rest keep their executor, and with it the time
limit that kills them.
"""

from __future__ import annotations

import json
import threading

import pytest
from fixture_data import ID, SKOS, write_fixture_build
from nzsa.formats import BY_NAME
from nzsa.store.base import QueryRequest, QueryTimeout
from nzsa.store.bounded import one_pattern
from nzsa.store.oxigraph import OxigraphStore

NZ = ID + "country/new-zealand"
JOINS = " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12))
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + JOINS + " }"


@pytest.mark.parametrize(
    ("text", "bounded"),
    [
        pytest.param(f"SELECT ?p ?o WHERE {{ <{NZ}> ?p ?o }}", True, id="lookup"),
        pytest.param(f"select * {{ <{NZ}> ?p ?o . }} LIMIT 10 OFFSET 20", True, id="star-limit"),
        pytest.param(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            'SELECT ?s WHERE { ?s skos:prefLabel "New Zealand"@en }',
            True,
            id="label",
        ),  # fmt: skip
        pytest.param(
            'SELECT ?s { ?s ?p "1"^^<http://www.w3.org/2001/XMLSchema#integer> }',
            True,
            id="typed-literal",
        ),  # fmt: skip
        pytest.param("SELECT ?s ?o { ?s a ?o }", True, id="a"),
        pytest.param("SELECT ?s ?p ?o { ?s ?p ?o } LIMIT 5", True, id="everything-capped"),
        pytest.param("SELECT ?x { ?x ?p ?x }", False, id="repeated-variable"),
        pytest.param("SELECT ?x { ?x ?p $x }", False, id="repeated-variable-dollar"),
        pytest.param("SELECT DISTINCT ?p { ?s ?p ?o }", False, id="distinct"),
        pytest.param("SELECT ?s { ?s ?p ?o } ORDER BY ?s", False, id="order-by"),
        pytest.param("SELECT ?s { ?s ?p ?o } OFFSET 1000000", False, id="deep-offset"),
        pytest.param("SELECT ?s { ?s ?p ?o FILTER(?o = 1) }", False, id="filter"),
        pytest.param("SELECT ?s { ?s ?p ?o . ?o ?q ?r }", False, id="join"),
        pytest.param("SELECT ?s { ?s <http://x/p>* ?o }", False, id="path"),
        pytest.param("SELECT ?s { ?s ?p ?o ; ?q ?r }", False, id="two-patterns"),
        pytest.param("SELECT ?s FROM <http://x/g> { ?s ?p ?o }", False, id="from"),
        pytest.param("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", False, id="aggregate"),
        pytest.param("SELECT ?s { { SELECT ?s { ?s ?p ?o } } }", False, id="subquery"),
        pytest.param("ASK { ?s ?p ?o }", False, id="ask"),
        pytest.param("SELECT ?s { ?s ?p ?o } VALUES ?s { <http://x/a> }", False, id="values"),
        pytest.param(SLOW, False, id="cross-product"),
    ],
)
def test_which_queries_are_bounded(text, bounded):
    assert one_pattern(text) is bounded


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    opened = OxigraphStore(write_fixture_build(tmp_path_factory.mktemp("bounded")), executors=1)
    yield opened
    opened.close()


def test_a_lookup_is_answered_while_the_only_executor_is_busy(store):
    """The lookup does not wait for the executor, and the slow query is still stopped."""
    outcome = {}

    def slow():
        try:
            store.execute(QueryRequest(SLOW, "SELECT", BY_NAME["json"], timeout=3.0))
        except QueryTimeout as error:
            outcome["slow"] = error

    running = threading.Thread(target=slow)
    running.start()
    text = f"SELECT ?label {{ <{NZ}> <{SKOS}prefLabel> ?label }}"
    answer = store.execute(QueryRequest(text, "SELECT", BY_NAME["json"], timeout=3.0))
    assert running.is_alive(), "the lookup waited for the executor"
    labels = {row["label"]["value"] for row in json.loads(answer.body)["results"]["bindings"]}
    assert "New Zealand" in labels
    running.join()
    assert isinstance(outcome.get("slow"), QueryTimeout)


def test_a_lookup_in_process_is_capped_like_any_answer(store):
    answer = store.execute(
        QueryRequest("SELECT ?s ?p ?o { ?s ?p ?o }", "SELECT", BY_NAME["json"], max_results=7)
    )
    assert answer.truncated and answer.row_count == 7
    assert len(json.loads(answer.body)["results"]["bindings"]) == 7


def test_a_lookup_past_its_deadline_is_not_run(store):
    text = f"SELECT ?p ?o {{ <{NZ}> ?p ?o }}"
    with pytest.raises(QueryTimeout):
        store.execute(QueryRequest(text, "SELECT", BY_NAME["json"], deadline=0.0))
