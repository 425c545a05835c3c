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


@pytest.mark.parametrize(
    ("text", "named"),
    [
        pytest.param("SELECT * { BIND(<http://e/f>(1) AS ?x) }", "<http://e/f>", id="iri-call"),
        pytest.param("SELECT * { ?s ?p ?o FILTER <http://e/f>(?o) }", "<http://e/f>", id="filter"),
        pytest.param(
            "PREFIX ex: <http://e/> SELECT (ex:f(?o) AS ?x) { ?s ?p ?o }", "ex:f", id="projection"
        ),
        pytest.param(
            "PREFIX ex: <http://e/> SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s ex:f(?o) } }",
            "ex:f",
            id="subquery-order-by",
        ),
        pytest.param(
            "PREFIX ex: <http://e/> SELECT * { ?s ?p ?o } GROUP BY ex:f(?o)", "ex:f", id="group-by"
        ),
        pytest.param("SELECT (<bif:sys_stat>('st_dbms_ver') AS ?v) {}", "<bif:sys_stat>", id="bif"),
        pytest.param("SELECT * { ?o bif:contains 'x' }", "bif:contains", id="bif-predicate"),
        pytest.param("SELECT (sql:f() AS ?v) {}", "sql:f", id="sql"),
        pytest.param('DEFINE input:grab-all "yes" SELECT * {}', "DEFINE", id="define"),
        pytest.param('define get:soft "soft" SELECT * {}', "define", id="define-lower"),
        pytest.param("SELECT * { ?s ?p ?o } OPTION (QUIETCAST)", "OPTION", id="option"),
        pytest.param("SELECT (frob(?o) AS ?x) { ?s ?p ?o }", "frob", id="unknown-word"),
        pytest.param(
            "PREFIX xsd: <http://e/> SELECT (xsd:integer(1) AS ?x) {}",
            "xsd:integer",
            id="xsd-prefix-elsewhere",
        ),  # fmt: skip
        pytest.param("SELECT (<integer>(1) AS ?x) {}", "<integer>", id="relative-iri"),
        pytest.param("SELECT * { BIND(<\\u0062if:f>(1) AS ?x) }", "<\\u0062if:f>", id="escaped"),
    ],
)
def test_engine_extensions_are_refused_by_name(text, named):
    with pytest.raises(guard.Refused) as refused:
        check(text)
    assert refused.value.status == 400
    assert named in refused.value.message
    assert "not standard SPARQL 1.1" in refused.value.message


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("SELECT * { ?s <http://x/p> (1 2) }", id="collection-after-iri"),
        pytest.param(
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
            "SELECT * { ?s rdf:rest (1 (2 3)) }",
            id="nested-collection-after-pname",
        ),
        pytest.param("SELECT * { ?s a (1) . [ <http://x/p> (1) ] }", id="after-a-and-in-blank"),
        pytest.param(
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:date(?o) AS ?d)"
            " { ?s ?p ?o FILTER(xsd:integer(?o) > 1) } ORDER BY xsd:decimal(?o)",
            id="xsd-casts",
        ),
        pytest.param(
            'SELECT (<http://www.w3.org/2001/XMLSchema#dateTime>("2020-01-01T00:00:00") AS ?d) {}',
            id="cast-by-iri",
        ),
        pytest.param(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) (GROUP_CONCAT(?o; separator=',') AS ?g) "
            "{ ?s ?p ?o FILTER(?o IN (1, 2) && ?o NOT IN (3) && STRLEN(STR(?o)) > 0) "
            "BIND(IF(BOUND(?o), sameTerm(?o, ?o), isIRI(?o)) AS ?b) } "
            "GROUP BY ?s HAVING (COUNT(*) > 1) ORDER BY DESC(?n) LIMIT 1",
            id="built-ins",
        ),
        pytest.param(
            "SELECT * { { SELECT ?s (MAX(?o) AS ?m) { ?s ?p ?o } GROUP BY ?s } "
            "?s <http://x/p> (1) }",
            id="collection-after-subquery",
        ),
        pytest.param(
            "SELECT * { VALUES (?x ?y) { (<http://a> <http://b>) (UNDEF 1) } }", id="values"
        ),
        pytest.param(
            "SELECT * { ?s (<http://x/p>|<http://x/q>)/<http://x/r> ?o . ?s !(<http://x/p>) ?o }",
            id="paths",
        ),
        pytest.param("CONSTRUCT { ?s <http://x/p> (1 2) } WHERE { ?s ?p ?o }", id="template"),
        pytest.param("SELECT * { ?s <http://x/define> ?define } # DEFINE", id="define-as-text"),
    ],
)
def test_standard_queries_pass_the_extension_check(text):
    assert check(text) in ("SELECT", "CONSTRUCT")
