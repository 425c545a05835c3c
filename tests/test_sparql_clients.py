"""The format names real clients send, tried with SPARQLWrapper itself against `nzsa serve`.

SPARQLWrapper sends its `returnFormat` as `format=`, `output=` and `results=` (Virtuoso,
Fuseki and other engines' names), some twice with a media type, beside an `Accept`
header; the endpoint must answer in that format, or with a 406 saying what it offers.
"""

from __future__ import annotations

import warnings
from urllib.error import HTTPError

import pytest
import requests
from fixture_data import ID, REQUEST_TIMEOUT
from rdflib import Graph
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

NZ = ID + "country/new-zealand"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
QUERIES = {
    "SELECT": f"SELECT ?label WHERE {{ <{NZ}> <{PREF_LABEL}> ?label }}",
    "ASK": f"ASK {{ <{NZ}> ?p ?o }}",
    "CONSTRUCT": f"CONSTRUCT {{ <{NZ}> ?p ?o }} WHERE {{ <{NZ}> ?p ?o }}",
    "DESCRIBE": f"DESCRIBE <{NZ}>",
}
# What each returnFormat must come back as: solutions (SELECT, ASK) and graphs.
SOLUTIONS = {
    JSON: "application/sparql-results+json",
    XML: "application/sparql-results+xml",
    CSV: "text/csv",
    TSV: "text/tab-separated-values",
}
GRAPHS = {
    TURTLE: "text/turtle",
    N3: "text/turtle",
    XML: "application/rdf+xml",
    RDF: "application/rdf+xml",
    RDFXML: "application/rdf+xml",
    JSONLD: "application/ld+json",
    JSON: "application/ld+json",
}
RETURN_FORMATS = (JSON, XML, TURTLE, N3, RDF, RDFXML, CSV, TSV, JSONLD)
METHODS = {
    "GET": (GET, URLENCODED),
    "POST-form": (POST, URLENCODED),
    "POST-direct": (POST, POSTDIRECTLY),
}


def wrapper(server, form: str, return_format: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "sparql", returnFormat=return_format)
    client.setTimeout(REQUEST_TIMEOUT)
    http_method, request_method = METHODS[method]
    client.setMethod(http_method)
    client.setRequestMethod(request_method)
    client.setQuery(QUERIES[form])
    return client


def expected(form: str, return_format: str) -> str | None:
    table = SOLUTIONS if form in ("SELECT", "ASK") else GRAPHS
    return table.get(return_format)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", RETURN_FORMATS)
@pytest.mark.parametrize("form", QUERIES)
def test_every_return_format_answers_in_kind_or_406(server, form, return_format, method):
    client = wrapper(server, form, return_format, method)
    media_type = expected(form, return_format)
    if media_type is None:
        with pytest.raises(HTTPError) as refused, warnings.catch_warnings():
            # SPARQLWrapper warns that it sends `*/*` for a format the form lacks.
            warnings.simplefilter("ignore", RuntimeWarning)
            client.query()
        assert refused.value.code == 406
        body = refused.value.read().decode()
        offered = SOLUTIONS if form in ("SELECT", "ASK") else GRAPHS
        assert all(kind in body for kind in set(offered.values())), body
        assert form in body
        return
    with warnings.catch_warnings():
        # SPARQLWrapper sends `*/*` for a format it does not pair with the form (a graph in
        # `json`), saying so; a mismatch between what it asked for and what came back is
        # only a warning too: fail on that one.
        warnings.filterwarnings("ignore", "Sending Accept header", RuntimeWarning)
        warnings.filterwarnings("error", "Format requested was", RuntimeWarning)
        warnings.filterwarnings("error", "unknown response content type", RuntimeWarning)
        result = client.query()
        assert result.info()["content-type"].split(";")[0] == media_type
        converted = result.convert()
    check_answer(form, media_type, converted)


def check_answer(form: str, media_type: str, converted) -> None:
    """Check that SPARQLWrapper's conversion of the answer holds what the query asked."""
    if form == "ASK":
        if media_type == SOLUTIONS[JSON]:
            assert converted["boolean"] is True
        elif media_type == SOLUTIONS[XML]:
            assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
        else:
            assert converted.strip() in (b"true", "true")
    elif form == "SELECT":
        if media_type == SOLUTIONS[JSON]:
            rows = converted["results"]["bindings"]
            assert [row["label"]["value"] for row in rows] == ["New Zealand"]
        elif media_type == SOLUTIONS[XML]:
            assert "New Zealand" in converted.toxml()
        else:
            text = converted.decode() if isinstance(converted, bytes) else converted
            assert "New Zealand" in text
    else:
        if isinstance(converted, Graph):
            graph = converted
        else:
            graph = Graph().parse(data=converted, format="turtle")
        subjects = {str(s) for s in graph.subjects()}
        assert NZ in subjects


@pytest.mark.parametrize(
    ("form", "value", "media_type"),
    [
        pytest.param("CONSTRUCT", "rdf+xml", "application/rdf+xml", id="construct-rdf+xml"),
        pytest.param("CONSTRUCT", "xml", "application/rdf+xml", id="construct-xml"),
        pytest.param("DESCRIBE", "nt", "application/n-triples", id="describe-nt"),
        pytest.param("CONSTRUCT", "n3", "text/turtle", id="construct-n3"),
        pytest.param("CONSTRUCT", "json-ld", "application/ld+json", id="construct-json-ld"),
        pytest.param("CONSTRUCT", "text/turtle", "text/turtle", id="construct-media-type"),
        pytest.param("SELECT", "xml", "application/sparql-results+xml", id="select-xml"),
        pytest.param("SELECT", "tsv", "text/tab-separated-values", id="select-tsv"),
        pytest.param(
            "SELECT",
            "application/sparql-results+json",
            "application/sparql-results+json",
            id="select-media-type",
        ),
    ],
)
@pytest.mark.parametrize("parameter", ["format", "output", "results"])
def test_each_parameter_name_is_read(server, form, value, media_type, parameter):
    response = requests.get(
        server.url + "sparql",
        params={"query": QUERIES[form], parameter: value},
        headers={"Accept": "*/*"},
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_unknown_format_name_lists_the_offer_by_name(server):
    response = requests.get(
        server.url + "sparql",
        params={"query": QUERIES["SELECT"], "format": "text"},
        headers={"Accept": "text/plain"},
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 406
    assert "SELECT" in response.text and "text" in response.text
    for name in ("json", "xml", "csv", "tsv"):
        assert f"{name} (" in response.text
