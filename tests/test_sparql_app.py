"""The SPARQL handlers and their plain functions, through Flask's test client."""

from __future__ import annotations

import pytest
from nzsa import guard
from nzsa.http import sparql
from werkzeug.datastructures import MIMEAccept, MultiDict


def test_truncated_results_say_so(make_app):
    client = make_app(MAX_RESULTS=5).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["NZSA-Results-Truncated"] == "true"
    assert "truncated at 5" in response.headers["Warning"]
    assert len(response.json["results"]["bindings"]) == 5
    assert "NZSA-Results-Truncated" in response.headers["Access-Control-Expose-Headers"]


def test_untruncated_results_carry_no_warning(client):
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 3"})
    assert "NZSA-Results-Truncated" not in response.headers
    assert "Warning" not in response.headers


def test_run_query_without_http(app):
    store = app.extensions["nzsa"].store
    params = sparql.Params(query="ASK { ?s ?p ?o }", formats=("xml",))
    answer = sparql.run_query(store, app.config, params, MIMEAccept(), False)
    assert answer.result_format.name == "xml" and b"<boolean>true</boolean>" in answer.body


@pytest.mark.parametrize(
    ("method", "mimetype", "args", "form", "status"),
    [
        pytest.param("GET", "", {"query": ["a", "b"]}, {}, 400, id="two-queries"),
        pytest.param("GET", "", {"update": ["CLEAR ALL"]}, {}, 403, id="update"),
        pytest.param("GET", "", {"query": ["a"], "update": ["b"]}, {}, 400, id="both"),
        pytest.param("POST", "text/plain", {}, {}, 415, id="wrong-type"),
        pytest.param("POST", "application/sparql-update", {}, {}, 403, id="update-body"),
        pytest.param("POST", "application/x-www-form-urlencoded", {}, {}, 400, id="no-query"),
    ],
)
def test_read_params_refusals(method, mimetype, args, form, status):
    with pytest.raises(guard.Refused) as refused:
        sparql.read_params(method, mimetype, MultiDict(args), MultiDict(form), lambda: "")
    assert refused.value.status == status


def test_read_params_direct_post():
    params = sparql.read_params(
        "POST",
        "application/sparql-query",
        MultiDict({"default-graph-uri": ["http://g/"], "format": ["csv"]}),
        MultiDict(),
        lambda: "ASK {}",
    )
    assert params == sparql.Params("ASK {}", ("http://g/",), (), ("csv",))


def test_point_at_marks_the_column():
    message = sparql.point_at("error at 2:5: expected x", "SELECT\nabc def\n")
    assert message.splitlines()[1:] == ["abc def", "    ^"]
    assert sparql.point_at("no position", "x") == "no position"


def test_service_description_uses_the_configured_base():
    graph = sparql.service_description("http://example.org/kg/")
    endpoint = "http://example.org/kg/sparql"
    assert any(str(s) == endpoint for s in graph.subjects())
    names = {str(o) for o in graph.objects(None, sparql.SD.name)}
    assert "http://example.org/kg/graph/data" in names
