"""The page for people who link to the data: IRIs, formats, crawling, SPARQL, Wikidata."""

from __future__ import annotations

from flask import render_template

from ..http.addresses import base_iri, external
from ..linking import wikidata
from .blueprint import blueprint


@blueprint.get("/about/linking")
def linking():
    """Show how to link to, harvest and query the data."""
    base = base_iri()
    return render_template(
        "pages/linking.html",
        base=base,
        example=base + "id/country/new-zealand",
        example_doc=external("doc/country/new-zealand"),
        root=external(""),
        linkset=external("download/" + wikidata.LINKSET_FILE),
        quickstatements=external("download/" + wikidata.QUICKSTATEMENTS_FILE),
        exact_match=wikidata.EXACT_MATCH,
    )
