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
    """Return dated items (`start`, optional `end`, ISO dates), earliest first."""
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
            keep = max if key == "endDate" else min
            entry["dates"][key] = keep(old, shown) if old else shown
            entry.setdefault("text", {})[key] = terms.show_date(row["d"])
    result = []
    for iri in sorted(set(own) | set(borrowed)):
        entry = own.get(iri) or borrowed[iri]
        dates, text = entry["dates"], entry.get("text", {})
        start = dates.get("startDate") or dates.get("date")
        if start is None:
            continue
        end = dates.get("endDate")
        result.append(
            {
                "id": iri,
                "content": entry["label"],
                "start": start,
                "end": end if end and end > start else None,
                "when": _when(text),
                "group": segment(iri),
                "kind": KINDS[segment(iri)],
                "href": href(iri),
            }
        )
    return sorted(result, key=lambda item: (item["start"], item["content"]))


def _when(text: dict) -> str:
    if "startDate" in text:
        return f"{text['startDate']} – {text.get('endDate', 'ongoing')}"
    return text.get("date", "")
