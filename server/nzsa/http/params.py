"""Check what a client sends before it reaches a query: IRIs must be IRIs.

An IRI parameter (`default-graph-uri`, `named-graph-uri`, `iri`) is checked as an
absolute IRI (RFC 3987) by pyoxigraph's parser, the one that would otherwise refuse it
mid-query, so bad text is a 400 that names the parameter rather than a failed query.
"""

from __future__ import annotations

import pyoxigraph
from werkzeug.exceptions import BadRequest


def absolute_iri(name: str, text: str) -> str:
    """Return `text` if it is an absolute IRI, else refuse the request naming `name`."""
    try:
        pyoxigraph.NamedNode(text)
    except ValueError as error:
        raise BadRequest(
            f"The {name} parameter must be an absolute IRI (RFC 3987): {error}."
        ) from None
    return text
