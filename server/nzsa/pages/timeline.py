"""Operations, missions, agreements and meetings with their dates, for the home timeline."""

from __future__ import annotations

from rdflib import Literal

from . import terms
from .site import bind, href, id_namespace, segment, store

# Dates of resources, or else of the facts that name them; ?ns is bound.
DATES = """
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?label ?p ?d ?via WHERE {
  #bindings
  VALUES ?p { nzsa:startDate nzsa:endDate nzsa:date }
  ?s skos:prefLabel ?label . FILTER(STRSTARTS(STR(?s), ?ns))
  { ?s ?p ?d } UNION { ?via ?x ?s . ?via ?p ?d . FILTER(isIRI(?via) || isBlank(?via)) }
}
"""

KINDS = {
    "operation": "Operations and missions",
    "agreement": "Agreements",
    "meeting": "Summits and meetings",
}


def items() -> list[dict]:
    """Return dated items (`type`, `start`, optional `end`, ISO dates; `when`), earliest first."""
    own: dict[str, dict] = {}
    borrowed: dict[str, dict] = {}
    for row in store().select(bind(DATES, ns=Literal(id_namespace()))):
        iri = str(row["s"])
        if segment(iri) not in KINDS:
            continue
        target = borrowed if row.get("via") is not None else own
        entry = target.setdefault(iri, {"label": str(row["label"]), "dates": {}})
        key = terms.local_name(row["p"])
        shown = terms.iso_start(row["d"])
        if shown is not None:
            # Several facts may date one operation: keep the earliest start, latest end.
            old = entry["dates"].get(key)
            later = key == "endDate"
            if old is None or (shown > old if later else shown < old):
                entry["dates"][key] = shown
                entry.setdefault("text", {})[key] = terms.show_date(row["d"])
    result = []
    for iri in sorted(set(own) | set(borrowed)):
        entry = own.get(iri) or borrowed[iri]
        shape = _shape(entry["dates"], entry.get("text", {}))
        if shape is None:
            continue
        result.append(
            {
                "id": iri,
                "content": entry["label"],
                **shape,
                "group": segment(iri),
                "kind": KINDS[segment(iri)],
                "href": href(iri),
            }
        )
    return sorted(result, key=lambda item: (item["start"], item["content"]))


def _shape(dates: dict, text: dict) -> dict | None:
    """Return how a thing is drawn from what its sources date, claiming nothing more.

    `type` is `range` (start and end known), `since` (a start and no end: drawn as a
    start with an open end, not as lasting until today), `ended` (only an end known:
    drawn at its end) or `point` (one date). `start` is where it is drawn, `end` only
    for a range, `when` the dates as words.
    """
    start, end, date = dates.get("startDate"), dates.get("endDate"), dates.get("date")
    if start and end and end > start:
        when = f"{text['startDate']} – {text['endDate']}"
        return {"type": "range", "start": start, "end": end, "when": when}
    if start and end:
        # Same year (or month) at both ends: one point, its span in words.
        same = text["startDate"] == text["endDate"]
        when = text["startDate"] if same else f"{text['startDate']} – {text['endDate']}"
        return {"type": "point", "start": start, "end": None, "when": when}
    if start:
        return {"type": "since", "start": start, "end": None, "when": f"since {text['startDate']}"}
    if date:
        return {"type": "point", "start": date, "end": None, "when": text["date"]}
    if end:
        return {"type": "ended", "start": end, "end": None, "when": f"ended {text['endDate']}"}
    return None
