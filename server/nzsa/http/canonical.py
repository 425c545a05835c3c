"""Bound what a client can vary before any cache, file name or generated URL sees it.

The root: every absolute URL the server writes (Location, Link, Content-Location, the
JSON-LD context, pages, VoID, the download listing) starts with the request's root, so
the root comes from configuration. With PUBLIC_URL it is that URL, whatever Host the
request names (as Django's and Rails' hosts settings, and Fuseki behind its proxy); else
the request's Host must be one of ALLOWED_HOSTS, by default the loopback names and the
address the server listens on, so development needs no setting. Any other Host is a 400.
Forwarded headers reach this only through TRUSTED_PROXIES (werkzeug's ProxyFix, outside).

The query string: each route reads a few parameters (params.py); every other one is
dropped and the rest re-encoded, a single-valued one keeping its first value, so
`/?utm_source=…` is `/` to every cache, as CDNs drop what the origin ignores. Refusing
unknown parameters (400) would break shared links that trackers decorate; ignoring them
is what Virtuoso, Fuseki and the Linked Data servers do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException

from . import errors
from .params import ROUTE_PARAMETERS, Parameter

# Names the loopback interface answers to; with them development needs no setting.
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
# Listening on every address names no host a client could use.
WILDCARDS = ("", "0.0.0.0", "::", "[::]")


class HostPolicy:
    """Decide a request's root from the configuration, or refuse its Host."""

    def __init__(self, settings: Mapping):
        self.public = parse_public_url(settings["PUBLIC_URL"])
        listed = [h.strip().lower() for h in settings["ALLOWED_HOSTS"].split(",") if h.strip()]
        if "*" in listed:
            raise ValueError(
                "ALLOWED_HOSTS lists host names; `*` would let any Host into the URLs the"
                " server writes: set PUBLIC_URL instead"
            )
        if self.public is not None and listed:
            listed.append(self.public[1].lower())
        if listed or self.public is not None:
            self.allowed = frozenset(listed) or None  # None: PUBLIC_URL answers any Host
        else:
            self.allowed = default_hosts(settings["HOST"], settings["PORT"])

    def apply(self, environ: dict) -> str | None:
        """Set the request's root from the configuration; return why its Host is refused."""
        host = environ.get("HTTP_HOST", "").strip().lower()
        if self.allowed is not None and host not in self.allowed:
            named = f"names {host}" if host else "is missing"
            return (
                f"The Host header {named}, which this server does not serve. Its operator"
                " can set PUBLIC_URL or ALLOWED_HOSTS."
            )
        environ["HTTP_HOST"] = host
        if self.public is not None:
            scheme, netloc, prefix = self.public
            environ["wsgi.url_scheme"], environ["HTTP_HOST"] = scheme, netloc
            environ["SCRIPT_NAME"] = prefix
        return None


def parse_public_url(url: str) -> tuple[str, str, str] | None:
    """Return the scheme, host and path prefix of PUBLIC_URL (None when not set)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ValueError(
            f"PUBLIC_URL must be an http(s) URL like https://example.org/, not {url!r}"
        )
    return parts.scheme, parts.netloc, parts.path.rstrip("/")


def default_hosts(host: str, port: int) -> frozenset[str]:
    """Return the Host values served with no setting: loopback and the listen address."""
    names = list(LOOPBACK)
    if host not in WILDCARDS:
        names.append(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    return frozenset(n for name in names for n in (name.lower(), f"{name.lower()}:{port}"))


def canonical_query(query_string: str, parameters: tuple[Parameter, ...]) -> str:
    """Return a query string with only the route's parameters, re-encoded."""
    by_name = {p.name: p for p in parameters}
    kept, seen = [], set()
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        parameter = by_name.get(name)
        if parameter is None or (name in seen and not parameter.repeats):
            continue
        seen.add(name)
        kept.append((name, value))
    return urlencode(kept, quote_via=quote)


class Canonical:
    """WSGI middleware: a configured root and a canonical query string for every request."""

    def __init__(self, wsgi_app: Callable, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app
        self.hosts = HostPolicy(app.config)

    def __call__(self, environ: dict, start_response: Callable):
        refusal = self.hosts.apply(environ)
        if refusal is not None:
            with self.app.request_context(environ):
                response = errors.error_response(400, refusal)
            return response(environ, start_response)
        if environ.get("QUERY_STRING"):
            environ["QUERY_STRING"] = canonical_query(
                environ["QUERY_STRING"], self.parameters(environ)
            )
        return self.wsgi_app(environ, start_response)

    def parameters(self, environ: dict) -> tuple[Parameter, ...]:
        """Return the parameters of the route a request goes to (none for unknown paths)."""
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return ()  # 404, 405: the answer reads no parameter
        return ROUTE_PARAMETERS.get(endpoint, ())
