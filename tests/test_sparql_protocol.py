"""The SPARQL 1.1 Protocol against `nzsa serve` on loopback.

Modelled on the W3C protocol tests (https://w3c.github.io/rdf-tests/sparql/sparql11/
protocol/): query by GET, URL-encoded POST and direct POST, the dataset parameters, the
negative cases, and a table of result-format negotiation. Answers are parsed and
compared on meaning, with exact status and Content-Type.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
import requests
from fixture_data import BASE, GRAPH, ID, REQUEST_TIMEOUT, SKOS
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"
NZ = ID + "country/new-zealand"
LABEL_QUERY = f"SELECT ?label WHERE {{ <{NZ}> <{SKOS}prefLabel> ?label }}"
CONSTRUCT_QUERY = f"CONSTRUCT WHERE {{ <{NZ}> <{SKOS}prefLabel> ?label }}"
EXPECTED_TRIPLE = (URIRef(NZ), URIRef(SKOS + "prefLabel"), Literal("New Zealand", lang="en"))


def get(server, params=None, headers=None):
    return requests.get(
        server.url + "sparql", params=params, headers=headers, timeout=REQUEST_TIMEOUT
    )


def post(server, data=None, headers=None, params=None):
    return requests.post(
        server.url + "sparql", data=data, headers=headers, params=params, timeout=REQUEST_TIMEOUT
    )


def labels_from_json(response) -> list[str]:
    return [row["label"]["value"] for row in response.json()["results"]["bindings"]]


# Positive cases: the three ways to send a query.


def test_query_get(server):
    response = get(server, {"query": LABEL_QUERY})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    assert labels_from_json(response) == ["New Zealand"]


def test_query_post_form(server):
    response = post(server, {"query": LABEL_QUERY})
    assert response.status_code == 200
    assert labels_from_json(response) == ["New Zealand"]


def test_query_post_direct(server):
    response = post(
        server,
        LABEL_QUERY.encode(),
        {"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert response.status_code == 200
    assert labels_from_json(response) == ["New Zealand"]


def test_query_post_direct_takes_dataset_from_the_url(server):
    response = post(
        server,
        f"ASK {{ <{BASE}ontology#State> ?p ?o }}".encode(),
        {"Content-Type": "application/sparql-query"},
        params={"default-graph-uri": GRAPH + "data"},
    )
    assert response.status_code == 200 and response.json()["boolean"] is False


# The dataset: the union by default, else exactly the graphs named.


def test_default_graph_is_the_union(server):
    response = get(server, {"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "41"


@pytest.mark.parametrize(
    ("graphs", "count"),
    [
        pytest.param([GRAPH + "ontology"], "3", id="one-graph"),
        pytest.param([GRAPH + "ontology", GRAPH + "shapes"], "4", id="two-graphs"),
        pytest.param([GRAPH + "missing"], "0", id="unknown-graph"),
    ],
)
def test_query_dataset_default_graphs(server, graphs, count):
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    response = get(server, {"query": query, "default-graph-uri": graphs})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == count


def test_query_dataset_named_graphs(server):
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    response = post(server, {"query": query, "named-graph-uri": [GRAPH + "shapes"]})
    assert [r["g"]["value"] for r in response.json()["results"]["bindings"]] == [GRAPH + "shapes"]


def test_query_dataset_full(server):
    query = (
        "SELECT ?g (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"
    )
    response = get(
        server,
        {"query": query, "default-graph-uri": GRAPH + "shapes", "named-graph-uri": GRAPH + "data"},
    )
    counts = {
        r.get("g", {}).get("value"): r["n"]["value"] for r in response.json()["results"]["bindings"]
    }
    assert counts == {None: "1", GRAPH + "data": "19"}


# Negative cases.


def test_bad_query_method(server):
    response = requests.put(
        server.url + "sparql", data={"query": "ASK {}"}, timeout=REQUEST_TIMEOUT
    )
    assert response.status_code == 405


def test_bad_multiple_queries(server):
    response = get(server, {"query": ["ASK {}", "ASK {}"]})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")


def test_bad_query_in_url_and_body(server):
    response = post(
        server, b"ASK {}", {"Content-Type": "application/sparql-query"}, params={"query": "ASK {}"}
    )
    assert response.status_code == 400


def test_bad_query_wrong_media_type(server):
    response = post(server, b"ASK {}", {"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_bad_query_missing_form_type(server):
    response = post(server, b"query=ASK%20%7B%7D", {"Content-Type": ""})
    assert response.status_code == 415


def test_bad_query_missing_query(server):
    response = post(server, {"default-graph-uri": GRAPH + "data"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("SELECT * WHERE { ?s ?p }", id="unfinished-pattern"),
        pytest.param("ASK { FILTER(?x = ) }", id="bad-expression"),
        pytest.param("SELECT ?s WHERE { ?s ?p ?o } LIMIT x", id="bad-limit"),
        pytest.param("hello", id="not-a-query"),
    ],
)
def test_bad_query_syntax(server, query):
    response = get(server, {"query": query})
    assert response.status_code == 400
    assert "error at" in response.text or "Malformed" in response.text


def test_bad_query_syntax_points_at_the_error(server):
    response = get(server, {"query": "SELECT * WHERE {\n  ?s ?p\n}"})
    assert response.status_code == 400
    message, line, caret = response.text.rstrip("\n").split("\n")
    assert message.startswith("400 Bad Request: Malformed query: error at 3:")
    assert line == "}" and caret.strip() == "^"


def test_bad_query_and_update_together(server):
    response = get(server, {"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 400


def test_query_too_long(server):
    query = "ASK {}" + " " * 25_000
    response = post(server, {"query": query})
    assert response.status_code == 400
    assert "limit is 20000" in response.text


def test_query_nested_too_deep_is_400(server):
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    response = post(server, query.encode(), {"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert "5000 levels deep" in response.text
    assert get(server, {"query": "ASK {}"}).status_code == 200


# Result formats: Accept (with q-values) and the `format` parameter, table-driven.

SELECT_NEGOTIATION = [
    ("", None, "application/sparql-results+json"),
    ("*/*", None, "application/sparql-results+json"),
    ("application/sparql-results+json", None, "application/sparql-results+json"),
    ("application/json", None, "application/sparql-results+json"),
    ("application/sparql-results+xml", None, "application/sparql-results+xml; charset=utf-8"),
    ("text/csv", None, "text/csv; charset=utf-8"),
    ("text/tab-separated-values", None, "text/tab-separated-values; charset=utf-8"),
    ("text/*", None, "text/csv; charset=utf-8"),
    ("text/csv;q=0.5, application/sparql-results+xml", None,
     "application/sparql-results+xml; charset=utf-8"),
    ("text/csv;q=0.9, text/tab-separated-values;q=0.95", None,
     "text/tab-separated-values; charset=utf-8"),
    ("text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8", None,
     "application/sparql-results+xml; charset=utf-8"),
    ("application/sparql-results+json", "csv", "text/csv; charset=utf-8"),
    ("", "tsv", "text/tab-separated-values; charset=utf-8"),
    ("", "xml", "application/sparql-results+xml; charset=utf-8"),
    ("", "application/sparql-results+json", "application/sparql-results+json"),
]  # fmt: skip


def _labels(content_type: str, body: bytes) -> list[str]:
    if content_type.startswith("application/sparql-results+json"):
        import json

        return [r["label"]["value"] for r in json.loads(body)["results"]["bindings"]]
    if content_type.startswith("application/sparql-results+xml"):
        root = ET.fromstring(body)
        return [e.text for e in root.iter(SRX + "literal")]
    if content_type.startswith("text/csv"):
        return [row["label"] for row in csv.DictReader(io.StringIO(body.decode()))]
    lines = body.decode().splitlines()
    assert lines[0] == "?label"
    return [Literal(line.split('"')[1]).value for line in lines[1:]]


@pytest.mark.parametrize(
    ("accept", "fmt", "content_type"),
    [pytest.param(a, f, c, id=f"{a or 'no-accept'}|{f or '-'}") for a, f, c in SELECT_NEGOTIATION],
)
def test_select_result_negotiation(server, accept, fmt, content_type):
    params = {"query": LABEL_QUERY, **({"format": fmt} if fmt else {})}
    headers = {"Accept": accept} if accept else {}
    response = get(server, params, headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert "Accept" in response.headers["Vary"]
    assert _labels(content_type, response.content) == ["New Zealand"]


GRAPH_NEGOTIATION = [
    ("", None, "text/turtle; charset=utf-8", "turtle"),
    ("*/*", None, "text/turtle; charset=utf-8", "turtle"),
    ("application/ld+json", None, "application/ld+json", "json-ld"),
    ("application/rdf+xml", None, "application/rdf+xml; charset=utf-8", "xml"),
    ("application/n-triples", None, "application/n-triples", "nt"),
    ("application/trig", None, "application/trig", "trig"),
    ("application/n-quads", None, "application/n-quads", "nquads"),
    ("application/n-triples;q=0.9, text/turtle;q=0.1", None, "application/n-triples", "nt"),
    ("application/json", None, "application/ld+json", "json-ld"),
    ("text/turtle", "jsonld", "application/ld+json", "json-ld"),
    ("", "ntriples", "application/n-triples", "nt"),
    ("", "application/rdf+xml", "application/rdf+xml; charset=utf-8", "xml"),
]


@pytest.mark.parametrize(
    ("accept", "fmt", "content_type", "parser"),
    [
        pytest.param(*row, id=f"{row[0] or 'no-accept'}|{row[1] or '-'}")
        for row in GRAPH_NEGOTIATION
    ],
)
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graph_result_negotiation(server, form, accept, fmt, content_type, parser):
    query = CONSTRUCT_QUERY if form == "CONSTRUCT" else f"DESCRIBE <{NZ}>"
    params = {"query": query, **({"format": fmt} if fmt else {})}
    response = get(server, params, {"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    if parser in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=response.content, format=parser)
        triples = {(s, p, o) for s, p, o, _ in dataset.quads()}
    else:
        triples = set(Graph().parse(data=response.content, format=parser))
    assert EXPECTED_TRIPLE in triples


@pytest.mark.parametrize(
    ("query", "accept", "fmt"),
    [
        pytest.param(LABEL_QUERY, "text/turtle", None, id="select-as-turtle"),
        pytest.param(LABEL_QUERY, "image/png", None, id="select-as-png"),
        pytest.param(CONSTRUCT_QUERY, "application/sparql-results+json", None, id="graph-as-srj"),
        pytest.param(LABEL_QUERY, "", "turtle", id="format-param-unknown-for-form"),
        pytest.param(LABEL_QUERY, "", "bogus", id="format-param-unknown"),
    ],
)
def test_unacceptable_formats_get_406_listing_the_offer(server, query, accept, fmt):
    params = {"query": query, **({"format": fmt} if fmt else {})}
    response = get(server, params, {"Accept": accept} if accept else {})
    assert response.status_code == 406
    offered = "text/turtle" if query == CONSTRUCT_QUERY else "application/sparql-results+json"
    assert offered in response.text


def test_ask_in_json_and_xml(server):
    ask = {"query": f"ASK {{ <{NZ}> ?p ?o }}"}
    assert get(server, ask).json() == {"head": {}, "boolean": True}
    xml = get(server, ask, {"Accept": "application/sparql-results+xml"})
    assert ET.fromstring(xml.content).find(SRX + "boolean").text == "true"


# The service description, the query page, and the headers every answer carries.


@pytest.mark.parametrize(
    ("accept", "parser"),
    [
        pytest.param("", "turtle", id="default-turtle"),
        pytest.param("text/turtle", "turtle", id="turtle"),
        pytest.param("application/ld+json", "json-ld", id="jsonld"),
        pytest.param("application/rdf+xml", "xml", id="rdfxml"),
    ],
)
def test_service_description(server, accept, parser):
    response = get(server, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=parser)
    endpoint = URIRef(BASE + "sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(endpoint, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    assert len(formats) == 10
    dataset = graph.value(endpoint, SD.defaultDataset)
    assert (dataset, RDFS.seeAlso, URIRef(BASE + "void")) in graph


def test_browsers_get_the_query_page(server):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = get(server, headers={"Accept": browser})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "sparql" in response.text.lower()
    assert "Accept" in response.headers["Vary"]


def test_cors_and_vary_on_reads(server):
    response = get(server, {"query": "ASK {}"}, {"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Vary"] == "Accept"
    preflight = requests.options(
        server.url + "sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=REQUEST_TIMEOUT,
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_head_answers_like_get_without_a_body(server):
    response = requests.head(server.url + "sparql", params={"query": "ASK {}"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    assert response.content == b""
