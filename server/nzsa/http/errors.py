"""Error pages for the Linked Data routes and unknown paths: short, escaped, negotiated."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from .negotiate import NoAcceptableFormat
from .representation import allow_cross_origin


def error_response(error: HTTPException) -> Response:
    """Write an HTTP error as HTML for browsers, else plain text, escaping what was sent."""
    offered = getattr(error, "offered", ())
    wants_html = request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"
    if wants_html:
        # Jinja autoescapes the message, which may quote the request path.
        body = render_template(
            "ld/error.html",
            code=error.code,
            name=error.name,
            message=error.description,
            offered=offered,
        )
        response = Response(body, status=error.code, mimetype="text/html")
    else:
        # Plain text cannot run script, but a sniffing client might still take it for HTML.
        text = f"{error.code} {error.name}: {escape(error.description)}\n"
        text += "".join(f"  {f.media_type} ({f.suffix})\n" for f in offered)
        response = Response(text, status=error.code, mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("Accept")
    for header, value in getattr(error, "get_headers", lambda: [])():
        if header.lower() == "allow":
            response.headers[header] = value
    return allow_cross_origin(response)


def register(app: Flask) -> None:
    """Answer unknown paths (404), wrong methods (405) and bad page numbers (400)."""
    for code in (400, 404, 405):
        app.register_error_handler(code, error_response)
    app.register_error_handler(NoAcceptableFormat, error_response)
