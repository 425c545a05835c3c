"""The store contract on every engine: embedded pyoxigraph, `oxigraph serve` and Virtuoso 7.

The remote engines are private instances on loopback holding the same build. Answers are
compared by meaning (rows as multisets, or as lists under ORDER BY; graphs isomorphic),
not byte for byte: engines write the same results differently.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pyoxigraph as ox
import pytest
import requests
from fixture_data import GRAPH, ID, SKOS, write_fixture_build
from nzsa.formats import BY_NAME
from nzsa.store.base import QueryRejected, QueryRequest
from nzsa.store.oxigraph import OxigraphStore
from nzsa.store.remote import RemoteStore
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

NZ = URIRef(ID + "country/new-zealand")
REMOTE_ENGINES = ("oxigraph", "virtuoso")
RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    store = OxigraphStore(write_fixture_build(tmp_path_factory.mktemp("embedded")), 1)
    yield store
    store.close()


@pytest.fixture(scope="module", params=REMOTE_ENGINES)
def remote(request, engine_endpoint, fixture_build):
    store = RemoteStore(engine_endpoint(request.param, fixture_build), timeout=5.0)
    yield store
    store.close()


def solutions(body: bytes, fmt: str) -> list[tuple[str, ...]]:
    """Return a results document's rows as tuples of N-Triples terms ('' for unbound)."""
    if fmt == "csv":
        return [tuple(row) for row in csv.reader(io.StringIO(body.decode()))][1:]
    parsed = ox.parse_query_results(body, RESULTS[fmt])
    if isinstance(parsed, ox.QueryBoolean):
        return [(str(bool(parsed)),)]
    return [tuple("" if t is None else str(t) for t in row) for row in parsed]


def same_rows(here: bytes, there: bytes, fmt: str, ordered: bool) -> bool:
    """Return whether two results documents hold the same rows (in order, if ordered).

    Order is compared on the first column only: engines order different kinds of term
    differently (Virtuoso puts literals before IRIs, SPARQL 1.1 §15.1 the other way round).
    """
    mine, theirs = solutions(here, fmt), solutions(there, fmt)
    if ordered and [row[:1] for row in mine] != [row[:1] for row in theirs]:
        return False
    return Counter(mine) == Counter(theirs)


QUERIES = [
    pytest.param("SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s ?o", "SELECT", "json", {}, id="select-all"),
    pytest.param("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "SELECT", "xml", {}, id="count-union"),
    pytest.param(
        "SELECT ?s { ?s ?p ?o } ORDER BY ?s",
        "SELECT",
        "csv",
        {"default_graph_uris": [GRAPH + "ontology"]},
        id="default-graph-uri",
    ),
    pytest.param(
        "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
        "SELECT",
        "tsv",
        {"named_graph_uris": [GRAPH + "data", GRAPH + "shapes"]},
        id="named-graph-uri",
    ),
    pytest.param(
        "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
        "SELECT",
        "json",
        {},
        id="only-published-graphs",
    ),
    pytest.param("ASK { ?s a ?type }", "ASK", "json", {}, id="ask"),
    pytest.param(
        "SELECT ?label { ?s ?p ?label FILTER(isLiteral(?label)) }", "SELECT", "tsv", {}, id="tsv"
    ),
    pytest.param(
        "SELECT ?s { ?s ?p ?o } ORDER BY ?s", "SELECT", "json", {"max_results": 3}, id="capped"
    ),
]


@pytest.mark.parametrize(("text", "form", "fmt", "options"), QUERIES)
def test_remote_and_embedded_give_the_same_answer(embedded, remote, text, form, fmt, options):
    request = QueryRequest(text, form, BY_NAME[fmt], **options)
    here, there = embedded.execute(request), remote.execute(request)
    assert same_rows(here.body, there.body, fmt, ordered="ORDER BY" in text)
    assert (here.truncated, here.row_count) == (there.truncated, there.row_count)


def test_the_remote_dataset_is_the_published_graphs_only(remote, fixture_triple_count):
    request = QueryRequest("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "SELECT", BY_NAME["json"])
    answer = json.loads(remote.execute(request).body)
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == fixture_triple_count


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml"])
def test_remote_construct_is_the_same_graph(embedded, remote, fmt):
    request = QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", BY_NAME[fmt])
    graphs = [
        Graph().parse(data=store.execute(request).body, format=BY_NAME[fmt].rdflib_format)
        for store in (embedded, remote)
    ]
    assert len(graphs[0]) == 41
    assert isomorphic(*graphs)


def test_remote_select_and_construct_with_bindings(embedded, remote):
    query = "SELECT ?label WHERE { ?thing <" + SKOS + "prefLabel> ?label }"
    assert remote.select(query, {"thing": NZ}) == embedded.select(query, {"thing": NZ})
    assert remote.select(query, {"thing": NZ}) == [{"label": Literal("New Zealand", lang="en")}]
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert isomorphic(
        remote.construct(construct, {"s": NZ}), embedded.construct(construct, {"s": NZ})
    )


def test_remote_bindings_cannot_break_out_of_their_term(remote):
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { ?s ?p ?o } #')
    assert remote.select("SELECT ?s WHERE { ?s ?p ?label }", {"label": hostile}) == []
    with pytest.raises(ValueError):
        remote.select("SELECT ?s WHERE { ?s ?p ?o }", {"bad name": NZ})


def test_remote_syntax_errors_are_rejections(remote):
    with pytest.raises(QueryRejected):
        remote.execute(QueryRequest("SELECT * { ?s ?p }", "SELECT", BY_NAME["json"]))


def test_remote_start_up_check_names_the_engine(remote, fixture_triple_count):
    said = remote.check()
    assert remote.engine.name in said and f"{fixture_triple_count} triples" in said


@pytest.mark.parametrize("engine", REMOTE_ENGINES)
def test_remote_answers_through_the_http_endpoint(
    nzsa_server, fixture_build, engine_endpoint, engine
):
    endpoint = engine_endpoint(engine, fixture_build)
    running = nzsa_server(fixture_build, STORE="remote", REMOTE_ENDPOINT=endpoint, WORKERS=1)
    response = requests.get(
        running.url + "sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "41"
    refused = requests.get(
        running.url + "sparql",
        params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"},
        timeout=10,
    )
    assert refused.status_code == 403
