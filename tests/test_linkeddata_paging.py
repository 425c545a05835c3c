"""Paging of a resource's own triples and incoming links, against a real `nzsa serve`.

With PAGE_SIZE=2 a page holds OWN_PER_LINK × 2 own triples and 2 incoming links. The hub
below has 65 own triples and 12 qualified facts pointing at it (6 pages), each fact with
two pieces of evidence: more provenance than the old 50-rows-per-link limit let through.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from nzsa.describe import OWN_PER_LINK, describe
from nzsa.vocab import NZSA, ORG
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from test_linkeddata import links
from test_linkeddata_double import BASE, RdflibStore, get

PAGE_SIZE = 2
OWN_PAGE = OWN_PER_LINK * PAGE_SIZE
ID = BASE + "id/"
HUB = URIRef(ID + "organisation/big-forum")
LONELY = URIRef(ID + "organisation/lonely-forum")
PARTNERS = 40
FACTS = 12
ALIASES = 45
GRAPH = BASE + "graph/"
ONT = "https://w3id.org/nzsa/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PREF = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
QUOTED = "<http://www.w3.org/ns/prov#wasQuotedFrom>"
SOURCE = f"<{ID}source/forum-papers>"


def _quads() -> str:
    """Return the paging dataset in N-Quads: ontology, data and inferred graphs."""
    lines = []

    def add(s: str, p: str, o: str, graph: str = "data") -> None:
        lines.append(f"{s} {p} {o} <{GRAPH}{graph}> .\n")

    def evidence(subject: str, name: str, quote: str) -> None:
        node = f"<{BASE}.well-known/genid/{name}>"
        add(subject, f"<{ONT}evidence>", node)
        add(node, RDF_TYPE, f"<{ONT}Evidence>")
        add(node, f"<{ONT}quote>", json.dumps(quote))
        add(node, QUOTED, SOURCE)

    add(f"<{ONT}Membership>", f"<{RDFS}subClassOf>", f"<{ONT}Fact>", "ontology")
    add(f"<{ONT}partnerOf>", f"<{RDFS}label>", '"partner of"@en', "ontology")
    add(SOURCE, "<http://purl.org/dc/terms/title>", '"Forum papers"@en')
    add(SOURCE, "<https://schema.org/url>", "<https://example.org/forum-papers>")
    hub = f"<{HUB}>"
    add(hub, RDF_TYPE, f"<{ONT}Organisation>")
    add(hub, PREF, '"Big Forum"@en')
    for n in range(5):
        add(hub, ALT, f'"Big Forum alias {n}"@en')
    for n in range(PARTNERS):
        partner = f"<{ID}organisation/partner-{n:02d}>"
        add(hub, f"<{ONT}partnerOf>", partner)
        add(partner, PREF, f'"Partner {n:02d}"@en')
    for n in range(6):
        evidence(hub, f"hub-{n}", f"The forum said {n}")
    for n in range(FACTS):
        fact = f"<{ID}membership/member-{n:02d}-big-forum>"
        country = f"<{ID}country/member-{n:02d}>"
        add(country, PREF, f'"Member {n:02d}"@en')
        add(fact, RDF_TYPE, f"<{ONT}Membership>")
        add(fact, PREF, f'"Member {n:02d} in the Big Forum"@en')
        add(fact, "<http://www.w3.org/ns/org#member>", country)
        add(fact, "<http://www.w3.org/ns/org#organization>", hub)
        for part in "ab":
            evidence(fact, f"member-{n:02d}-{part}", f"Member {n:02d} joined ({part})")
        add(fact, RDF_TYPE, f"<{ONT}Fact>", "inferred")
        add(hub, "<http://www.w3.org/ns/org#hasMembership>", fact, "inferred")
    lonely = f"<{LONELY}>"
    add(lonely, RDF_TYPE, f"<{ONT}Organisation>")
    add(lonely, PREF, '"Lonely Forum"@en')
    for n in range(ALIASES):
        add(lonely, ALT, f'"Lonely Forum alias {n:02d}"@en')
    return "".join(lines)


HUB_OWN = 1 + 1 + 5 + PARTNERS + 6 + FACTS  # 65
HUB_PAGES = max(-(-HUB_OWN // OWN_PAGE), -(-FACTS // PAGE_SIZE))
LONELY_PAGES = -(-(2 + ALIASES) // OWN_PAGE)  # none with incoming links


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def paging_server(request, nzsa_server, tmp_path_factory, engine_endpoint):
    """The paging build served from each engine in turn."""
    build = tmp_path_factory.mktemp("paging-build")
    (build / "nzsa.nq").write_text(_quads(), encoding="utf-8")
    settings = {}
    if request.param != "embedded":
        settings = {"STORE": "remote", "REMOTE_ENDPOINT": engine_endpoint(request.param, build)}
    return nzsa_server(build, PAGE_SIZE=PAGE_SIZE, WORKERS=1, THREADS=4, **settings)


def sparql(server, query: str) -> list[dict]:
    """Return the rows of a SELECT query the server's endpoint answers, as rdflib terms."""
    response = get(server, "sparql?" + urlencode({"query": query}),
                   "application/sparql-results+json")  # fmt: skip
    assert response.status_code == 200, response.text
    rows = []
    for binding in response.json()["results"]["bindings"]:
        row = {}
        for name, value in binding.items():
            if value["type"] == "uri":
                row[name] = URIRef(value["value"])
            else:
                row[name] = Literal(value["value"], lang=value.get("xml:lang"),
                                    datatype=value.get("datatype"))  # fmt: skip
        rows.append(row)
    return rows


