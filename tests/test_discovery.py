"""Discovery against a real `nzsa serve`: VoID, dumps, the ontology and shapes, the context."""

from __future__ import annotations

import hashlib

import pytest
from nzsa.vocab import NZSA
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, OWL, RDF, RDFS, SH, VOID
from test_linkeddata_double import DUMPS, get, start_ld_server

DATASET = URIRef("https://w3id.org/nzsa/dataset")


@pytest.fixture(scope="module")
def ld_server(nzsa_server, tmp_path_factory):
    return start_ld_server(nzsa_server, tmp_path_factory)


@pytest.mark.parametrize(
    ("path", "accept", "rdflib_format"),
    [
        pytest.param("void", None, "turtle", id="void"),
        pytest.param(".well-known/void", None, "turtle", id="well-known"),
        pytest.param("void", "application/n-triples", "nt", id="void-ntriples"),
        pytest.param(".well-known/void", "application/ld+json", "json-ld", id="well-known-jsonld"),
        pytest.param("void.rdf", None, "xml", id="void-rdfxml-suffix"),
    ],
)
def test_void_names_this_server(ld_server, path, accept, rdflib_format):
    response = get(ld_server, path, accept)
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert (DATASET, RDF.type, VOID.Dataset) in graph
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef(ld_server.url + "sparql")
    dumps = set(graph.objects(DATASET, VOID.dataDump))
    assert URIRef(ld_server.url + "download/nzsa.ttl") in dumps
    assert set(graph.objects(None, DCAT.downloadURL)) <= {URIRef(str(d)) for d in dumps}


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize("path", ["void", ".well-known/void", "void.html"])
def test_void_answers_a_browser_with_a_page(ld_server, path):
    response = get(ld_server, path, BROWSER)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "New Zealand&#39;s international security architecture" in response.text
    assert ld_server.url + "download/nzsa.ttl" in response.text


def test_every_dump_in_void_downloads_with_its_checksum(ld_server):
    graph = Graph().parse(data=get(ld_server, "void.ttl").content, format="turtle")
    sums = dict(
        reversed(line.split("  "))
        for line in get(ld_server, "download/SHA256SUMS").text.splitlines()
    )
    for dump in graph.objects(DATASET, VOID.dataDump):
        response = get(ld_server, str(dump)[len(ld_server.url) :])
        assert response.status_code == 200
        name = str(dump).rsplit("/", 1)[1]
        assert hashlib.sha256(response.content).hexdigest() == sums[name]
        assert response.headers["ETag"] == f'"{sums[name]}"'


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("nzsa.ttl", "text/turtle; charset=utf-8"),
        ("nzsa.nq", "application/n-quads"),
        ("void.ttl", "text/turtle; charset=utf-8"),
        ("SHA256SUMS", "text/plain; charset=utf-8"),
    ],
)
def test_download_content_type_etag_304_and_head(ld_server, name, content_type):
    response = get(ld_server, "download/" + name)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    again = get(ld_server, "download/" + name, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    head = get(ld_server, "download/" + name, method="HEAD")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Length"] == str(len(response.content))


def test_dump_parses_as_the_dataset(ld_server):
    graph = Graph().parse(data=get(ld_server, "download/nzsa.ttl").content, format="turtle")
    assert (URIRef("https://w3id.org/nzsa/id/country/new-zealand"), RDF.type, NZSA.State) in graph


@pytest.mark.parametrize(
    "path",
    [
        "download/secret.txt",  # in the build directory, not in SHA256SUMS
        "download/../secret.txt",
        "download/%2e%2e/secret.txt",
        "download/..%2fsecret.txt",
        "download/%2Fetc%2Fpasswd",
        "download//etc/passwd",
        "download/nzsa.ttl/../secret.txt",
        "download/missing.ttl",
    ],
)
def test_downloads_refuse_anything_not_built(ld_server, path):
    response = get(ld_server, path)
    assert response.status_code == 404
    assert "not published" not in response.text
    assert "root:" not in response.text


def test_dumps_are_listed(ld_server):
    listing = get(ld_server, "download/").text
    for name in DUMPS:
        assert ld_server.url + "download/" + name in listing


def test_ontology_html_is_documentation_with_term_labels(ld_server):
    response = get(ld_server, "ontology", "text/html")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Location"] == ld_server.url + "ontology.html"
    for label in ("armed forces contribution", "membership", "state"):
        assert label in response.text
    assert 'id="ArmedForcesContribution"' in response.text  # /ontology#Term lands


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/n-triples", "nt")],
)
def test_ontology_in_rdf(ld_server, accept, rdflib_format):
    response = get(ld_server, "ontology", accept)
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert (URIRef("https://w3id.org/nzsa/ontology"), RDF.type, OWL.Ontology) in graph
    assert (NZSA.Membership, RDFS.subClassOf, NZSA.Fact) in graph


def test_shapes_in_rdf_and_html(ld_server):
    graph = Graph().parse(data=get(ld_server, "shapes.ttl").content, format="turtle")
    shape = URIRef("https://w3id.org/nzsa/shapes#StateShape")
    assert (shape, RDF.type, SH.NodeShape) in graph
    page = get(ld_server, "shapes", "text/html")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "state shape" in page.text


def test_context_is_json_ld_with_prefixes(ld_server):
    response = get(ld_server, "context.jsonld")
    assert response.headers["Content-Type"] == "application/ld+json"
    context = response.json()["@context"]
    assert context["nzsa"] == str(NZSA)
    assert context["country"] == "https://w3id.org/nzsa/id/country/"
    assert context["armed-forces-contribution"] == (
        "https://w3id.org/nzsa/id/armed-forces-contribution/"
    )
    for prefix in ("org", "skos", "prov", "dcterms", "schema", "xsd"):
        assert prefix in context
