"""The OpenAPI description: it matches the app's routes, and schemathesis finds no 5xx.

The match is checked through werkzeug's own matcher, both ways: every documented path
and method is routed to a view, and every rule and method is documented. Schemathesis
then sends what the description allows to a real `nzsa serve` on loopback.
"""

from __future__ import annotations

import re

import pytest
import requests
import schemathesis
from fixture_data import BASE, REQUEST_TIMEOUT
from hypothesis import given, settings
from hypothesis import strategies as st
from linking_data import RENAMED, WITHDRAWN, linking_build
from nzsa.app import create_app
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


def operation(app, template: str, method: str = "get") -> dict:
    return documented(app)["paths"][template][method]


def test_each_post_documents_the_body_its_route_reads(app):
    reconcile = operation(app, "/reconcile", "post")["requestBody"]["content"]
    form = reconcile["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert set(form) == {"queries", "extend", "callback"}
    sparql = operation(app, "/sparql", "post")["requestBody"]["content"]
    assert "application/sparql-query" in sparql
    assert "query" in sparql["application/x-www-form-urlencoded"]["schema"]["properties"]


def test_the_timegate_documents_accept_datetime(app):
    headers = [p for p in operation(app, "/timegate/{rest}")["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in headers] == ["Accept-Datetime"]


@pytest.fixture(scope="module")
def linking_app(tmp_path_factory):
    build = linking_build(tmp_path_factory.mktemp("openapi-linking"))
    app = create_app({"BUILD_DIR": str(build), "TESTING": True, "EXECUTORS": 1})
    yield app
    app.extensions["nzsa"].store.close()


@pytest.mark.parametrize(
    ("path", "template", "headers"),
    [
        ("/id/country/new-zealand", "/id/{rest}", {}),
        (RENAMED.replace(BASE, "/"), "/id/{rest}", {}),
        (WITHDRAWN.replace(BASE, "/"), "/id/{rest}", {}),
        ("/id/country/nowhere", "/id/{rest}", {}),
        ("/doc/country/new-zealand", "/doc/{rest}", {}),
        ("/doc/country/new-zealand", "/doc/{rest}", {"Accept": "image/png"}),
        (RENAMED.replace(BASE + "id/", "/doc/"), "/doc/{rest}", {}),
        (WITHDRAWN.replace(BASE + "id/", "/doc/"), "/doc/{rest}", {}),
        ("/timegate/doc/country/new-zealand", "/timegate/{rest}", {}),
        ("/timemap/id/country/new-zealand", "/timemap/{rest}", {}),
        ("/release/v1.0.0/doc/country/new-zealand", "/release/{tag}/{rest}", {}),
        ("/reconcile?queries=%7B%7D", "/reconcile", {}),
        ("/reconcile?queries=not-json", "/reconcile", {}),
    ],
)
def test_the_linking_routes_document_the_statuses_they_answer(linking_app, path, template, headers):
    response = linking_app.test_client().get(path, headers=headers)
    responses = operation(linking_app, template)["responses"]
    assert str(response.status_code) in responses, (path, response.status_code, list(responses))
    assert "default" in responses


def test_every_described_route_exists(app):
    from nzsa.http.openapi import HEADERS, REQUEST_BODIES, STATUSES

    assert set(STATUSES) | set(HEADERS) | set(REQUEST_BODIES) <= set(app.view_functions)
