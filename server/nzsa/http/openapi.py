"""The OpenAPI 3.1 description of every route, at /openapi.json, made from the routing.

Paths and methods come from the app's URL map (a rule with a choice of names, such as
`/void.ttl` or `/ontology.jsonld`, is listed once per choice), query parameters from
params.ROUTE_PARAMETERS, summaries from the views' docstrings: the description cannot
drift from the routes, and a test compares the two through werkzeug's own matcher.
"""

from __future__ import annotations

import itertools
import re

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from .params import ROUTE_PARAMETERS, Parameter

bp = Blueprint("openapi", __name__)

SEGMENT = re.compile(r"<(?:(?P<converter>[^(:>]+)(?:\([^)]*\))?:)?(?P<name>[^>]+)>")
ANSWER = (
    "The answer, negotiated on Accept where there is a choice; an error in text, JSON or"
    " HTML by Accept."
)
SPARQL_BODY = {
    "content": {
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    }
}

RECONCILE_BODY = {
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "queries": {"type": "string", "description": "A batch of queries (JSON)."},
                    "extend": {"type": "string", "description": "A data extension query (JSON)."},
                    "callback": {"type": "string", "description": "A JSONP callback name."},
                },
            }
        }
    }
}
# What each POST reads from its body.
REQUEST_BODIES = {"sparql.endpoint": SPARQL_BODY, "reconcile.service": RECONCILE_BODY}
# Request headers a route reads beyond Accept.
HEADERS = {
    "memento.timegate": (
        {
            "name": "Accept-Datetime",
            "in": "header",
            "required": False,
            "description": "The moment whose version to find, as an HTTP date (RFC 7089 §2.1.1).",
            "schema": {"type": "string"},
        },
    ),
}
GONE = "A withdrawn thing: its last description, the page saying so."
MOVED = "A renamed thing: to its replacement's address of the same kind."
MISSING = "Nothing is published there."
# The statuses of the routes linkers meet, each with what it means; every route also has
# the default answer.
STATUSES: dict[str, dict[str, str]] = {
    "linkeddata.thing": {
        "303": "To the thing's document (the format a suffix names is kept).",
        "301": MOVED, "404": MISSING, "410": GONE,
    },
    "linkeddata.skolem": {"303": "To the node's document.", "404": MISSING},
    "linkeddata.document": {
        "200": "The document, negotiated on Accept or in the format its suffix names.",
        "301": MOVED, "404": MISSING, "406": "No format on offer fits Accept; they are listed.",
        "410": GONE,
    },
    "memento.timegate": {
        "302": "To the memento in force at Accept-Datetime (the latest without it).",
        "400": "Accept-Datetime is not an HTTP date.", "404": "No release holds the resource.",
    },
    "memento.timemap": {
        "200": "The original, its TimeGate and every memento, in application/link-format.",
        "404": "No release holds the resource.",
    },
    "memento.memento": {
        "200": "A document as the release published it: Memento-Datetime, immutable.",
        "303": "A thing's IRI as the release answered it: to that release's document.",
        "404": MISSING,
    },
    "reconcile.service": {
        "200": "The manifest, the batch's candidates or the extended rows (JSON or JSONP).",
        "400": "A query that does not follow the protocol; the message says why.",
        "413": "More queries or ids than the batch size.",
    },
}  # fmt: skip


def paths_of(rule: Rule) -> list[tuple[str, list[dict]]]:
    """Return a rule's OpenAPI path templates (one per choice of names) and path parameters."""
    choices, parameters = [], []
    for match in SEGMENT.finditer(rule.rule):
        name = match.group("name")
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            choices.append([(match.group(), item) for item in sorted(converter.items)])
            continue
        schema = (
            {"type": "integer"} if isinstance(converter, IntegerConverter) else {"type": "string"}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    templates = []
    for picked in itertools.product(*choices):
        template = rule.rule
        for segment, item in picked:
            template = template.replace(segment, item, 1)
        templates.append(SEGMENT.sub(lambda m: "{" + m.group("name") + "}", template))
    return [(template, parameters) for template in templates]


def query_parameter(parameter: Parameter) -> dict:
    """Return the OpenAPI description of one query parameter."""
    schema: dict = {"type": "string"}
    if parameter.repeats:
        schema = {"type": "array", "items": schema}
    return {
        "name": parameter.name,
        "in": "query",
        "required": parameter.required,
        "description": parameter.description,
        "schema": schema,
        **({"style": "form", "explode": True} if parameter.repeats else {}),
    }


def describe(app: Flask, root: str) -> dict:
    """Return the OpenAPI document of every route the app serves."""
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        summary = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
        query = [query_parameter(p) for p in ROUTE_PARAMETERS.get(rule.endpoint, ())]
        for template, path_parameters in paths_of(rule):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                statuses = STATUSES.get(rule.endpoint, {})
                operation = {
                    "summary": summary,
                    "operationId": f"{method.lower()}:{template}",
                    "parameters": path_parameters + query + list(HEADERS.get(rule.endpoint, ())),
                    "responses": {
                        **{code: {"description": said} for code, said in sorted(statuses.items())},
                        "default": {"description": ANSWER},
                    },
                }
                if method == "POST":
                    operation["requestBody"] = REQUEST_BODIES[rule.endpoint]
                paths.setdefault(template, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "nzsa: New Zealand's international security architecture",
            "version": "1",
            "description": "A read-only SPARQL 1.1 endpoint and Linked Data documents.",
        },
        "servers": [{"url": root}],
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi():
    """Send the OpenAPI description of every route."""
    return jsonify(describe(current_app, request.url_root))
