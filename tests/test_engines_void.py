"""The endpoint describes its own dataset on every engine: embedded, `oxigraph serve`, Virtuoso.

A real build (nzsa.nq, and void.ttl in its named graph as docs/SPARQL.md says to load it)
is in each engine; `nzsa serve` answers SPARQLWrapper's query for the `void:Dataset` and
its `void:sparqlEndpoint` from the engine, as it does from the embedded store.
"""

from __future__ import annotations

import pytest
from fixture_data import BASE, REQUEST_TIMEOUT
from linking_data import linking_build
from SPARQLWrapper import JSON, SPARQLWrapper

ENGINES = ("embedded", "oxigraph", "virtuoso")
PREFIXES = """
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return linking_build(tmp_path_factory.mktemp("engines-void"))


@pytest.fixture(scope="module", params=ENGINES)
def endpoint(request, nzsa_server, engine_endpoint, build) -> str:
    settings = {"WORKERS": 1, "THREADS": 4}
    if request.param != "embedded":
        settings.update(STORE="remote", REMOTE_ENDPOINT=engine_endpoint(request.param, build))
    return nzsa_server(build, **settings).url + "sparql"


def select(endpoint: str, query: str) -> list[dict]:
    client = SPARQLWrapper(endpoint, returnFormat=JSON)
    client.setTimeout(REQUEST_TIMEOUT)
    client.setQuery(PREFIXES + query)
    return client.query().convert()["results"]["bindings"]


def test_the_dataset_and_its_endpoint_answer_from_the_default_graph(endpoint):
    rows = select(endpoint, "SELECT ?dataset ?sparql { ?dataset a void:Dataset, dcat:Dataset ;"
                            " void:sparqlEndpoint ?sparql }")  # fmt: skip
    assert {(r["dataset"]["value"], r["sparql"]["value"]) for r in rows} == {
        (BASE + "dataset", BASE + "sparql")
    }


def test_the_description_is_a_named_graph_of_its_own(endpoint):
    rows = select(endpoint, "SELECT DISTINCT ?graph { GRAPH ?graph { ?d void:sparqlEndpoint ?e } }")
    assert {r["graph"]["value"] for r in rows} == {BASE + "graph/void"}


def test_a_client_may_name_the_description_graph(endpoint):
    client = SPARQLWrapper(endpoint, returnFormat=JSON)
    client.setTimeout(REQUEST_TIMEOUT)
    client.addDefaultGraph(BASE + "graph/void")
    client.setQuery(PREFIXES + "SELECT ?dump { ?d a void:Dataset ; void:dataDump ?dump }")
    dumps = {r["dump"]["value"] for r in client.query().convert()["results"]["bindings"]}
    assert BASE + "download/nzsa.nt" in dumps


def test_start_up_says_when_the_engine_lacks_the_description(
    nzsa_server, fixture_build, oxigraph_server
):
    running = nzsa_server(fixture_build, STORE="remote", REMOTE_ENDPOINT=oxigraph_server)
    assert "no VoID description: load the build's void.ttl into" in running.output()
    answer = select(running.url + "sparql", "SELECT ?d { ?d void:sparqlEndpoint ?e }")
    assert answer == []
