"""The page for people who link to the data: IRIs, formats, crawling, SPARQL, Wikidata."""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import current_app, render_template
from werkzeug.http import http_date

from ..http.addresses import base_iri, external
from ..linking import wikidata
from .blueprint import blueprint

EXAMPLE = "country/new-zealand"
# The Accept-Datetime shown when the server holds no release to date it by.
SOME_DATE = "Thu, 01 Feb 2024 00:00:00 GMT"
# A reconciliation batch a reader can open as a link: the example, by name.
EXAMPLE_QUERY = {"q0": {"query": "New Zealand", "limit": 3}}


@blueprint.get("/about/linking")
def linking():
    """Show how to link to, harvest, match, query and travel back in the data."""
    base = base_iri()
    releases = current_app.extensions["nzsa.releases"].listed()
    return render_template(
        "pages/linking.html",
        base=base,
        example=base + "id/" + EXAMPLE,
        example_id=EXAMPLE,
        example_doc=external("doc/" + EXAMPLE),
        root=external(""),
        reconcile_query=external("reconcile?queries=" + quote(json.dumps(EXAMPLE_QUERY))),
        preview=external("reconcile/preview?id=" + quote(EXAMPLE, safe="")),
        releases=releases,
        latest=releases[-1] if releases else None,
        accept_datetime=http_date(releases[-1].datetime) if releases else SOME_DATE,
        linkset=external("download/" + wikidata.LINKSET_FILE),
        quickstatements=external("download/" + wikidata.QUICKSTATEMENTS_FILE),
        exact_match=wikidata.EXACT_MATCH,
    )
