"""Hypothesis against `nzsa serve` on loopback: the query endpoint, content negotiation
and the IRI router answer whatever they are sent without a 5xx, a traceback or a hang.

A query that runs past the server's time limit (2 s here) is the one 503 allowed: it is
the documented answer, and says so. The profile (tests/conftest.py) fixes the examples.
"""

from __future__ import annotations

from urllib.parse import quote

import requests
from fixture_data import ID, REQUEST_TIMEOUT
from hypothesis import given, settings
from hypothesis import strategies as st

TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FROM", "NAMED", "GRAPH", "OPTIONAL",
    "UNION", "MINUS", "FILTER", "BIND", "AS", "VALUES", "SERVICE", "DEFINE", "LOAD", "INSERT",
    "ORDER", "GROUP", "BY", "LIMIT", "OFFSET", "DISTINCT", "COUNT", "STR", "REGEX", "EXISTS",
    "NOT", "a", "*", "{", "}", "(", ")", "[", "]", ".", ";", ",", "<<", ">>", "|", "/", "^",
    "?s", "?p", "?o", "$x", "1", "2.5", '"x"', "'y'@en", '"1"^^xsd:integer', "true",
    f"<{ID}country/fiji>", "<http://example.org/f>", "<bif:sys_stat>", "bif:contains",
    "xsd:integer", "ex:f", "rdf:rest", "PREFIX", "ex:", "<http://example.org/>", "BASE",
    "#", "\\u0053ERVICE", "\n", "<", ">", "=", "&&", "||", "!",
]  # fmt: skip
queries = st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=30).map(" ".join)
MEDIA = [
    "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
    "text/html", "application/json", "application/sparql-results+json", "text/csv", "*/*",
    "text/*", "application/*", "image/png", "", "text/turtle;charset=utf-8", "x", ";;",
]  # fmt: skip
# Header values are Latin-1 on the wire; visible ASCII is what clients send.
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
weights = st.sampled_from(["", ";q=0", ";q=0.5", ";q=1", ";q=x"])
accepts = st.lists(st.tuples(st.sampled_from(MEDIA) | header_text, weights), max_size=5).map(
    lambda items: ", ".join(m + q for m, q in items)
)
segments = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def sane(response) -> None:
    """Fail on a server error (other than a documented timeout) or a traceback."""
    timed_out = response.status_code == 503 and "timeout" in response.text.lower()
    assert response.status_code < 500 or timed_out, (
        response.status_code, response.request.url, response.text[:300]
    )  # fmt: skip
    assert "Traceback" not in response.text


@given(query=queries, post=st.booleans(), accept=accepts)
@settings(max_examples=300)
def test_any_query_text_gets_an_answer_or_a_4xx(server, query, post, accept):
    headers = {"Accept": accept}
    if post:
        response = requests.post(server.url + "sparql", data={"query": query}, headers=headers,
                                 timeout=REQUEST_TIMEOUT)  # fmt: skip
    else:
        response = requests.get(server.url + "sparql", params={"query": query}, headers=headers,
                                timeout=REQUEST_TIMEOUT)  # fmt: skip
    sane(response)


@given(
    path=st.sampled_from(
        [
            "doc/country/fiji",
            "doc/country/fiji.ttl",
            "sparql?query=ASK%7B%7D",
            "sparql",
            "search?q=fi",
            "void",
            "ontology",
            "",
            "class/State",
            "context.jsonld",
        ]
    ),  # fmt: skip
    accept=accepts,
)
def test_any_accept_header_is_negotiated_or_refused_with_406(server, path, accept):
    response = requests.get(server.url + path, headers={"Accept": accept},
                            timeout=REQUEST_TIMEOUT, allow_redirects=False)  # fmt: skip
    sane(response)
    assert response.status_code in (200, 303, 400, 404, 406), (response.status_code, accept)


@given(
    route=st.sampled_from(
        [
            "id/",
            "doc/",
            ".well-known/genid/",
            "class/",
            "page?iri=",
            "class?iri=",
            "id/country/",
            "doc/country/",
        ]
    ),  # fmt: skip
    segment=segments,
)
@settings(max_examples=300)
def test_the_iri_router_answers_any_path(server, route, segment):
    safe = "" if "?" in route else "/"
    response = requests.get(server.url + route + quote(segment, safe=safe),
                            timeout=REQUEST_TIMEOUT, allow_redirects=False)  # fmt: skip
    sane(response)
    assert response.status_code in (200, 301, 303, 400, 404, 410), response.status_code
