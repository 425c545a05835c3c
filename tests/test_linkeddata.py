"""Linked Data documents against a real `nzsa serve`: validators, HEAD, CORS, Link, paging,
404s, and what a description holds; describe() itself against the rdflib test store."""

from __future__ import annotations

import re

import pytest
from nzsa.describe import describe, exists
from nzsa.vocab import GENID, NZSA, ORG, PROV
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from test_linkeddata_double import (
    ARF,
    HIGH_DEGREE,
    ID,
    MEMBERSHIP,
    NZ,
    SCHEME,
    RdflibStore,
    get,
    start_ld_server,
)

DOC = "doc/country/new-zealand"


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def ld_server(request, nzsa_server, tmp_path_factory, engine_endpoint):
    """The Linked Data test build served from each engine in turn."""
    return start_ld_server(nzsa_server, tmp_path_factory, engine_endpoint, request.param)


def turtle(response) -> Graph:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    return Graph().parse(data=response.content, format="turtle")


def links(response) -> dict[str, list[tuple[str, str | None]]]:
    """Return rel → [(url, type)] from a Link header."""
    found: dict[str, list] = {}
    for url, params in re.findall(r"<([^>]*)>((?:;\s*[^,;]+)*)", response.headers.get("Link", "")):
        attrs = dict(re.findall(r';\s*(\w+)="([^"]*)"', params))
        found.setdefault(attrs.get("rel"), []).append((url, attrs.get("type")))
    return found


# --- validators, HEAD, CORS, Link ---------------------------------------------------------


