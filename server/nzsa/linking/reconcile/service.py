"""The W3C Entity Reconciliation API (version 0.2, as OpenRefine speaks it) at /reconcile.

    GET /reconcile                          the service manifest
    GET|POST /reconcile  queries=<JSON>     a batch of reconciliation queries
    GET|POST /reconcile  extend=<JSON>      data extension
    GET /reconcile/suggest/{entity,type,property}?prefix=   auto-completion
    GET /reconcile/preview?id=              an HTML preview for an iframe
    GET /reconcile/properties?type=         properties proposed for data extension

Every answer allows any origin (CORS, required by 0.2) and, given `callback=`, comes as
JSONP for older clients. Bad JSON is a 400 and too large a batch a 413, each with
{"status": "error", "message": ...}, the shape clients such as `reconciler` look for.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from ... import __version__
from ...http import addresses, documents
from ...vocab import NZSA
from . import extend, match, suggest
from .index import IndexHolder, NameIndex, Term, compact, expand

bp = Blueprint(
    "reconcile", __name__, url_prefix="/reconcile", template_folder="templates",
    static_folder="static",
)  # fmt: skip

NAME = "New Zealand's international security architecture"
DEFAULT_LIMIT = 10
DESCRIPTION_LENGTH = 200
# JSONP callbacks as jQuery and OpenRefine name them; nothing else reaches the body.
CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.]{0,99}")
PREVIEW_SIZE = {"width": 420, "height": 180}
# The preview is made to be framed by any client (OpenRefine runs on its user's machine),
# and holds no script: it may load only our style sheet.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)
LIMIT_SETTING = {
    "name": "limit",
    "label": "Limit",
    "type": "number",
    "default": 0,
    "help_text": "Most values fetched per entity and property (0: all of them).",
}


class ServiceError(HTTPException):
    """A refusal, sent as JSON with the status given."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def register(app: Flask) -> None:
    """Add the service and the per-worker index it builds on first use."""
    app.extensions["nzsa.reconcile"] = IndexHolder()
    app.register_blueprint(bp)


def index() -> NameIndex:
    """Return this worker's index of the data being served."""
    holder: IndexHolder = current_app.extensions["nzsa.reconcile"]
    return holder.get(documents.store(), addresses.base_iri(), documents.build_dir())


@bp.errorhandler(ServiceError)
def refuse(error: ServiceError):
    """Send a refusal as JSON (or JSONP), with CORS."""
    return _send({"status": "error", "message": error.description}, error.code)


@bp.after_request
def allow_cross_origin(response: Response) -> Response:
    """Let any origin call every endpoint (Reconciliation API 0.2, cross-origin access)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _send(payload: dict, status: int = 200) -> Response:
    """Send JSON, or JSONP when the request names a callback."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    callback = request.args.get("callback")
    if callback is not None:
        if not CALLBACK.fullmatch(callback):
            callback = None
            status, body = 400, json.dumps({"status": "error", "message": "bad callback name"})
        else:
            # The comment keeps a callback name from being read as the start of a file type.
            body = f"/**/{callback}({body});"
    mimetype = "application/javascript" if callback else "application/json"
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.method == "GET" and status == 200:
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["MAX_AGE"]
    return response


def _json_parameter(name: str):
    text = request.values.get(name)
    try:
        return json.loads(text)
    except ValueError as error:
        raise ServiceError(400, f"`{name}` is not valid JSON: {error}") from None


def _service_url() -> str:
    return addresses.external("reconcile")


