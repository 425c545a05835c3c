"""Map IRIs under the base to this server's own URLs, and thing paths to document paths.

The data keeps its permanent IRIs (`https://w3id.org/nzsa/id/...`); the server answers for
them at its own host, so `https://w3id.org/nzsa/id/country/new-zealand` is served at
`/id/country/new-zealand` and its document at `/doc/country/new-zealand`.
"""

from __future__ import annotations

from flask import current_app, request
from rdflib import URIRef

# Thing paths (relative to the base) whose documents live under /doc/. Skolem IRIs keep
# their RFC 7511-style `.well-known/genid/` prefix below /doc/ so the two cannot collide.
THING_PREFIXES = {"id/": "doc/", ".well-known/genid/": "doc/.well-known/genid/"}


def base_iri() -> str:
    """Return the configured base IRI, always ending in a slash."""
    base = current_app.config["BASE_IRI"]
    return base if base.endswith("/") else base + "/"


def iri_for_path(path: str) -> URIRef:
    """Return the IRI under the base that a local path (without leading slash) stands for."""
    return URIRef(base_iri() + path)


def path_for_iri(iri: str) -> str | None:
    """Return the local path (without leading slash) of an IRI under the base, else None."""
    base = base_iri()
    return iri[len(base) :] if iri.startswith(base) else None


def document_path(thing_path: str) -> str | None:
    """Return the document path of a thing path (`id/x/y` → `doc/x/y`), else None."""
    for thing, doc in THING_PREFIXES.items():
        if thing_path.startswith(thing):
            return doc + thing_path[len(thing) :]
    return None


def thing_path(document: str) -> str | None:
    """Return the thing path a document path describes (`doc/x/y` → `id/x/y`), else None."""
    # Longest document prefix first: `doc/.well-known/genid/` before `doc/`.
    for thing, doc in sorted(THING_PREFIXES.items(), key=lambda item: -len(item[1])):
        if document.startswith(doc):
            return thing + document[len(doc) :]
    return None


def root_url() -> str:
    """Return this server's external root URL (scheme, host and script root), with slash."""
    # request.url_root already honours ProxyFix's X-Forwarded-Proto/Host/Prefix.
    return request.url_root


def external(path: str) -> str:
    """Return the absolute URL of a local path (without leading slash) at this server."""
    return root_url() + path


def local_href(iri: str) -> str | None:
    """Return where to follow an IRI from a page: our own URL for IRIs under the base."""
    path = path_for_iri(iri)
    if path is None:
        return iri if iri.startswith(("http://", "https://")) else None
    document = document_path(path)
    return request.script_root + "/" + (document or path)
