"""The query parameters each route reads, and the checks on what a client sends in them.

One table says which parameters a route takes: the query string is cut down to them
before any cache sees it (canonical.py), and the OpenAPI description lists them. An IRI
parameter is checked as an absolute IRI (RFC 3987) by pyoxigraph's parser, the one that
would otherwise refuse it mid-query, so bad text is a 400 naming the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph
from werkzeug.exceptions import BadRequest


@dataclass(frozen=True)
class Parameter:
    """One query parameter of a route."""

    name: str
    description: str
    repeats: bool = False  # may be given more than once, and every value counts
    required: bool = False


FORMAT_NAMES = "a format's short name (`json`, `turtle` …) or media type; overrides Accept"
SPARQL = (
    Parameter("query", "The SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE).", True),
    Parameter("default-graph-uri", "A graph of the default graph (SPARQL Protocol 2.1.4).", True),
    Parameter("named-graph-uri", "A named graph of the dataset (SPARQL Protocol 2.1.4).", True),
    Parameter("format", f"The answer's format: {FORMAT_NAMES}.", True),
    Parameter("output", "As `format` (the name Virtuoso and Fuseki clients send).", True),
    Parameter("results", "As `format` (the name some clients send).", True),
    Parameter("update", "Refused with 403: the endpoint is read-only.", True),
)
PAGE = Parameter("page", "The page of a long description, from 1 (past the last: 404).")
IRI = Parameter("iri", "An absolute IRI (RFC 3987) that the data mentions.", required=True)

# The Reconciliation API 0.2: JSON in `queries` / `extend`, JSONP on every answer.
CALLBACK = Parameter("callback", "A JSONP callback name: the answer comes as a script.")
PREFIX = Parameter("prefix", "What was typed so far.")
CURSOR = Parameter("cursor", "How many suggestions to skip.")
RECONCILE = {
    "reconcile.service": (
        Parameter("queries", "A batch of reconciliation queries (JSON), by key."),
        Parameter("extend", "A data extension query (JSON): ids and properties."),
        CALLBACK,
    ),
    "reconcile.suggest_entity": (
        PREFIX, CURSOR, Parameter("type", "Only entities of this type."), CALLBACK,
    ),
    "reconcile.suggest_type": (PREFIX, CURSOR, CALLBACK),
    "reconcile.suggest_property": (PREFIX, CURSOR, CALLBACK),
    "reconcile.properties": (
        Parameter("type", "The type whose entities' properties to propose."),
        Parameter("limit", "Most properties to propose."),
        CALLBACK,
    ),
    "reconcile.preview": (Parameter("id", "The entity's id.", required=True),),
}  # fmt: skip

# By endpoint; a route not listed reads no parameter.
ROUTE_PARAMETERS: dict[str, tuple[Parameter, ...]] = {
    "sparql.endpoint": SPARQL,
    "pages.search_page": (
        Parameter("q", "The text to find in names (any case)."),
        Parameter("format", "`json` or `html`; overrides Accept."),
    ),
    "pages.page": (IRI, PAGE),
    "pages.any_class_page": (IRI,),
    "linkeddata.thing": (PAGE,),
    "linkeddata.skolem": (PAGE,),
    "linkeddata.document": (PAGE,),
    "memento.timegate": (PAGE,),
    "memento.memento": (PAGE,),
    **RECONCILE,
}


def absolute_iri(name: str, text: str) -> str:
    """Return `text` if it is an absolute IRI, else refuse the request naming `name`."""
    try:
        pyoxigraph.NamedNode(text)
    except ValueError as error:
        raise BadRequest(
            f"The {name} parameter must be an absolute IRI (RFC 3987): {error}."
        ) from None
    return text
