"""What every page needs: the store, where an IRI is read, and the data's own namespaces."""

from __future__ import annotations

from flask import current_app, g

from ..http.addresses import base_iri, local_href
from ..store.base import Store
from ..store.terms import MARK, values_clause, values_list, with_bindings


def store() -> Store:
    """Return the store this request reads: the app's, or an older release's for a memento."""
    release = g.get("nzsa_store")
    if release is not None:
        return release
    found = current_app.extensions["nzsa"]
    # The factory keeps either the store itself or a holder with a `store` attribute.
    return found if isinstance(found, Store) else found.store


def href(iri: str) -> str | None:
    """Return where a page links an IRI: our own page for ours, the IRI for the web's."""
    return local_href(str(iri))


def id_namespace() -> str:
    """Return the namespace of instance IRIs (`<base>id/`)."""
    return base_iri() + "id/"


def segment(iri: str) -> str | None:
    """Return the kind segment of an instance IRI (`country`, `operation` …), else None."""
    namespace = id_namespace()
    if not str(iri).startswith(namespace):
        return None
    return str(iri)[len(namespace) :].split("/", 1)[0]


def bind(query: str, **bindings) -> str:
    """Put bindings where the query marks `#bindings`, as a VALUES block inside WHERE.

    A trailing VALUES block (the store's own way) joins only after FILTERs and GROUP BY
    have run, so the filters and counts here would not see the values.  The terms are
    written by the store's validating serialiser, never pasted as text.
    """
    return with_bindings(query, bindings) if MARK in query else query


def bind_each(query: str, name: str, values, **bindings) -> str:
    """Bind `name` to each of `values` (one VALUES row apiece), and the rest as bind() does.

    Each term goes through the store's validating serialiser, as in bind().
    """
    block = values_list(name, values)
    if bindings:
        block += "\n" + values_clause(bindings).strip()
    return query.replace(MARK, block)
