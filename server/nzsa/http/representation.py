"""Cacheable HTTP responses for documents: ETag, Last-Modified, 304, Vary, Link and CORS.

RFC 9110 §8.8 (validators), §13 (conditional requests), §12.5.5 (Vary); RFC 8288 (Link).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from flask import Response, request
from werkzeug.http import is_resource_modified

from ..formats import Format

# Headers a cross-origin script may read besides the CORS-safelisted ones.
EXPOSED = "ETag, Link, Content-Location, Location, Vary"


def content_type(fmt: Format) -> str:
    """Return the Content-Type for a format, with the charset that text types need."""
    if fmt.media_type.startswith("text/"):
        return fmt.media_type + "; charset=utf-8"
    return fmt.media_type


def make_etag(*parts: object) -> str:
    """Return a strong validator for the representation the parts identify."""
    digest = hashlib.sha256("\0".join(map(str, parts)).encode("utf-8")).hexdigest()
    return digest[:32]


def link(url: str, rel: str, media_type: str | None = None) -> str:
    """Return one RFC 8288 link-value."""
    value = f'<{url}>; rel="{rel}"'
    return value + f'; type="{media_type}"' if media_type else value


def alternates(urls: Iterable[tuple[str, Format]]) -> list[str]:
    """Return rel="alternate" link-values for (url, format) pairs."""
    return [link(url, "alternate", fmt.media_type) for url, fmt in urls]


def conditional(
    etag: str,
    last_modified: datetime,
    links: Iterable[str] = (),
    negotiated: bool = False,
    content_location: str | None = None,
    max_age: int = 0,
) -> Response:
    """Return a response with the validators and headers set; a 304 when not modified."""
    response = Response(status=200)
    response.set_etag(etag)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    links = list(links)
    if links:
        response.headers["Link"] = ", ".join(links)
    if negotiated:
        response.vary.add("Accept")
    if content_location:
        response.headers["Content-Location"] = content_location
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        response.status_code = 304
    return response


def fill(response: Response, body: bytes, fmt: Format, links: Iterable[str] = ()) -> Response:
    """Put a rendered body (and any links only the rendering knew) into a 200 response."""
    response.set_data(body)
    response.headers["Content-Type"] = content_type(fmt)
    extra = list(links)
    if extra:
        existing = response.headers.get("Link")
        response.headers["Link"] = ", ".join(([existing] if existing else []) + extra)
    return response


def allow_cross_origin(response: Response) -> Response:
    """Let any origin read what we publish (all of it is public and read-only)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Accept, If-None-Match, If-Modified-Since"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
