"""The embedded store: answers in every format, the union default graph, bindings, limits."""

from __future__ import annotations

import csv
import io
import json
import os
import time

import pytest
from fixture_data import BASE, GRAPH, ID, SKOS, fixture_nquads, write_fixture_build
from nzsa.formats import BY_NAME
from nzsa.store.base import QueryRejected, QueryRequest, QueryTimeout
from nzsa.store.oxigraph import OxigraphStore
from rdflib import Graph, Literal, URIRef

NZ = URIRef(ID + "country/new-zealand")
PATHOLOGICAL = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12)) + " }"
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):

    build = write_fixture_build(tmp_path_factory.mktemp("store-build"))
    opened = OxigraphStore(build, executors=2)
    yield opened
    opened.close()


def execute(store, text, form, fmt, **options):
    return store.execute(QueryRequest(text, form, BY_NAME[fmt], **options))


def test_the_default_graph_is_the_union_of_the_named_graphs(store):
    answer = execute(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "SELECT", "json")
    rows = json.loads(answer.body)["results"]["bindings"]
    assert int(rows[0]["n"]["value"]) == fixture_nquads().count("\n") == 41


def test_default_graph_uri_narrows_the_dataset(store):
    text = f"ASK {{ <{BASE}ontology#State> ?p ?o }}"
    everything = execute(store, text, "ASK", "json")
    data_only = execute(store, text, "ASK", "json", default_graph_uris=[GRAPH + "data"])
    assert json.loads(everything.body)["boolean"] is True
    assert json.loads(data_only.body)["boolean"] is False


def test_named_graph_uri_names_the_graphs_available(store):
    text = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    answer = execute(store, text, "SELECT", "csv", named_graph_uris=[GRAPH + "shapes"])
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert rows == [{"g": GRAPH + "shapes"}]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_in_each_results_format(store, fmt):
    text = f"SELECT ?label {{ <{NZ}> <{SKOS}prefLabel> ?label }}"
    answer = execute(store, text, "SELECT", fmt)
    assert "New Zealand" in answer.body.decode()
    assert answer.row_count == 1 and not answer.truncated


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "rdfxml", "ntriples", "trig", "nquads"])
def test_construct_in_each_rdf_format(store, fmt):
    text = f"CONSTRUCT WHERE {{ <{NZ}> ?p ?o }}"
    answer = execute(store, text, "CONSTRUCT", fmt)
    graph = Graph()
    if fmt in ("trig", "nquads"):
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(data=answer.body, format=BY_NAME[fmt].rdflib_format)
        graph = Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
    else:
        graph.parse(data=answer.body, format=BY_NAME[fmt].rdflib_format)
    assert (NZ, URIRef(SKOS + "prefLabel"), Literal("New Zealand", lang="en")) in graph
    assert len(graph) == answer.row_count == 5


def test_results_are_cut_at_the_cap_and_say_so(store):
    answer = execute(store, "SELECT * { ?s ?p ?o }", "SELECT", "json", max_results=5)
    assert answer.truncated and answer.row_count == 5
    assert len(json.loads(answer.body)["results"]["bindings"]) == 5
    graph = execute(store, "CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", "ntriples", max_results=7)
    assert graph.truncated and len(graph.body.decode().strip().splitlines()) == 7


def test_a_malformed_query_is_rejected_with_the_parsers_message(store):
    with pytest.raises(QueryRejected, match="error at 1:"):
        execute(store, "SELECT * WHERE { ?s ?p }", "SELECT", "json")


def test_select_with_bindings(store):
    rows = store.select(f"SELECT ?label WHERE {{ ?thing <{SKOS}prefLabel> ?label }}", {"thing": NZ})
    assert rows == [{"label": Literal("New Zealand", lang="en")}]


def test_bindings_cannot_break_out_of_their_term(store):
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { ?s ?p ?o } #')
    assert store.select("SELECT ?s WHERE { ?s ?p ?label }", {"label": hostile}) == []
    with pytest.raises(ValueError):
        store.select("SELECT ?s WHERE { ?s ?p ?o }", {"s": URIRef("http://x/> } DROP ALL #")})


def test_literals_with_quotes_and_tabs_survive(store):
    rows = store.select(f"SELECT ?alt {{ <{ID}country/fiji> <{SKOS}altLabel> ?alt }}")
    assert rows == [{"alt": Literal('Viti "quoted"\ttab', lang="en")}]
    answer = execute(store, f"SELECT ?alt {{ ?s <{SKOS}altLabel> ?alt }}", "SELECT", "json")
    assert json.loads(answer.body)["results"]["bindings"][0]["alt"]["value"] == 'Viti "quoted"\ttab'


def test_construct_with_bindings(store):
    graph = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": NZ})
    assert len(graph) == 5 and set(graph.subjects()) == {NZ}


def test_version_is_the_dataset_digest(store):
    assert len(store.version()) == 64
    assert store.version() == OxigraphStore(store.build_dir, executors=1).version()


def test_the_disk_store_is_loaded_once_and_reloaded_when_the_data_changes(tmp_path):

    (tmp_path / "nzsa.nq").write_text(fixture_nquads())
    first = OxigraphStore(tmp_path, executors=1)
    loaded_at = (tmp_path / "oxigraph").stat().st_mtime_ns
    second = OxigraphStore(tmp_path, executors=1)
    assert (tmp_path / "oxigraph").stat().st_mtime_ns == loaded_at
    assert second.version() == first.version()
    (tmp_path / "nzsa.nq").write_text(fixture_nquads().splitlines(keepends=True)[0])
    third = OxigraphStore(tmp_path, executors=1)
    assert third.version() != first.version()
    assert len(third.select("SELECT * { ?s ?p ?o }")) == 1
    third.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_a_query_past_its_time_limit_is_killed_and_the_pool_recovers(store):
    store._open()
    before = {e.process.pid for e in store._pool._all}
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        execute(store, PATHOLOGICAL, "SELECT", "json", timeout=1.0)
    assert time.monotonic() - started < 2.5
    after = {e.process.pid for e in store._pool._all}
    killed = before - after
    assert len(killed) == 1 and not any(_alive(pid) for pid in killed)
    assert len(after) == 2
    answer = execute(store, "ASK { ?s ?p ?o }", "ASK", "json", timeout=5.0)
    assert json.loads(answer.body)["boolean"] is True
    assert os.getpid() == store._pid
