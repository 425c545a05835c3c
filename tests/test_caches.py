"""The caches behind the benchmark figures: repeated answers equal the first ones."""

from __future__ import annotations

import pytest

DOCUMENT = "/doc/country/new-zealand"
QUERY = "SELECT ?p ?o WHERE { <https://w3id.org/nzsa/id/country/new-zealand> ?p ?o }"


def test_repeated_revalidation_answers_the_same_304(client):
    etag = client.get(DOCUMENT, headers={"Accept": "text/turtle"}).headers["ETag"]
    headers = {"Accept": "text/turtle", "If-None-Match": etag}
    first, again = client.get(DOCUMENT, headers=headers), client.get(DOCUMENT, headers=headers)
    assert first.status_code == again.status_code == 304
    assert sorted(first.headers.items()) == sorted(again.headers.items())
    # Another Accept is another representation: its own ETag, so not a 304.
    other = client.get(DOCUMENT, headers={**headers, "Accept": "application/ld+json"})
    assert other.status_code == 200


def test_stale_revalidation_gets_the_document(client):
    stale = {"Accept": "text/turtle", "If-None-Match": '"stale"'}
    assert client.get(DOCUMENT, headers=stale).status_code == 200


@pytest.mark.parametrize("budget", [0, 1_000_000], ids=["no cache", "cache"])
def test_repeated_query_answers_equal_the_first(make_app, budget):
    app = make_app(QUERY_CACHE_BYTES=budget)
    store = app.extensions["nzsa"].store
    calls = []
    execute = store.execute
    store.execute = lambda request: calls.append(request) or execute(request)
    client = app.test_client()
    accept = {"Accept": "application/sparql-results+json"}
    first = client.get("/sparql", query_string={"query": QUERY}, headers=accept)
    again = client.get("/sparql", query_string={"query": QUERY}, headers=accept)
    assert first.status_code == again.status_code == 200
    assert first.data == again.data
    assert len(calls) == (2 if budget == 0 else 1)


def test_rendered_documents_are_shared_through_the_build_folder(make_app, fixture_build):
    first = make_app().test_client().get(DOCUMENT, headers={"Accept": "text/turtle"})
    assert any((fixture_build / "rendered").iterdir())
    # A second app (another worker) reads the rendering instead of making it again.
    second = make_app().test_client().get(DOCUMENT, headers={"Accept": "text/turtle"})
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
