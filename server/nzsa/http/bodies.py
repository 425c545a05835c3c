"""Refuse request bodies over MAX_BODY_BYTES with 413, announced or chunked.

A body with a Content-Length over the limit is refused before any handler reads it. A
chunked body announces no length: werkzeug would silently cut it at the limit (a query
cut mid-text gets a misleading 400), so it is read here up to one byte past the limit,
refused if it reaches it, and otherwise handed on as a body of known length.
"""

from __future__ import annotations

import io

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge


def refuse_large_bodies() -> None:
    """Answer 413 for a body over the limit, on every route, before any handler runs."""
    limit = current_app.config["MAX_BODY_BYTES"]
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    environ = request.environ
    if request.content_length is None and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", ""):
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            raise RequestEntityTooLarge()
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))


def register(app: Flask) -> None:
    """Check every request's body size first."""
    app.before_request(refuse_large_bodies)