def pages(server, path: str) -> list:
    """Follow rel=next from a document's first page; return each page's response."""
    found, url = [], server.url + path
    while url:
        response = get(server, url[len(server.url) :])
        assert response.status_code == 200, (url, response.text)
        found.append(response)
        following = links(response).get("next", [])
        url = following[0][0] if following else None
        assert len(found) <= 50, "rel=next never ends"
    return found


def page_url(server, path: str, number: int) -> str:
    return server.url + path + (f"?page={number}" if number > 1 else "")


def own_triples(server, iri: URIRef) -> set:
    rows = sparql(server, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}")
    return {(row["p"], row["o"]) for row in rows}


@pytest.mark.parametrize(("iri", "count"), [(HUB, HUB_PAGES), (LONELY, LONELY_PAGES)])
def test_pages_hold_every_own_triple_once(paging_server, iri, count):
    path = "doc/" + iri.removeprefix(ID) + ".ttl"
    responses = pages(paging_server, path)
    assert len(responses) == count
    seen: set = set()
    for number, response in enumerate(responses, start=1):
        graph = Graph().parse(data=response.content, format="turtle")
        own = set(graph.predicate_objects(iri))
        assert len(own) <= OWN_PAGE
        assert not own & seen, f"page {number} repeats own triples"
        seen |= own
        # rel=prev and rel=next name the neighbouring pages, and only they.
        found = links(response)
        expected_prev = [(page_url(paging_server, path, number - 1), None)] if number > 1 else []
        assert found.get("prev", []) == expected_prev
        expected_next = [(page_url(paging_server, path, number + 1), None)]
        assert found.get("next", []) == (expected_next if number < count else [])
    assert seen == own_triples(paging_server, iri)
    assert get(paging_server, f"{path}?page={count + 1}").status_code == 404


def test_every_fact_on_every_page_has_its_evidence(paging_server):
    rows = sparql(paging_server, f"""
        PREFIX nzsa: <{ONT}>
        SELECT ?f ?e ?quote WHERE {{
          ?f <http://www.w3.org/ns/org#organization> <{HUB}> ; nzsa:evidence ?e .
          ?e nzsa:quote ?quote }}""")  # fmt: skip
    evidence: dict = {}
    for row in rows:
        evidence.setdefault(row["f"], set()).add((row["e"], row["quote"]))
    assert len(evidence) == FACTS
    shown = set()
    for response in pages(paging_server, "doc/organisation/big-forum.ttl"):
        graph = Graph().parse(data=response.content, format="turtle")
        facts = set(graph.subjects(ORG.organization, HUB))
        assert len(facts) <= PAGE_SIZE
        shown |= facts
        for fact in facts:
            for node, quote in evidence[fact]:
                assert (fact, NZSA.evidence, node) in graph, (fact, node)
                assert (node, NZSA.quote, quote) in graph, (fact, node)
        # The resource's own evidence on the page comes with its quotes too.
        for node in graph.objects(HUB, NZSA.evidence):
            assert (node, NZSA.quote, None) in graph
    assert shown == set(evidence)


