"""Small defects of the request layer, each against `nzsa serve` on loopback: body limits
for chunked bodies, /search negotiation, nosniff and a Content-Security-Policy on pages."""

from __future__ import annotations

import pytest
import requests
from fixture_data import ID, REQUEST_TIMEOUT


def chunks(total: int, size: int = 1 << 20):
    """Yield a body of `total` bytes in pieces, so it is sent chunked, with no length."""
    while total > 0:
        yield b"a" * min(size, total)
        total -= size


@pytest.mark.parametrize(
    "content_type", ["application/sparql-query", "application/x-www-form-urlencoded"]
)
def test_a_chunked_body_over_the_limit_gets_413(server, content_type):
    response = requests.post(
        server.url + "sparql",
        data=chunks(3_000_000),
        headers={"Content-Type": content_type},
        timeout=30,
    )
    assert response.status_code == 413
    assert "larger than" in response.text
    ask = requests.get(server.url + "sparql", params={"query": "ASK {}"}, timeout=REQUEST_TIMEOUT)
    assert ask.status_code == 200


def test_a_chunked_body_within_the_limit_is_read_whole(server):
    query = b"ASK { ?s ?p ?o }"
    response = requests.post(
        server.url + "sparql",
        data=iter([query[:5], query[5:]]),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True


def test_search_without_accept_answers_the_page(server):
    # requests always sends Accept; a bare client sends none.
    session = requests.Session()
    del session.headers["Accept"]
    response = session.get(server.url + "search", params={"q": "fiji"}, timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Fiji" in response.text


def test_search_406_says_it_varies_by_accept(server):
    response = requests.get(
        server.url + "search", params={"q": "fiji"}, headers={"Accept": "image/png"},
        timeout=REQUEST_TIMEOUT,
    )  # fmt: skip
    assert response.status_code == 406
    assert "Accept" in response.headers["Vary"]


def test_search_json_is_not_sniffed(server):
    response = requests.get(
        server.url + "search", params={"q": "fiji", "format": "json"}, timeout=REQUEST_TIMEOUT
    )
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


HTML_ROUTES = [
    pytest.param("", id="home"),
    pytest.param("search?q=fiji", id="search"),
    pytest.param("class/State", id="class"),
    pytest.param(f"page?iri={ID}country/fiji", id="page"),
    pytest.param("doc/country/fiji.html", id="document"),
    pytest.param("sparql", id="editor"),
    pytest.param("no/such/page", id="error"),
    pytest.param("ontology.html", id="ontology"),
    pytest.param("shapes.html", id="shapes"),
]


@pytest.mark.parametrize("path", HTML_ROUTES)
def test_every_page_carries_a_content_security_policy(server, path):
    response = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=30)
    assert response.headers["Content-Type"].startswith("text/html")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
