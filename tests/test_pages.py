"""The pages without a browser: search, escaping, negotiation, class and SPARQL pages."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from rdflib import URIRef

sys.path.insert(0, str(Path(__file__).parent / "browser"))
from nzsa.app import create_app  # noqa: E402
from nzsa.pages import render_resource_page  # noqa: E402
from nzsa.pages.sparqlpage import questions  # noqa: E402
from sample import write_build  # noqa: E402

NZ = "https://w3id.org/nzsa/id/country/new-zealand"
BALI = "https://w3id.org/nzsa/id/organisation/bali-process"
ARF = "https://w3id.org/nzsa/id/organisation/asean-regional-forum"
MARKUP = "https://w3id.org/nzsa/id/organisation/markup-test"
HTML = {"Accept": "text/html"}
VENDOR = Path(__file__).parents[1] / "server" / "nzsa" / "pages" / "static" / "vendor"


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory):
    build = write_build(tmp_path_factory.mktemp("pages-build"))
    app = create_app({"BUILD_DIR": str(build), "TESTING": True, "EXECUTORS": 1})
    yield app
    app.extensions["nzsa"].store.close()


@pytest.fixture()
def web(sample_app):
    return sample_app.test_client()


def search(web, q, **headers):
    return web.get("/search", query_string={"q": q, "format": "json"}, headers=headers)


@pytest.mark.parametrize(
    ("q", "iri"),
    [
        pytest.param("bali", BALI, id="prefix"),
        pytest.param("BALI PROCESS", BALI, id="any-case"),
        pytest.param("trafficking in persons", BALI, id="alternative-name"),
        pytest.param(
            "ARF", "https://w3id.org/nzsa/id/organisation/asean-regional-forum", id="acronym"
        ),
        pytest.param(
            "south pacific chiefs",
            "https://w3id.org/nzsa/id/organisation/pacific-islands-chiefs-of-police",
            id="former-name",
        ),
    ],
)
def test_search_matches_names(web, q, iri):
    response = search(web, q)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    results = response.get_json()["results"]
    assert results[0]["iri"] == iri
    assert results[0]["href"].startswith("/doc/")


def test_search_ranks_exact_names_first(web):
    labels = [r["label"] for r in search(web, "new zealand").get_json()["results"]]
    assert labels[0] == "New Zealand"


@pytest.mark.parametrize(
    ("accept", "status", "mimetype"),
    [
        pytest.param("application/json", 200, "application/json", id="json"),
        pytest.param("text/html", 200, "text/html", id="html"),
        pytest.param("*/*", 200, "text/html", id="anything"),
        pytest.param("text/turtle", 406, None, id="unacceptable"),
    ],
)
def test_search_negotiates(web, accept, status, mimetype):
    response = web.get("/search?q=bali", headers={"Accept": accept})
    assert response.status_code == status
    if mimetype:
        assert response.mimetype == mimetype
        assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    "q", ['"} } SELECT * WHERE { ?s ?p ?o', "\\", "')) #", "<script>", "\u0000x"]
)
def test_search_text_cannot_change_the_query(web, q):
    response = search(web, q)
    assert response.status_code == 200
    assert response.get_json()["results"] == [] or q == "<script>"


def test_search_page_escapes_the_question(web):
    body = web.get("/search", query_string={"q": "<script>x</script>"}, headers=HTML).text
    assert "<script>x</script>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body


def test_markup_in_a_label_is_text(web):
    body = web.get("/page", query_string={"iri": MARKUP}, headers=HTML).text
    assert "<b>x</b>" not in body and "window.markupRan = true</script>" not in body
    assert "<h1>&lt;b&gt;x&lt;/b&gt;&lt;script&gt;" in body
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert "</" not in script.group(1)
    assert json.loads(script.group(1))["name"].startswith("<b>x</b><script>")


def test_resource_page_has_links_formats_and_evidence(web):
    response = web.get("/page", query_string={"iri": NZ}, headers=HTML)
    body = response.text
    assert response.status_code == 200
    assert f'<link rel="canonical" href="{NZ}">' in body
    for suffix in (".ttl", ".jsonld", ".rdf", ".nt"):
        assert f'href="/doc/country/new-zealand{suffix}"' in body
    assert 'href="http://www.wikidata.org/entity/Q664"' in body
    assert "We&#39;re a member of the ASEAN Regional Forum" in body
    assert '<a href="/doc/organisation/asean-regional-forum"' in body


def test_unknown_resource_is_404(web):
    assert web.get("/page?iri=https://w3id.org/nzsa/id/country/atlantis").status_code == 404


def test_resource_page_from_describe_pages_incoming_links(sample_app):
    from nzsa.describe import describe

    store = sample_app.extensions["nzsa"].store
    description = describe(store, URIRef(BALI), page=1, page_size=2)
    assert description.has_next
    with sample_app.test_request_context("/doc/organisation/bali-process"):
        body = render_resource_page(description, [], {"next": "/doc/x?page=2"})
    assert 'rel="next" href="/doc/x?page=2#h-incoming"' in body
    assert "<h1>Bali Process</h1>" in body


def test_home_page_has_network_and_timeline(web):
    body = web.get("/", headers=HTML).text
    network = json.loads(re.search(r'id="network-data">(.*?)</script>', body, re.S).group(1))
    assert NZ in {n["id"] for n in network["nodes"]}
    assert {e["label"] for e in network["edges"]} >= {"Membership", "Partnership"}
    timeline = json.loads(re.search(r'id="timeline-data">(.*?)</script>', body, re.S).group(1))
    ramsi = next(item for item in timeline if item["id"].endswith("/operation/ramsi"))
    assert (ramsi["start"], ramsi["end"]) == ("2003-01-01", "2017-06-01")
    assert "/class/State" in body


def test_class_page_lists_instances(web):
    body = web.get("/class/State", headers=HTML).text
    assert "New Zealand" in body and "Australia" in body
    assert web.get("/class/NoSuchClass").status_code == 404
    assert web.get("/class/<script>").status_code == 404


@pytest.mark.parametrize(
    ("path", "accept", "editor"),
    [
        pytest.param("/sparql", "text/html,application/xhtml+xml,*/*;q=0.8", True, id="browser"),
        pytest.param("/sparql", "*/*", False, id="client"),
        pytest.param("/sparql?query=ASK%7B%7D", "text/html", False, id="query"),
    ],
)
def test_sparql_editor_only_for_browsers_without_a_query(web, path, accept, editor):
    response = web.get(path, headers={"Accept": accept})
    assert ('id="yasgui"' in response.text) is editor
    if editor:
        assert response.status_code == 200 and response.mimetype == "text/html"


def test_sparql_editor_offers_every_competency_question():
    found = questions()
    files = sorted((Path(__file__).parent / "cq").glob("*.rq"))
    assert [q["id"] for q in found] == [f.stem for f in files]
    assert all(q["question"] and q["query"] for q in found)


@pytest.mark.parametrize("bundle", ["yasgui", "vis-network", "vis-timeline"])
def test_vendored_assets_carry_their_licences(bundle):
    folder = VENDOR / bundle
    assert (folder / "LICENSES.txt").stat().st_size > 1000
    assert list(folder.glob("*.min.js")) and list(folder.glob("*.min.css"))
    for script in folder.glob("*.js"):
        assert "sourceMappingURL" not in script.read_text(encoding="utf-8")[-300:]