@pytest.mark.parametrize("number", range(1, HUB_PAGES + 1))
def test_every_format_holds_the_same_page(paging_server, number):
    base = "doc/organisation/big-forum"
    query = f"?page={number}" if number > 1 else ""
    turtle = Graph().parse(data=get(paging_server, base + ".ttl" + query).content, format="turtle")
    for suffix, fmt in ((".nt", "nt"), (".rdf", "xml"), (".jsonld", "json-ld"), ("", "turtle")):
        response = get(paging_server, base + suffix + query, "text/turtle")
        assert response.status_code == 200
        assert isomorphic(Graph().parse(data=response.content, format=fmt), turtle), suffix
        following = [(page_url(paging_server, base + suffix, number + 1), None)]
        assert links(response).get("next", []) == (following if number < HUB_PAGES else [])


def test_html_shows_the_pages_own_properties_and_says_they_continue(paging_server):
    base = "doc/organisation/big-forum.html"
    partners = {n: f"Partner {n:02d}" for n in range(PARTNERS)}
    for number in range(1, HUB_PAGES + 1):
        query = f"?page={number}" if number > 1 else ""
        turtle = Graph().parse(
            data=get(paging_server, "doc/organisation/big-forum.ttl" + query).content,
            format="turtle",
        )
        on_page = {str(o).rsplit("-", 1)[1] for o in turtle.objects(HUB, NZSA.partnerOf)}
        body = get(paging_server, base + query).text
        for n, name in partners.items():
            assert (name in body) == (f"{n:02d}" in on_page), (number, name)
        continues = "they continue on the" in body
        assert continues == (number * OWN_PAGE < HUB_OWN), number
        if number < HUB_PAGES:
            assert f'rel="next" href="{page_url(paging_server, base, number + 1)}' in body
        if number > 1:
            assert f'rel="prev" href="{page_url(paging_server, base, number - 1)}' in body
            assert f"Page {number} of what is published about Big Forum" in body
    # A page with no links in shows no empty "Linked from", but still its pager.
    body = get(paging_server, "doc/organisation/lonely-forum.html?page=2").text
    assert 'id="h-incoming"' not in body
    assert (
        'rel="next" href="' + page_url(paging_server, "doc/organisation/lonely-forum.html", 3)
        in body
    )
    assert "Lonely Forum alias" in body


def test_describe_pages_alike_on_rdflib():
    """The queries mean the same on rdflib (bottom-up) as on pyoxigraph."""
    dataset = Dataset(default_union=True)
    dataset.parse(data=_quads(), format="nquads")
    store = RdflibStore(dataset)
    described = [describe(store, HUB, n, PAGE_SIZE) for n in range(1, HUB_PAGES + 2)]
    own = [set(d.outgoing) for d in described]
    numbers = range(HUB_PAGES + 1)
    assert [len(o) for o in own] == [min(OWN_PAGE, max(0, HUB_OWN - n * OWN_PAGE)) for n in numbers]
    assert set().union(*own) == set(dataset.predicate_objects(HUB))
    links_in = [min(PAGE_SIZE, max(0, FACTS - n * PAGE_SIZE)) for n in numbers]
    assert [len(d.incoming) for d in described] == links_in
    assert [d.has_next for d in described] == [True] * (HUB_PAGES - 1) + [False, False]
    inferred = {(ORG.hasMembership, o) for o in dataset.objects(HUB, ORG.hasMembership)}
    assert set().union(*(d.inferred for d in described)) == inferred