@pytest.mark.parametrize("path", [DOC, DOC + ".ttl", "ontology.ttl", "void"], ids=str)
def test_etag_and_last_modified_give_304(ld_server, path):
    first = get(ld_server, path, "text/turtle")
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = get(ld_server, path, "text/turtle", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    since = get(ld_server, path, "text/turtle", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = get(ld_server, path, "text/turtle", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200


def test_each_representation_has_its_own_etag(ld_server):
    tags = {get(ld_server, DOC + suffix).headers["ETag"] for suffix in (".ttl", ".nt", ".html")}
    assert len(tags) == 3


def test_head_sends_headers_without_body(ld_server):
    full = get(ld_server, DOC, "text/turtle")
    head = get(ld_server, DOC, "text/turtle", method="HEAD")
    assert head.status_code == 200
    assert head.content == b""
    for header in ("Content-Type", "ETag", "Link", "Content-Location", "Vary"):
        assert head.headers[header] == full.headers[header]


def test_cors_allows_reads_from_any_origin(ld_server):
    response = get(ld_server, DOC, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = get(
        ld_server,
        DOC,
        method="OPTIONS",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


def test_link_header_lists_alternates_and_canonical(ld_server):
    response = get(ld_server, DOC, "text/html")
    found = links(response)
    assert sorted(found["alternate"]) == sorted(
        (ld_server.url + DOC + suffix, media_type)
        for suffix, media_type in (
            (".ttl", "text/turtle"),
            (".html", "text/html"),
            (".jsonld", "application/ld+json"),
            (".rdf", "application/rdf+xml"),
            (".nt", "application/n-triples"),
        )
    )
    assert found["canonical"] == [("https://w3id.org/nzsa/" + DOC, None)]
    suffixed = links(get(ld_server, DOC + ".nt"))
    assert suffixed["canonical"] == [("https://w3id.org/nzsa/" + DOC + ".nt", None)]


# --- paging of incoming links ---------------------------------------------------------------


def test_incoming_links_are_paged(ld_server):
    concepts = set()
    url = ld_server.url + "doc/scheme/threats.ttl"
    pages = 0
    while url:
        response = get(ld_server, url[len(ld_server.url) :])
        graph = turtle(response)
        on_page = set(graph.subjects(SKOS.inScheme, SCHEME))
        assert len(on_page) <= 100
        assert not concepts & on_page
        concepts |= on_page
        # The scheme's one own triple is on the first page; the linking concepts' labels
        # are on every page.
        label = (SCHEME, SKOS.prefLabel, Literal("Threats", lang="en"))
        assert (label in graph) == (pages == 0)
        assert all((c, SKOS.prefLabel, None) in graph for c in on_page)
        pages += 1
        next_links = links(response).get("next", [])
        if pages > 1:
            assert links(response)["prev"]
        url = next_links[0][0] if next_links else None
    assert pages == 3
    assert len(concepts) == HIGH_DEGREE


@pytest.mark.parametrize(
    ("query", "status"),
    [
        pytest.param("?page=4", 404, id="past-the-end"),
        pytest.param("?page=0", 400, id="zero"),
        pytest.param("?page=abc", 400, id="not-a-number"),
        pytest.param("?page=-1", 400, id="negative"),
    ],
)
def test_bad_pages(ld_server, query, status):
    assert get(ld_server, "doc/scheme/threats.ttl" + query).status_code == status


# --- unknown IRIs and paths ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "id/country/atlantis",
        "doc/country/atlantis",
        "doc/country/atlantis.ttl",
        "id/nothing",
        "doc/",
        "nowhere",
        "ontology.exe",
        ".well-known/genid/missing",
    ],
)
def test_unknown_answers_404(ld_server, path):
    assert get(ld_server, path).status_code == 404


def test_404_escapes_what_the_client_sent(ld_server):
    response = get(ld_server, "id/<script>alert(1)</script>", "text/html")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;" in response.text


def test_html_escapes_data(ld_server):
    response = get(ld_server, "doc/country/script.html")
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text


# --- what a description holds ---------------------------------------------------------------


def test_description_holds_own_inferred_evidence_facts_and_labels(ld_server):
    graph = turtle(get(ld_server, DOC + ".ttl"))
    assert (NZ, RDF.type, NZSA.State) in graph  # own, asserted
    assert (NZ, ORG.memberOf, ARF) in graph  # own, inferred
    evidence = graph.value(NZ, NZSA.evidence)
    assert (evidence, NZSA.quote, None) in graph
    source = graph.value(evidence, PROV.wasQuotedFrom)
    assert (source, URIRef("http://purl.org/dc/terms/title"), None) in graph
    assert (MEMBERSHIP, ORG.member, NZ) in graph  # incoming: the fact about it
    assert (MEMBERSHIP, ORG.organization, ARF) in graph  # provenance: the whole fact
    fact_evidence = graph.value(MEMBERSHIP, NZSA.evidence)
    assert (fact_evidence, NZSA.quote, Literal("We're a member of the ASEAN Regional Forum")) in (
        graph
    )
    assert (ARF, SKOS.prefLabel, Literal("ASEAN Regional Forum", lang="en")) in graph
    assert (NZSA.State, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in graph


def test_html_shows_quotes_and_links_by_label(ld_server):
    page = get(ld_server, DOC + ".html").text
    assert "We&#39;re a member of the ASEAN Regional Forum" in page
    assert 'href="/doc/organisation/asean-regional-forum"' in page


def test_skolemised_evidence_is_described(ld_server):
    graph = turtle(get(ld_server, "doc/.well-known/genid/e1.ttl"))
    assert (GENID.e1, NZSA.quote, None) in graph
    assert (NZ, NZSA.evidence, GENID.e1) in graph


# --- behind a proxy --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxied_server(nzsa_server, tmp_path_factory):
    return start_ld_server(
        nzsa_server, tmp_path_factory, TRUSTED_PROXIES=1, ALLOWED_HOSTS="nzsa.example.org"
    )


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "nzsa.example.org"}


def test_trusted_proxy_headers_make_absolute_urls(proxied_server):
    response = get(proxied_server, "id/country/new-zealand", headers=FORWARDED)
    assert response.headers["Location"] == "https://nzsa.example.org/doc/country/new-zealand"
    document = get(proxied_server, DOC, "text/turtle", headers=FORWARDED)
    assert document.headers["Content-Location"] == (
        "https://nzsa.example.org/doc/country/new-zealand.ttl"
    )


def test_forwarded_hosts_not_allowed_are_refused(proxied_server):
    response = get(
        proxied_server, "id/country/new-zealand", headers={"X-Forwarded-Host": "evil.example"}
    )
    assert response.status_code == 400
    assert "evil.example/" not in response.text and "Location" not in response.headers


def test_untrusted_proxy_headers_are_ignored(ld_server):
    response = get(ld_server, "id/country/new-zealand", headers=FORWARDED)
    assert response.headers["Location"] == ld_server.url + DOC


# --- describe() on its own -----------------------------------------------------------------


def test_describe_pages_incoming_links_without_overlap():
    store = RdflibStore()
    pages = [describe(store, SCHEME, page, 100) for page in (1, 2, 3)]
    assert [len(p.incoming) for p in pages] == [100, 100, 50]
    assert [p.has_next for p in pages] == [True, True, False]
    subjects = [s for p in pages for s, _ in p.incoming]
    assert len(set(subjects)) == HIGH_DEGREE


def test_describe_marks_inferred_and_lists_facts():
    description = describe(RdflibStore(), NZ)
    assert (ORG.memberOf, ARF) in description.inferred
    assert (RDF.type, NZSA.State) not in description.inferred
    assert description.facts() == [MEMBERSHIP]
    assert description.label(ARF) == "ASEAN Regional Forum"


def test_describe_unknown_resource_is_empty():
    assert not exists(describe(RdflibStore(), ID["country/atlantis"]))


def test_rendering_is_cached_per_version(make_app, tmp_path):
    from nzsa.app import create_app

    store = RdflibStore()
    app = create_app({"BUILD_DIR": str(tmp_path), "TESTING": True}, store=store)
    client = app.test_client()
    for suffix in (".ttl", ".html"):  # the page also looks up its neighbours' names
        assert client.get("/" + DOC + suffix).status_code == 200
    before = store.queries
    for suffix in (".ttl", ".ttl", ".nt", ".html", ".html"):
        assert client.get("/" + DOC + suffix).status_code == 200
    # Other formats reuse the cached description, repeats the rendered one: no query ran.
    assert store.queries == before
