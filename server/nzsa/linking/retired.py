"""Retired IRIs: a renamed one answers 301 to its replacement, a withdrawn one 410 Gone.

An IRI is never deleted (docs/MODELLING.md): it keeps `owl:deprecated true` and either
`dcterms:isReplacedBy` its successor (renamed, merged) or a `skos:changeNote` saying why
it was withdrawn. A withdrawn resource's last description is still served, with 410, so
that whoever linked to it can see what it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, redirect, request
from rdflib import Literal, URIRef

from ..http import addresses, documents
from ..http.representation import link

RETIRED = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?this ?replacement ?reason WHERE {
  ?this owl:deprecated true .
  OPTIONAL { ?this dcterms:isReplacedBy ?replacement }
  OPTIONAL { ?this skos:changeNote ?reason }
}
"""
# Most renamings followed from an old IRI to the current one: a longer chain is a cycle.
LONGEST_CHAIN = 16


@dataclass(frozen=True)
class Retired:
    """A deprecated IRI: its current replacement (None if withdrawn) and the reasons given."""

    iri: URIRef
    replacement: URIRef | None
    reasons: tuple[str, ...]

    @property
    def withdrawn(self) -> bool:
        return self.replacement is None

    def notice(self) -> str:
        """Say in one sentence what became of the resource, for people."""
        why = " ".join(self.reasons)
        if self.withdrawn:
            return (
                "This resource has been withdrawn. " + why
                if why
                else ("This resource has been withdrawn; what it last said is kept below.")
            )
        return f"This resource has been replaced by {self.replacement}. {why}".strip()


def retired_iris(store) -> dict[URIRef, Retired]:
    """Return every deprecated IRI in the store, each with the end of its replacement chain."""
    replacements: dict[URIRef, URIRef | None] = {}
    reasons: dict[URIRef, list[str]] = {}
    for row in store.select(RETIRED):
        this = row["this"]
        if not isinstance(this, URIRef):
            continue
        replacement = row.get("replacement")
        if isinstance(replacement, URIRef):
            replacements[this] = min(replacement, replacements.get(this) or replacement)
        else:
            replacements.setdefault(this, None)
        reason = row.get("reason")
        if isinstance(reason, Literal) and str(reason) not in reasons.setdefault(this, []):
            reasons[this].append(str(reason))
    return {
        iri: Retired(iri, _last(iri, replacements), tuple(sorted(reasons.get(iri, []))))
        for iri in replacements
    }


def _last(iri: URIRef, replacements: dict[URIRef, URIRef | None]) -> URIRef | None:
    """Follow a chain of renamings to the IRI in use (one redirect, not a chain of them)."""
    current = replacements.get(iri)
    for _ in range(LONGEST_CHAIN):
        if current is None or current not in replacements or replacements[current] is None:
            return current
        current = replacements[current]
    return current


def all_retired() -> dict[URIRef, Retired]:
    """Return every retired IRI of the served data, found once per data version."""
    store = documents.store()
    key = (store.version(), "retired")
    return documents.state().cache.get_or_make(key, lambda: retired_iris(store))


def lookup(thing_path: str) -> Retired | None:
    """Return the retirement of the thing at a local path (`id/x/y`), if it is retired."""
    return all_retired().get(addresses.iri_for_path(thing_path))


def moved(retired: Retired, prefix: str, suffix: str) -> Response:
    """Answer 301 Moved Permanently to the replacement, at the same kind of address.

    `prefix` is `id/` for the thing, `doc/` for its document; a format suffix and the
    query (a page number) are kept.
    """
    replacement = str(retired.replacement)
    path = addresses.path_for_iri(replacement)
    if path is None:
        target = replacement  # replaced by something outside this dataset
    else:
        document = addresses.document_path(path) if prefix == "doc/" else path
        target = addresses.external((document or path) + suffix)
        query = request.query_string.decode("ascii", "replace")
        target += "?" + query if query else ""
    response = redirect(target, code=301)
    response.headers["Link"] = link(replacement, "canonical")
    response.vary.add("Accept")
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["MAX_AGE"]
    return response
