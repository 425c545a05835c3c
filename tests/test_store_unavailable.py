"""The remote store down: every route answers 503 with Retry-After, in the client's form.

`nzsa serve --store remote` against a port nothing listens on, and against an endpoint
that answers 503 itself: no internal address in any body, one log line per failure, and
no traceback.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from fixture_data import ID, REQUEST_TIMEOUT, free_port

ROUTES = [
    pytest.param("sparql?query=ASK%7B%7D", id="sparql"),
    pytest.param("", id="home"),
    pytest.param("doc/country/fiji", id="document"),
    pytest.param("id/country/fiji", id="thing"),
    pytest.param(f"page?iri={ID}country/fiji", id="page"),
    pytest.param("class/State", id="class"),
    pytest.param("search?q=fiji", id="search"),
    pytest.param("ontology", id="ontology"),
    pytest.param("context.jsonld", id="context"),
]
# Each form preferred, anything else acceptable: a query's answer and an error are
# negotiated apart, the error in the form the client prefers.
FORMS = [
    pytest.param("text/html, */*;q=0.1", "text/html", id="html"),
    pytest.param("application/json, */*;q=0.1", "application/json", id="json"),
    pytest.param("text/plain, */*;q=0.1", "text/plain", id="text"),
]


class Overloaded(BaseHTTPRequestHandler):
    """A SPARQL endpoint that is always overloaded."""

    def do_POST(self):
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def overloaded_endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Overloaded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module", params=["unreachable", "overloaded"])
def down(request, nzsa_server, fixture_build, overloaded_endpoint):
    """`nzsa serve` in front of a remote store that cannot answer; and the store's address."""
    if request.param == "unreachable":
        endpoint = f"http://127.0.0.1:{free_port()}/query"
    else:
        endpoint = overloaded_endpoint
    running = nzsa_server(
        fixture_build, STORE="remote", REMOTE_ENDPOINT=endpoint, WORKERS=1, THREADS=2
    )
    return running, endpoint


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(("accept", "media_type"), FORMS)
def test_every_route_answers_503_with_retry_after(down, route, accept, media_type):
    running, endpoint = down
    response = requests.get(
        running.url + route,
        headers={"Accept": accept},
        timeout=REQUEST_TIMEOUT,
        allow_redirects=False,
    )
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Content-Type"].startswith(media_type)
    port = endpoint.split(":")[2].split("/")[0]
    assert port not in response.text and "127.0.0.1" not in response.text
    assert "Traceback" not in response.text
    if media_type == "application/json":
        assert response.json()["status"] == 503
    if media_type == "text/html":
        assert "try again" in response.text and 'href="/"' in response.text


def test_each_failure_is_one_log_line_without_traceback(down):
    running, endpoint = down
    before = running.output().count("store unavailable")
    for _ in range(3):
        response = requests.get(running.url + "doc/country/fiji", timeout=REQUEST_TIMEOUT)
        assert response.status_code == 503
    log = running.output()
    assert log.count("store unavailable") - before == 3
    assert "Traceback" not in log