def manifest() -> dict:
    """Return the service manifest."""
    found = index()
    types = [_type(t) for t in found.default_types()]
    service = _service_url()
    suggest_service = {"service_url": service}
    return {
        "versions": ["0.2"],
        "name": NAME,
        "identifierSpace": found.namespace,
        "schemaSpace": str(NZSA),
        "documentation": addresses.external(""),
        "serviceVersion": __version__,
        "batchSize": current_app.config["RECONCILE_BATCH_SIZE"],
        "view": {"url": addresses.external("id/") + "{{id}}"},
        "preview": {"url": service + "/preview?id={{id}}", **PREVIEW_SIZE},
        "suggest": {
            "entity": {**suggest_service, "service_path": "/suggest/entity"},
            "type": {**suggest_service, "service_path": "/suggest/type"},
            "property": {**suggest_service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/properties"},
            "property_settings": [LIMIT_SETTING],
        },
        "defaultTypes": types,
    }


def _type(term: Term, found: NameIndex | None = None) -> dict:
    described = {"id": term.id, "name": term.name}
    if found is not None:
        broader = [found.classes[b] for b in term.broader if b in found.classes]
        if broader:
            described["broader"] = [{"id": b.id, "name": b.name} for b in broader]
        if term.description:
            described["description"] = term.description
    return described


def candidate_json(found: NameIndex, candidate: match.Candidate) -> dict:
    """Return a candidate as the protocol writes it."""
    entity = candidate.entity
    described = {
        "id": entity.id,
        "name": entity.name,
        "type": [{"id": compact(t), "name": found.type_name(t)} for t in entity.types],
        "score": candidate.score,
        "match": candidate.match,
        "features": candidate.features,
    }
    description = entity.description or ", ".join(found.type_name(t) for t in entity.types)
    if description:
        described["description"] = description[:DESCRIPTION_LENGTH]
    return described


def reconcile_batch(batch) -> dict:
    """Answer a batch of queries, each on its own."""
    if not isinstance(batch, dict):
        raise ServiceError(400, "`queries` must be a JSON object of queries by key")
    largest = current_app.config["RECONCILE_BATCH_SIZE"]
    if len(batch) > largest:
        raise ServiceError(413, f"at most {largest} queries per batch (the manifest's batchSize)")
    found = index()
    store = documents.store()
    known = extend.terms(found)
    most = current_app.config["RECONCILE_MAX_CANDIDATES"]
    answers = {}
    for key, raw in batch.items():
        try:
            query = match.parse(raw, DEFAULT_LIMIT, most, known)
        except match.BadQuery as error:
            raise ServiceError(400, f"query {key!r}: {error}") from None
        candidates = match.reconcile(
            found,
            query,
            lambda entities, pids: extend.values(store, found, entities, pids),
            lambda q: extend.candidates_for(store, found, q),
        )
        match.decide(candidates, query)
        answers[key] = {"result": [candidate_json(found, c) for c in candidates]}
    return answers


def extend_rows(request_body) -> dict:
    """Answer a data extension query: each entity's values of each property."""
    if not isinstance(request_body, dict):
        raise ServiceError(400, "`extend` must be a JSON object with `ids` and `properties`")
    ids, asked = request_body.get("ids"), request_body.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ServiceError(400, "`ids` must be a list of entity ids")
    if not isinstance(asked, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) for p in asked
    ):
        raise ServiceError(400, "`properties` must be a list of objects with an `id`")
    largest = current_app.config["RECONCILE_BATCH_SIZE"]
    if len(ids) > largest or len(asked) > extend.MAX_PROPOSED:
        raise ServiceError(
            413, f"at most {largest} ids and {extend.MAX_PROPOSED} properties per request"
        )
    found = index()
    known = extend.terms(found)
    columns = []
    for item in asked:
        term = known.get(expand(item["id"]))
        if term is None:
            raise ServiceError(400, f"unknown property {item['id']!r}: see /reconcile/properties")
        limit = (item.get("settings") or {}).get("limit", 0)
        if isinstance(limit, str) and limit.isdigit():
            limit = int(limit)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ServiceError(400, "the `limit` setting must be a whole number, 0 for all")
        columns.append((item["id"], term, limit))
    entities = {i: found.entity(i) for i in ids}
    known_entities = list({e.iri: e for e in entities.values() if e is not None}.values())
    values = extend.values(documents.store(), found, known_entities, [t.iri for _, t, _ in columns])
    rows = {}
    for i, entity in entities.items():
        own = values.get(entity.iri, {}) if entity else {}
        rows[i] = {
            asked_id: (own.get(term.iri, [])[:limit] if limit else own.get(term.iri, []))
            for asked_id, term, limit in columns
        }
    meta = [{"id": asked_id, "name": term.name} for asked_id, term, _ in columns]
    return {"meta": meta, "rows": rows}


