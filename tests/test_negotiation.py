"""Content negotiation against a real `nzsa serve`: the matrix, suffixes, 303s and 406."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from test_linkeddata_double import NZ, TIMEOUT, get, start_ld_server

DOC = "doc/country/new-zealand"
TURTLE, HTML, JSONLD = "text/turtle", "text/html", "application/ld+json"
RDFXML, NTRIPLES = "application/rdf+xml", "application/n-triples"
SUFFIX = {TURTLE: ".ttl", HTML: ".html", JSONLD: ".jsonld", RDFXML: ".rdf", NTRIPLES: ".nt"}
CONTENT_TYPE = {
    TURTLE: "text/turtle; charset=utf-8",
    HTML: "text/html; charset=utf-8",
    JSONLD: "application/ld+json",
    RDFXML: "application/rdf+xml",
    NTRIPLES: "application/n-triples",
}
RDFLIB = {TURTLE: "turtle", JSONLD: "json-ld", RDFXML: "xml", NTRIPLES: "nt"}


def assert_describes_new_zealand(response: requests.Response, media_type: str) -> None:
    """Parse an RDF response and check it states New Zealand's label."""
    graph = Graph().parse(data=response.content, format=RDFLIB[media_type])
    assert (NZ, SKOS.prefLabel, Literal("New Zealand", lang="en")) in graph


@pytest.fixture(scope="module")
def ld_server(nzsa_server, tmp_path_factory):
    return start_ld_server(nzsa_server, tmp_path_factory)


MATRIX = [
    pytest.param(None, TURTLE, id="no-accept-header"),
    pytest.param("*/*", TURTLE, id="anything"),
    pytest.param("text/*", TURTLE, id="any-text-prefers-turtle"),
    pytest.param("text/turtle", TURTLE, id="turtle"),
    pytest.param("text/html", HTML, id="html"),
    pytest.param("application/ld+json", JSONLD, id="jsonld"),
    pytest.param("application/rdf+xml", RDFXML, id="rdfxml"),
    pytest.param("application/n-triples", NTRIPLES, id="ntriples"),
    pytest.param("text/html;q=0.9, text/turtle", TURTLE, id="turtle-beats-html-by-q"),
    pytest.param("text/html, text/turtle;q=0.5", HTML, id="html-beats-turtle-by-q"),
    pytest.param("application/ld+json;q=0.5, application/rdf+xml;q=0.8", RDFXML, id="rdfxml-by-q"),
    pytest.param(
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML, id="browser"
    ),
    pytest.param("image/png, */*;q=0.1", TURTLE, id="fallback-wildcard-low-q"),
    pytest.param("text/turtle;q=0, */*", HTML, id="turtle-refused-by-q0"),
    pytest.param("application/json", JSONLD, id="json-means-jsonld"),
    pytest.param("image/png", None, id="unsupported-406"),
    pytest.param("text/turtle;q=0", None, id="only-refusal-406"),
]


@pytest.mark.parametrize(("accept", "expected"), MATRIX)
def test_negotiation_matrix(ld_server, accept, expected):
    response = get(ld_server, DOC, accept)
    assert "Accept" in response.headers.get("Vary", "")
    if expected is None:
        assert response.status_code == 406
        assert response.headers["Content-Type"].startswith("text/plain")
        for media_type in SUFFIX:
            assert media_type in response.text
        return
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE[expected]
    location = ld_server.url + DOC + SUFFIX[expected]
    assert response.headers["Content-Location"] == location
    if expected == HTML:
        assert "<h1>New Zealand</h1>" in response.text
    else:
        assert_describes_new_zealand(response, expected)


@pytest.mark.parametrize("media_type", list(SUFFIX), ids=[s[1:] for s in SUFFIX.values()])
def test_suffix_names_the_format_whatever_accept_says(ld_server, media_type):
    response = get(ld_server, DOC + SUFFIX[media_type], "image/png")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE[media_type]
    assert "Content-Location" not in response.headers  # not negotiated
    if media_type != HTML:
        assert_describes_new_zealand(response, media_type)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        pytest.param("id/country/new-zealand", DOC, id="thing"),
        pytest.param("id/country/new-zealand.ttl", DOC + ".ttl", id="thing-with-suffix"),
        pytest.param("id/scheme/threats?page=2", "doc/scheme/threats?page=2", id="keeps-page"),
        pytest.param(".well-known/genid/e1", "doc/.well-known/genid/e1", id="skolemised-evidence"),
    ],
)
def test_thing_iri_answers_303_see_other(ld_server, path, target):
    response = get(ld_server, path, "text/turtle")
    assert response.status_code == 303
    assert response.headers["Location"] == ld_server.url + target
    assert "Accept" in response.headers["Vary"]


def test_303_then_negotiated_document(ld_server):
    response = requests.get(
        ld_server.url + "id/country/new-zealand",
        headers={"Accept": "application/n-triples"},
        timeout=TIMEOUT,
    )
    assert [r.status_code for r in response.history] == [303]
    assert response.status_code == 200
    assert_describes_new_zealand(response, NTRIPLES)


def test_jsonld_refers_to_the_published_context(ld_server):
    response = get(ld_server, DOC + ".jsonld")
    document = response.json()
    assert document["@context"] == ld_server.url + "context.jsonld"
    # rdflib fetches the context from the server, so this checks the context as well.
    graph = Graph().parse(data=response.text, format="json-ld")
    assert (NZ, SKOS.prefLabel, Literal("New Zealand", lang="en")) in graph
    assert (NZ, URIRef("http://www.w3.org/ns/org#memberOf"), None) in graph
