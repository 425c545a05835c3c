"""The OpenAPI description: it matches the app's routes, and schemathesis finds no 5xx.

The match is checked through werkzeug's own matcher, both ways: every documented path
and method is routed to a view, and every rule and method is documented. Schemathesis
then sends what the description allows to a real `nzsa serve` on loopback.
"""

from __future__ import annotations

import re

import requests
import schemathesis
from fixture_data import REQUEST_TIMEOUT
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

SAMPLE = {"integer": "1", "string": "x"}


def documented(app) -> dict:
    return app.test_client().get("/openapi.json").json


def routed(app, path: str, method: str) -> str | None:
    """Return the endpoint werkzeug routes a path and method to, or None."""
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method=method)
    except (NotFound, MethodNotAllowed):
        return None
    return endpoint


def test_every_documented_operation_is_routed(app):
    document = documented(app)
    assert document["openapi"].startswith("3.")
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            kinds = {p["name"]: p["schema"]["type"] for p in operation["parameters"]}
            path = re.sub(r"\{([^}]+)\}", lambda m, k=kinds: SAMPLE[k[m.group(1)]], template)
            assert routed(app, path, method.upper()) is not None, (method, template)


def test_every_route_is_documented(app):
    paths = documented(app)["paths"]
    endpoints = {
        (routed(app, re.sub(r"\{[^}]+\}", "1", template), method.upper()), method.upper())
        for template, operations in paths.items()
        for method in operations
    }
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (rule.endpoint, method) in endpoints, (rule.rule, method)


def test_no_request_the_description_allows_gets_a_5xx(server):
    api = schemathesis.openapi.from_url(server.url + "openapi.json", timeout=REQUEST_TIMEOUT)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 30

    @given(data=st.data())
    @settings(max_examples=len(operations) * 12)
    def call(data):
        case = data.draw(st.sampled_from(operations).flatmap(lambda op: op.as_strategy()))
        response = case.call(timeout=30)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
        assert "Traceback" not in response.text

    call()


def test_the_description_names_the_configured_root(server):
    document = requests.get(server.url + "openapi.json", timeout=REQUEST_TIMEOUT).json()
    assert document["servers"] == [{"url": server.url}]