@bp.route("", methods=["GET", "POST", "OPTIONS"])
def service():
    """Answer the manifest, a batch of queries or a data extension request."""
    if request.method == "OPTIONS":
        return Response(status=204)
    if "queries" in request.values:
        return _send(reconcile_batch(_json_parameter("queries")))
    if "extend" in request.values:
        return _send(extend_rows(_json_parameter("extend")))
    return _send(manifest())


def _prefix() -> str:
    prefix = request.args.get("prefix", "")
    if len(prefix) > 200:
        raise ServiceError(400, "`prefix` is longer than 200 characters")
    return prefix


def _cursor() -> int:
    text = request.args.get("cursor", "0")
    if not text.isdigit() or len(text) > 6:
        raise ServiceError(400, "`cursor` must be a whole number")
    return int(text)


@bp.get("/suggest/entity")
def suggest_entity():
    """Suggest entities whose names start with (or contain a word starting with) a prefix."""
    found = index()
    wanted = request.args.get("type")
    hits = suggest.entities(found, _prefix(), expand(wanted) if wanted else None)
    page = hits[_cursor() : _cursor() + DEFAULT_LIMIT]
    result = []
    for entity in page:
        item = {
            "id": entity.id,
            "name": entity.name,
            "notable": [{"id": compact(t), "name": found.type_name(t)} for t in entity.types],
        }
        if entity.description:
            item["description"] = entity.description[:DESCRIPTION_LENGTH]
        result.append(item)
    return _send({"result": result})


@bp.get("/suggest/type")
def suggest_type():
    """Suggest the ontology's classes that have instances."""
    found = index()
    hits = suggest.types(found, _prefix())
    return _send({"result": [_type(t, found) for t in hits[_cursor() : _cursor() + 20]]})


@bp.get("/suggest/property")
def suggest_property():
    """Suggest properties to match on or fetch."""
    found = index()
    hits = suggest.properties(extend.terms(found), _prefix())
    result = []
    for term in hits[_cursor() : _cursor() + 20]:
        item = {"id": term.id, "name": term.name}
        if term.description:
            item["description"] = term.description
        result.append(item)
    return _send({"result": result})


@bp.get("/properties")
def properties():
    """Propose properties for data extension on entities of a type."""
    found = index()
    wanted = request.args.get("type") or None
    text = request.args.get("limit", str(extend.MAX_PROPOSED))
    if not text.isdigit() or len(text) > 6:
        raise ServiceError(400, "`limit` must be a whole number")
    if wanted is not None and expand(wanted) not in found.classes:
        raise ServiceError(400, f"unknown type {wanted!r}: see /reconcile/suggest/type")
    type_iri = expand(wanted) if wanted else None
    key = (documents.store().version(), "reconcile-properties", type_iri)
    proposed = documents.state().cache.get_or_make(
        key,
        lambda: extend.propose(documents.store(), found, type_iri, extend.MAX_PROPOSED),
    )
    payload = {
        "properties": [{"id": t.id, "name": t.name} for t in proposed[: int(text)]],
        "limit": int(text),
    }
    if wanted:
        payload["type"] = wanted
    return _send(payload)


@bp.get("/preview")
def preview():
    """Show an entity in a few lines, for a client's iframe."""
    found = index()
    entity = found.entity(request.args.get("id", ""))
    if entity is None:
        body = render_template("reconcile/preview.html", entity=None, **PREVIEW_SIZE)
        response = Response(body, status=404, mimetype="text/html")
    else:
        body = render_template(
            "reconcile/preview.html",
            entity=entity,
            types=[found.type_name(t) for t in entity.types],
            other_names=[n for n, kind in entity.names if kind != "preferred"],
            page=addresses.local_href(entity.iri),
            wikidata=entity.wikidata,
            **PREVIEW_SIZE,
        )
        response = Response(body, mimetype="text/html")
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["MAX_AGE"]
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
