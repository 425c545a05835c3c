"""The guard's decisions on query text alone: SERVICE, updates, depth, length, form."""

from __future__ import annotations

import pytest
from nzsa import guard

LIMITS = {"max_length": 20_000, "max_depth": 64}


def check(text: str) -> str:
    return guard.check_query(text, **LIMITS)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", id="plain"),
        pytest.param("select * { service silent <http://x/> { ?s ?p ?o } }", id="lower-silent"),
        pytest.param("SELECT * {\n# comment\nSeRvIcE\n<http://x/> {} }", id="mixed-case"),
        pytest.param("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", id="variable-endpoint"),
        pytest.param("SELECT * { SERVI\\u0043E <http://x/> {} }", id="codepoint-escape"),
        pytest.param(
            'SELECT * { "\\u0022 SERVICE <http://x/> {} \\u0022" }', id="escape-in-string"
        ),
        pytest.param("SELECT*{SERVICE<http://x/>{}}", id="no-spaces"),
    ],
)
def test_service_is_refused(text):
    with pytest.raises(guard.Refused) as refused:
        check(text)
    assert refused.value.status == 403
    assert "SERVICE" in refused.value.message


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('SELECT * { ?s ?p "SERVICE <http://x/> {}" }', id="in-string"),
        pytest.param("SELECT * { ?s ?p '''INSERT\nDATA''' }", id="in-long-string"),
        pytest.param("SELECT * { ?s <http://x/SERVICE> ?o }", id="in-iri"),
        pytest.param("SELECT * { ?s ?p ?o } # SERVICE <http://x/> DROP ALL", id="in-comment"),
        pytest.param("SELECT ?service ?load { ?service ?p ?load }", id="variables"),
        pytest.param("PREFIX load: <http://x/> SELECT * { ?s load:service ?o }", id="pnames"),
        pytest.param('SELECT * { ?s ?p "x"@service }', id="language-tag"),
        pytest.param("SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }", id="less-than-not-iri"),
    ],
)
def test_keywords_inside_other_tokens_are_allowed(text):
    assert check(text) == "SELECT"


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://x/>",
        "CREATE GRAPH <http://x/>",
        "ADD DEFAULT TO <http://x/>",
        "MOVE DEFAULT TO <http://x/>",
        "COPY DEFAULT TO <http://x/>",
        "WITH <http://x/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "SELECT * { ?s ?p ?o } ; DROP ALL",
    ],
)
def test_updates_are_refused(text):
    with pytest.raises(guard.Refused) as refused:
        check(text)
    assert refused.value.status == 403
    assert "read-only" in refused.value.message


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("PREFIX ask: <http://x/> BASE <http://y/> ask { ?s ?p ?o }", "ASK"),
        ("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x/>", "DESCRIBE"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s ?p ?o { ?s ?p ?o } } }", "CONSTRUCT"),
    ],
)
def test_query_form_is_found(text, form):
    assert check(text) == form


def test_deep_nesting_is_a_400_not_a_crash():
    text = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    with pytest.raises(guard.Refused) as refused:
        check(text)
    assert refused.value.status == 400
    assert "5000 levels" in refused.value.message


def test_nesting_counts_every_bracket_kind():
    assert guard.nesting_depth("SELECT * { ( [ << <a> <b> <c> >> ] ) }") == 4
    assert guard.nesting_depth('SELECT * { ?s ?p "{{{{" }') == 1


def test_long_queries_are_refused():
    with pytest.raises(guard.Refused) as refused:
        guard.check_query("SELECT * {}" + " " * 100, max_length=50, max_depth=64)
    assert refused.value.status == 400
    assert "limit is 50" in refused.value.message


@pytest.mark.parametrize("text", ["", "   ", "hello world", "PREFIX x: <http://x/>"])
def test_non_queries_get_the_parser_message(text):
    with pytest.raises(guard.Refused) as refused:
        check(text)
    assert refused.value.status == 400
