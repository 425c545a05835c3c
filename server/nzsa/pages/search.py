"""Find resources by name: `/search?q=` as a page for people or JSON for the autocomplete."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request
from rdflib import Literal

from ..vocab import ONTOLOGY_IRI
from .blueprint import blueprint
from .site import bind, href, segment, store

# The needle is bound by the store as a literal, never pasted into the query text.
QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
SELECT ?s ?how ?matched ?pref ?term WHERE {
  #bindings
  VALUES ?how { skos:prefLabel skos:altLabel nzsa:formerName rdfs:label }
  ?s ?how ?matched .
  FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?matched)), ?needle))
  OPTIONAL { ?s skos:prefLabel ?pref }
  OPTIONAL { ?s rdfs:isDefinedBy ?term . FILTER(?term = ?ontology) }
}
"""

KINDS = {
    "country": "state or territory",
    "place": "place",
    "organisation": "organisation or forum",
    "agency": "agency",
    "agreement": "agreement",
    "programme": "programme",
    "fund": "fund",
    "operation": "operation or mission",
    "meeting": "meeting",
    "threat": "threat",
    "area": "cooperation area",
    "role": "role",
    "scheme": "concept scheme",
    "source": "source document",
}
LIMIT = 20
HTML, JSON = "text/html", "application/json"


def _rank(needle: str, matched: str, how: str) -> tuple:
    text = matched.lower()
    closeness = (
        0
        if text == needle
        else 1
        if text.startswith(needle)
        else 2
        if f" {needle}" in f" {text}"
        else 3
    )
    return (closeness, not how.endswith("prefLabel"), len(matched))


def search(q: str, limit: int = LIMIT) -> list[dict]:
    """Return resources whose name contains `q` (any case), best matches first."""
    needle = " ".join(q.split()).lower()
    if not needle:
        return []
    rows = store().select(bind(QUERY, needle=Literal(needle), ontology=ONTOLOGY_IRI))
    best: dict[str, tuple] = {}
    for row in rows:
        iri, matched, how = str(row["s"]), str(row["matched"]), str(row["how"])
        label = str(row.get("pref") or matched)
        # The label breaks ties in rank, so the engine's row order never decides.
        rank = (*_rank(needle, matched, how), label, matched)
        if iri not in best or rank < best[iri][0]:
            kind = "ontology term" if row.get("term") else KINDS.get(segment(iri) or "", "")
            best[iri] = (
                rank,
                {"iri": iri, "label": label, "matched": matched, "kind": kind, "href": href(iri)},
            )
    ordered = sorted(
        best.values(), key=lambda item: (item[0][:-2], item[1]["label"].lower(), item[1]["iri"])
    )
    return [result for _, result in ordered[:limit]]


def wants_json() -> bool:
    """Return whether the client asked for JSON (`?format=json` or Accept); 406 if neither.

    No Accept at all means anything will do (RFC 9110 §12.5.1): the page.
    """
    if request.args.get("format") in ("json", "html"):
        return request.args["format"] == "json"
    if not request.headers.get("Accept", "").strip():
        return False
    best = request.accept_mimetypes.best_match([HTML, JSON])
    if best is None:
        abort(406, description=f"Search answers in {HTML} or {JSON}.")
    return best == JSON


@blueprint.get("/search")
def search_page():
    """Answer a name search as a results page or as JSON."""
    q = request.args.get("q", "")
    as_json = wants_json()
    results = search(q)
    if as_json:
        response = jsonify({"query": q, "results": results})
    else:
        response = render_template("pages/search.html", q=q, results=results)
    return response, 200, {"Vary": "Accept"}
