"""Time travel (Memento, RFC 7089): every release of a document kept addressable.

    /doc/<thing>                    the current document (the original resource, URI-R);
                                    Link: rel="original", "timegate", "timemap"
    /timegate/doc/<thing>           302 to the memento in force at Accept-Datetime (§4.1)
    /timemap/doc/<thing>            every memento, in application/link-format (§5)
    /release/<tag>/doc/<thing>      the document as release <tag> published it (a memento,
                                    URI-M): Memento-Datetime, immutable (§4)

The thing's IRI (/id/<thing>, which answers 303 to its document) is an original resource
too, with its own TimeGate and TimeMap: its memento /release/<tag>/id/<thing> is the 303
of that release, dated, to the release's document (RFC 7089, "Memento of a 3XX Response").

A memento is the same describe() and rendering as the current document, over the
release's own store (releases.py builds one per tag). Release stores open on first use,
per worker; the current document gains a constant Link header and nothing else.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, g, redirect, request
from rdflib import URIRef
from werkzeug.http import http_date, parse_date

from ..http import addresses, documents, linkeddata
from ..http.negotiate import DOCUMENT_FORMATS, split_suffix
from ..http.representation import EXPOSED, allow_cross_origin, link
from ..store.base import Store
from ..store.oxigraph import OxigraphStore
from ..store.terms import MARK
from .releases import RELEASES, Release, read_releases

bp = Blueprint("memento", __name__)
# The current resources that have mementos: a thing's IRI and its document.
VERSIONED = ("linkeddata.document", "linkeddata.thing")
LINK_FORMAT = "application/link-format"
# A memento never changes (RFC 8246); a year is the longest lifetime RFC 9111 suggests.
IMMUTABLE_SECONDS = 365 * 24 * 3600
# Whether a release says anything about a resource, as subject or object.
HOLDS = f"SELECT ?p WHERE {{ {MARK}\n {{ ?this ?p ?o }} UNION {{ ?s ?p ?this }} }} LIMIT 1"


class Releases:
    """The releases a build holds, and each one's store once a memento needs it."""

    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self._lock = threading.Lock()
        self._listed: list[Release] | None = None
        self._stores: dict[str, Store] = {}

    def listed(self) -> list[Release]:
        """Return the releases, oldest first, read once per worker."""
        if self._listed is None:
            self._listed = read_releases(self.build_dir)
        return self._listed

    def named(self, tag: str) -> Release | None:
        return next((r for r in self.listed() if r.tag == tag), None)

    def folder(self, release: Release) -> Path:
        return self.build_dir / RELEASES / release.tag

    def store(self, release: Release) -> Store:
        """Return the release's store, opened on first use (no query executors)."""
        with self._lock:
            if release.tag not in self._stores:
                self._stores[release.tag] = OxigraphStore(self.folder(release), executors=0)
            return self._stores[release.tag]

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()


def register(app: Flask) -> None:
    """Add the TimeGate, TimeMap and memento routes, and the current documents' links."""
    app.extensions["nzsa.releases"] = Releases(Path(app.config["BUILD_DIR"]))
    app.register_blueprint(bp)
    app.after_request(link_versions)


def releases() -> Releases:
    return current_app.extensions["nzsa.releases"]


def link_versions(response: Response) -> Response:
    """Give a current document its original, TimeGate and TimeMap links (RFC 7089 §2.2)."""
    if request.endpoint not in VERSIONED or not releases().listed():
        return response
    path = request.path.lstrip("/")
    extra = _links_to_versions(path)
    existing = response.headers.get("Link")
    response.headers["Link"] = ", ".join(([existing] if existing else []) + extra)
    return response


def _links_to_versions(path: str) -> list[str]:
    return [
        link(addresses.external(path), "original"),
        link(addresses.external("timegate/" + path), "timegate"),
        link(addresses.external("timemap/" + path), "timemap", LINK_FORMAT),
    ]


def _thing(path: str) -> URIRef:
    """Return the IRI a document or thing path names; 404 for anything else."""
    name, _ = split_suffix(path, DOCUMENT_FORMATS)
    thing = addresses.thing_path(name)
    if thing is None and addresses.document_path(name) is not None:
        thing = name  # the thing's own IRI (`id/…`)
    if thing is None or not linkeddata.PATH.fullmatch(thing):
        abort(404, description=f"Nothing is published at {request.path}.")
    return addresses.iri_for_path(thing)


def holding(iri: URIRef) -> list[Release]:
    """Return the releases that say anything about `iri`, oldest first."""
    held = []
    for release in releases().listed():
        store = releases().store(release)
        key = (store.version(), "memento-holds", str(iri))
        found = documents.state().cache.get_or_make(
            key, lambda store=store: bool(store.select(HOLDS, {"this": iri}))
        )
        if found:
            held.append(release)
    return held


def _memento_url(release: Release, path: str) -> str:
    return addresses.external(f"release/{release.tag}/{path}")


def _dated(release: Release, path: str, rel: str) -> str:
    return f'<{_memento_url(release, path)}>; rel="{rel}"; datetime="{http_date(release.datetime)}"'


