"""Error answers on every route: the client's form, the site's own page for browsers."""

from __future__ import annotations

import pytest
from fixture_data import ID

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGE_ROUTES = [
    pytest.param("/", id="home"),
    pytest.param("/search?q=fiji", id="search"),
    pytest.param("/class/State", id="class"),
    pytest.param(f"/page?iri={ID}country/fiji", id="page"),
    pytest.param("/doc/country/fiji", id="document"),
    pytest.param("/ontology", id="ontology"),
]


class Failing:
    """A store that fails in a way nobody planned for (a bug, not an outage)."""

    def __init__(self, store):
        self.store = store

    def version(self):
        return self.store.version()

    def close(self):
        self.store.close()

    def select(self, *args, **kwargs):
        raise RuntimeError("an unplanned failure")

    construct = execute = select


@pytest.mark.parametrize("path", PAGE_ROUTES)
def test_an_unexpected_failure_is_a_friendly_page(make_app, path):
    app = make_app(RESPONSE_CACHE_BYTES=0)
    app.extensions["nzsa"].store = Failing(app.extensions["nzsa"].store)
    app.testing = False  # let Flask answer the failure instead of raising it here
    response = app.test_client().get(path, headers={"Accept": BROWSER})
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and 'href="/search"' in page
    assert "RuntimeError" not in page and "unplanned" not in page


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/no/such/thing", 404, id="unknown-path"),
        pytest.param("/id/country/atlantis", 404, id="unknown-thing"),
        pytest.param("/class/Atlantis", 404, id="unknown-class"),
        pytest.param("/page?iri=not%20an%20iri", 400, id="bad-iri"),
        pytest.param("/doc/country/fiji?page=x", 400, id="bad-page"),
    ],
)
@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        pytest.param(BROWSER, "text/html", id="browser"),
        pytest.param("application/json", "application/json", id="json"),
        pytest.param("text/turtle", "text/plain", id="data-client"),
    ],
)
def test_errors_come_in_the_form_asked_for(client, path, status, accept, media_type):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == status
    assert response.mimetype == media_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Accept" in response.headers["Vary"]
    if media_type == "application/json":
        assert response.json["status"] == status and response.json["error"]
    if media_type == "text/html":
        assert 'href="/"' in response.get_data(as_text=True)


def test_a_wrong_method_keeps_its_allow_header(client):
    response = client.delete("/doc/country/fiji", headers={"Accept": BROWSER})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.mimetype == "text/html"
