"""Headers every answer carries: no content sniffing, and a Content-Security-Policy on pages.

The policy lets a page load scripts, styles, images and data from this site only, and
run no inline script: every script is a file under /static, the data a page's scripts
read sits in `<script type="application/json">` blocks, which are not run. Inline
styles stay allowed: pyLODE's ontology page carries its own `<style>`, and YASGUI and
vis-network set styles as they draw; a style cannot run script. Images may be `data:`
URLs (pyLODE's icons, vis-network's drawings). No page may be framed elsewhere
(clickjacking), no `<base>` may move its links, and forms post here only.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)


def secure(response: Response) -> Response:
    """Forbid sniffing on every answer, and give every page its policy."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A page with a policy of its own keeps it: the reconciliation preview, which clients
    # such as OpenRefine frame, allows framing and nothing else.
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


def register(app: Flask) -> None:
    """Add the headers to every answer, errors included."""
    app.after_request(secure)