def _neighbours(held: list[Release], at: Release | None, path: str) -> list[str]:
    """Return links to the first, last, previous and next mementos around `at`."""
    rels: dict[str, list[str]] = {}
    for name, release in (("first", held[0]), ("last", held[-1])):
        rels.setdefault(release.tag, []).append(name)
    if at is not None:
        position = held.index(at)
        if position > 0:
            rels.setdefault(held[position - 1].tag, []).append("prev")
        if position + 1 < len(held):
            rels.setdefault(held[position + 1].tag, []).append("next")
        rels.setdefault(at.tag, [])
    by_tag = {r.tag: r for r in held}
    return [_dated(by_tag[tag], path, " ".join([*names, "memento"])) for tag, names in rels.items()]


def _query() -> str:
    query = request.query_string.decode("ascii", "replace")
    return "?" + query if query else ""


@bp.route("/timegate/<path:rest>", methods=["GET", "HEAD"])
def timegate(rest: str):
    """Redirect to the memento in force at Accept-Datetime, else the latest (RFC 7089 §4.1)."""
    held = holding(_thing(rest))
    if not held:
        abort(404, description=f"No release holds /{rest}.")
    asked = request.headers.get("Accept-Datetime")
    if asked is None:
        chosen = held[-1]
    else:
        when = parse_date(asked)
        if when is None:
            abort(400, description="Accept-Datetime must be an HTTP date (RFC 7231 §7.1.1.1).")
        in_force = [r for r in held if r.datetime <= when]
        # Before the first release: the nearest one, which its Memento-Datetime dates.
        chosen = in_force[-1] if in_force else held[0]
    response = redirect(_memento_url(chosen, rest) + _query(), code=302)
    response.vary.add("Accept-Datetime")
    links = [
        link(addresses.external(rest), "original"),
        link(addresses.external("timemap/" + rest), "timemap", LINK_FORMAT),
        *_neighbours(held, chosen, rest),
    ]
    response.headers["Link"] = ", ".join(links)
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["MAX_AGE"]
    return response


@bp.get("/timemap/<path:rest>")
def timemap(rest: str):
    """List the original, the TimeGate and every memento of a document (RFC 7089 §5.1)."""
    held = holding(_thing(rest))
    if not held:
        abort(404, description=f"No release holds /{rest}.")
    first, last = http_date(held[0].datetime), http_date(held[-1].datetime)
    lines = [
        link(addresses.external(rest), "original"),
        link(addresses.external("timegate/" + rest), "timegate"),
        f'<{addresses.external("timemap/" + rest)}>; rel="self"; type="{LINK_FORMAT}"; '
        f'from="{first}"; until="{last}"',
    ]
    for position, release in enumerate(held):
        rel = ["first"] if position == 0 else []
        rel += ["last"] if position == len(held) - 1 else []
        lines.append(_dated(release, rest, " ".join([*rel, "memento"])))
    response = Response(",\n".join(lines) + "\n", mimetype=LINK_FORMAT)
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["MAX_AGE"]
    return response


@bp.route("/release/<tag>/<path:rest>", methods=["GET", "HEAD"])
def memento(tag: str, rest: str):
    """Send a document as a release published it: same describe(), that release's store."""
    release = releases().named(tag)
    if release is not None and not rest.startswith("doc/"):
        return _memento_of_redirect(release, rest)
    if release is None:
        abort(404, description=f"Nothing is published at {request.path}.")
    g.nzsa_store = releases().store(release)
    g.nzsa_build_dir = releases().folder(release)
    g.nzsa_memento = {
        "tag": tag,
        "date": release.datetime.strftime("%-d %B %Y"),
        "current": addresses.external(rest),
        "timemap": addresses.external("timemap/" + rest),
    }
    response = linkeddata.send_document(rest, at=f"release/{tag}/")
    held = holding(_thing(rest))
    response.headers["Memento-Datetime"] = http_date(release.datetime)
    links = [
        link(addresses.external(rest), "original"),
        link(addresses.external("timegate/" + rest), "timegate"),
        link(addresses.external("timemap/" + rest), "timemap", LINK_FORMAT),
        *(_neighbours(held, release, rest) if release in held else []),
    ]
    existing = response.headers.get("Link")
    response.headers["Link"] = ", ".join(([existing] if existing else []) + links)
    response.cache_control.max_age = IMMUTABLE_SECONDS
    response.cache_control.immutable = True
    return response


def _memento_of_redirect(release: Release, rest: str) -> Response:
    """Send the 303 a thing's IRI answered in a release, to that release's document."""
    name, fmt = split_suffix(rest, DOCUMENT_FORMATS)
    document = addresses.document_path(name)
    held = holding(_thing(rest)) if document is not None else []
    if release not in held:
        abort(404, description=f"Nothing is published at {request.path}.")
    suffix = fmt.suffix if fmt else ""
    response = redirect(_memento_url(release, document + suffix) + _query(), code=303)
    response.headers["Memento-Datetime"] = http_date(release.datetime)
    response.headers["Link"] = ", ".join(
        [
            link(addresses.external(rest), "original"),
            link(addresses.external("timegate/" + rest), "timegate"),
            link(addresses.external("timemap/" + rest), "timemap", LINK_FORMAT),
            *_neighbours(held, release, rest),
        ]
    )
    response.vary.add("Accept")
    response.cache_control.public = True
    response.cache_control.max_age = IMMUTABLE_SECONDS
    response.cache_control.immutable = True
    return response


@bp.after_request
def cross_origin(response: Response) -> Response:
    """Let any origin read mementos and their dates."""
    response = allow_cross_origin(response)
    response.headers["Access-Control-Expose-Headers"] = EXPOSED + ", Memento-Datetime"
    return response
