"""The remote back end against a real `oxigraph serve` on loopback: same answers as embedded."""

from __future__ import annotations

import pytest
from fixture_data import GRAPH, ID, SKOS, write_fixture_build
from nzsa.formats import BY_NAME
from nzsa.store.base import QueryRejected, QueryRequest
from nzsa.store.oxigraph import OxigraphStore
from nzsa.store.remote import RemoteStore
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

NZ = URIRef(ID + "country/new-zealand")


@pytest.fixture(scope="module")
def stores(tmp_path_factory, oxigraph_server):
    embedded = OxigraphStore(write_fixture_build(tmp_path_factory.mktemp("embedded")), 1)
    remote = RemoteStore(oxigraph_server, timeout=5.0)
    yield embedded, remote
    embedded.close()
    remote.close()


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
    pytest.param("ASK { ?s a ?type }", "ASK", "json", {}, id="ask"),
    pytest.param(
        "SELECT ?s { ?s ?p ?o } ORDER BY ?s", "SELECT", "json", {"max_results": 3}, id="capped"
    ),
]


@pytest.mark.parametrize(("text", "form", "fmt", "options"), QUERIES)
def test_remote_and_embedded_give_the_same_answer(stores, text, form, fmt, options):
    embedded, remote = stores
    request = QueryRequest(text, form, BY_NAME[fmt], **options)
    here, there = embedded.execute(request), remote.execute(request)
    assert here.body == there.body
    assert (here.truncated, here.row_count) == (there.truncated, there.row_count)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml"])
def test_remote_construct_is_the_same_graph(stores, fmt):
    embedded, remote = stores
    request = QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", BY_NAME[fmt])
    graphs = [
        Graph().parse(data=store.execute(request).body, format=BY_NAME[fmt].rdflib_format)
        for store in stores
    ]
    assert len(graphs[0]) == 41
    assert isomorphic(*graphs)


def test_remote_select_and_construct_with_bindings(stores):
    embedded, remote = stores
    query = "SELECT ?label WHERE { ?thing <" + SKOS + "prefLabel> ?label }"
    assert remote.select(query, {"thing": NZ}) == embedded.select(query, {"thing": NZ})
    assert remote.select(query, {"thing": NZ}) == [{"label": Literal("New Zealand", lang="en")}]
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert isomorphic(
        remote.construct(construct, {"s": NZ}), embedded.construct(construct, {"s": NZ})
    )


def test_remote_bindings_cannot_break_out_of_their_term(stores):
    _, remote = stores
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { ?s ?p ?o } #')
    assert remote.select("SELECT ?s WHERE { ?s ?p ?label }", {"label": hostile}) == []
    with pytest.raises(ValueError):
        remote.select("SELECT ?s WHERE { ?s ?p ?o }", {"bad name": NZ})


def test_remote_syntax_errors_are_rejections(stores):
    _, remote = stores
    with pytest.raises(QueryRejected):
        remote.execute(QueryRequest("SELECT * { ?s ?p }", "SELECT", BY_NAME["json"]))


def test_remote_answers_through_the_http_endpoint(nzsa_server, fixture_build, oxigraph_server):
    import requests

    running = nzsa_server(fixture_build, STORE="remote", REMOTE_ENDPOINT=oxigraph_server, WORKERS=1)
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
