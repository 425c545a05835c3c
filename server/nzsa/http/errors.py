"""Every error answer: short, escaped and in the form the client asked for.

Text, JSON or a page of the site, by `Accept`. Refusals of a query carry the guard's or
the parser's message; store failures are logged in one line and answered without
internal detail (the back end's address stays in the log): 503 with `Retry-After` when
the store cannot be reached, 500 otherwise.
"""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .. import guard
from ..ops import metrics
from ..store.base import (
    EngineFailed,
    EngineRefused,
    QueryRejected,
    QueryTimeout,
    ResultsCut,
    StoreError,
    StoreUnavailable,
)
from .headers import secure
from .representation import allow_cross_origin

KINDS = ("text/plain", "application/json", "text/html")
# Seconds a client is asked to wait before retrying a query that ran out of time.
RETRY_AFTER = 5
# Headers an HTTP error brings that the answer must keep.
KEPT_HEADERS = ("allow", "retry-after")


def error_response(
    status: int, message: str, offered=(), headers: dict[str, str] | None = None
) -> Response:
    """Write an error as text, JSON or a page, escaping whatever the client sent."""
    kind = request.accept_mimetypes.best_match(KINDS, "text/plain")
    name = HTTP_STATUS_CODES.get(status, "Error")
    if kind == "application/json":
        document = {"status": status, "error": message}
        if offered:
            document["available"] = [f.media_type for f in offered]
        # Escape markup characters too, so no sniffing client can read the body as HTML.
        body = json.dumps(document).replace("<", "\\u003c").replace(">", "\\u003e")
        body = body.replace("&", "\\u0026")
    elif kind == "text/html":
        # Jinja autoescapes the message, which may quote the request.
        body = render_template(
            "pages/error.html", status=status, name=name, message=message, offered=offered
        )
    else:
        # Plain text cannot run script, but a sniffing client might still take it for HTML.
        body = f"{status} {name}: {escape(message)}\n"
        body += "".join(f"  {f.name} ({f.media_type}, {f.suffix})\n" for f in offered)
    response = secure(Response(body, status=status, mimetype=kind))
    response.headers.update(headers or {})
    response.vary.add("Accept")
    return allow_cross_origin(response)


def http_error(error: HTTPException) -> Response:
    """Answer werkzeug's HTTP errors (404, 405, 406, 413 ...) in the client's form."""
    kept = {k: v for k, v in error.get_headers() if k.lower() in KEPT_HEADERS}
    message = error.description or ""
    if error.code == 413:
        message = f"The request body is larger than {current_app.config['MAX_BODY_BYTES']} bytes."
    return error_response(error.code or 500, message, getattr(error, "offered", ()), kept)


def refused(error: guard.Refused) -> Response:
    """Answer a request the guard refuses, with its status and reason."""
    return error_response(error.status, error.message)


def rejected(error: QueryRejected) -> Response:
    """Answer a query the engine could not parse or run, with the engine's reason."""
    if not (request.endpoint or "").startswith("sparql."):
        # Our own queries are well formed: refusing one is the engine's failure.
        current_app.logger.warning("store refused our query: %s", error)
        return error_response(502, f"The data store failed to answer: {error}")
    if isinstance(error, EngineRefused):
        current_app.logger.warning("store refused a query: %s", error)
        return error_response(400, f"Refused by the data store: {error}")
    return error_response(400, f"Malformed query: {error}")


def timed_out(error: QueryTimeout) -> Response:
    """Answer a query stopped at its time limit."""
    metrics.query_timed_out()
    limit = current_app.config["QUERY_TIMEOUT"]
    message = (
        f"Query timeout: {error}; the limit is {limit:g} s and the query's work was stopped. "
        "Narrow the patterns or add LIMIT."
    )
    return error_response(503, message, headers={"Retry-After": str(RETRY_AFTER)})


def unavailable(error: StoreUnavailable) -> Response:
    """Answer 503 while the store cannot be reached; the details go to the log, once."""
    current_app.logger.warning("store unavailable: %s", error)
    metrics.store_unavailable()
    message = f"The data store is not answering; try again in {error.retry_after} seconds."
    return error_response(503, message, headers={"Retry-After": str(error.retry_after)})


def engine_failed(error: StoreError) -> Response:
    """Answer 502 when the remote engine failed or cut an answer, with its reason."""
    # The reason is the engine's own, without its address (which the log line names).
    current_app.logger.warning("store failed: %s", error)
    return error_response(502, f"The data store failed to answer: {error}")


def store_failed(error: StoreError) -> Response:
    """Answer 500 when the store failed; the details go to the log, once."""
    current_app.logger.error("store error: %s", error)
    return error_response(500, "The data store failed to answer this request.")


def server_error(error: HTTPException) -> Response:
    """Answer an unexpected failure (Flask has logged its traceback) with a plain page."""
    return error_response(500, "Something went wrong on our side while answering this request.")


def register(app: Flask) -> None:
    """Answer every error of every route in the client's form."""
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, server_error)
    app.register_error_handler(guard.Refused, refused)
    app.register_error_handler(QueryRejected, rejected)
    app.register_error_handler(QueryTimeout, timed_out)
    app.register_error_handler(StoreUnavailable, unavailable)
    app.register_error_handler(EngineFailed, engine_failed)
    app.register_error_handler(ResultsCut, engine_failed)
    app.register_error_handler(StoreError, store_failed)
