"""Routes for crawlers: /robots.txt names /sitemap.xml, which lists every document and dump."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from ..http import documents
from ..http.representation import allow_cross_origin, conditional, make_etag
from ..release import code_version
from . import retired, sitemap

bp = Blueprint("crawl", __name__)
bp.after_request(allow_cross_origin)


def _dataset(split: list[list[sitemap.Entry]]) -> str:
    """Return the Semantic Sitemap element for the first part."""
    every = [entry for part in split for entry in part]
    return sitemap.dataset_element(documents.build_dir(), sitemap.sample(every))


def _split() -> list[list[sitemap.Entry]]:
    """Return the sitemap's entries split into parts, once per data version and host.

    Kept in a slot of their own, the latest only: they grow with the data (122,000
    resources at 1M triples, some 20 s to list here), past what the render cache keeps.
    """
    store, build = documents.store(), documents.build_dir()
    version = store.version()
    key = (version, request.url_root, current_app.config["SITEMAP_URLS"])
    slot = current_app.extensions.setdefault("nzsa.sitemap", {})
    found = slot.get(key)
    if found is None:
        built = documents.state().last_modified(version, build)
        entries = sitemap.entries(store, build, built, retired.all_retired())
        found = sitemap.parts(entries, current_app.config["SITEMAP_URLS"])
        slot.clear()
        slot[key] = found
    return found


def _send(name: str, body: bytes, media_type: str) -> Response:
    """Send a crawler document with the validators and caching every document has."""
    version = documents.store().version() + "+" + code_version()
    built = documents.state().last_modified(documents.store().version(), documents.build_dir())
    response = conditional(
        make_etag(version, request.url_root, name, current_app.config["SITEMAP_URLS"]),
        built,
        max_age=current_app.config["MAX_AGE"],
    )
    if response.status_code == 304:
        return response
    response.set_data(body)
    response.headers["Content-Type"] = media_type
    return response


@bp.get("/robots.txt")
def robots():
    """Tell crawlers what to fetch and where the sitemap is."""
    body = sitemap.robots().encode("utf-8")
    return _send("robots.txt", body, "text/plain; charset=utf-8")


@bp.get("/sitemap.xml")
def sitemap_xml():
    """Send the sitemap, or the index of its parts when it holds too many URLs."""
    split = _split()
    body = sitemap.urlset(split[0]) if len(split) == 1 else sitemap.index(split)
    return _send("sitemap.xml", body, "application/xml; charset=utf-8")


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    """Send one part of a sitemap too large for one file."""
    split = _split()
    if len(split) == 1 or not 1 <= number <= len(split):
        abort(404, description=f"Nothing is published at {request.path}.")
    body = sitemap.urlset(split[number - 1])
    return _send(sitemap.part_path(number), body, "application/xml; charset=utf-8")


@bp.get("/" + sitemap.DATASET_SITEMAP)
def dataset_sitemap():
    """Send the Semantic Sitemap: the dataset, its endpoint and dumps, and its description."""
    split = _split()
    built = documents.state().last_modified(documents.store().version(), documents.build_dir())
    body = sitemap.urlset([sitemap.Entry("void", built)], _dataset(split))
    return _send(sitemap.DATASET_SITEMAP, body, "application/xml; charset=utf-8")
