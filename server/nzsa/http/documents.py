"""The flow every Linked Data document shares: negotiate, validate, render once, send.

A rendering is cached per (store version, external root, key, page, format), and its
ETag is derived from the same values, so a revalidation answers 304 without rendering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, request

from ..formats import Format
from ..prefixes import fact_segments, namespaces
from ..release import code_version
from ..store.base import Store
from . import addresses, negotiate
from .cache import BoundedCache
from .representation import alternates, conditional, fill, link, make_etag
from .shared import SharedRenderings


@dataclass(frozen=True)
class Rendered:
    """A rendered body, and links only the rendering could know (next and previous pages)."""

    body: bytes
    links: tuple[str, ...] = ()


class Documents:
    """Per-app state of the Linked Data routes: the caches and per-version facts."""

    def __init__(self, app: Flask):
        self.cache = BoundedCache(app.config["RENDER_CACHE_BYTES"], "render")
        self.disk = SharedRenderings(
            Path(app.config["BUILD_DIR"]) / "rendered", app.config["SHARED_CACHE_BYTES"]
        )
        self._first_seen: dict[str, datetime] = {}
        self._dumps_dated: set[Path] = set()
        self._lock = threading.Lock()

    def shared(self, key: tuple, make: Callable[[], Rendered | None]) -> Rendered | None:
        """Return what another worker rendered (kept in BUILD_DIR/rendered), else render it."""
        kept = self.disk.read(key)
        if kept is not None:
            return Rendered(kept[1], kept[0])
        rendered = make()
        if rendered is not None:
            self.disk.write(key, rendered.links, rendered.body)
        return rendered

    def last_modified(self, version: str, build_dir: Path | None) -> datetime:
        """Return when this version of the data was built (else first served here)."""
        # Once per version: a stat() on every request cost ~7% of a 304 (bench/RESULTS.md).
        known = self._first_seen.get(version)
        if known is not None:
            return known
        dump = build_dir / "nzsa.nq" if build_dir else None
        # A second version on one build came from a remote store whose data changed since.
        if dump is not None and dump.is_file() and dump not in self._dumps_dated:
            seen = datetime.fromtimestamp(int(dump.stat().st_mtime), UTC)
        else:
            seen = datetime.now(UTC).replace(microsecond=0)
        with self._lock:
            if dump is not None:
                self._dumps_dated.add(dump)
            return self._first_seen.setdefault(version, seen)


def state() -> Documents:
    """Return the current app's document state."""
    return current_app.extensions["nzsa.documents"]


def store() -> Store:
    """Return the store this request reads: the app's, or an older release's for a memento."""
    return g.get("nzsa_store") or current_app.extensions["nzsa"].store


def build_dir() -> Path | None:
    """Return the build directory of that store, if it has one."""
    return g.get("nzsa_build_dir") or getattr(current_app.extensions["nzsa"], "build_dir", None)


def published_namespaces() -> dict[str, str]:
    """Return the prefixes documents bind for this version of the data."""
    key = (store().version(), "namespaces", addresses.base_iri())
    return state().cache.get_or_make(
        key, lambda: namespaces(addresses.base_iri(), fact_segments(store()))
    )


def context_url() -> str:
    """Return the absolute URL of the published JSON-LD context at this server."""
    return addresses.external("context.jsonld")


def has_accept() -> bool:
    """Return whether the request states any Accept preference."""
    return bool(request.headers.get("Accept", "").strip())


def page_number() -> int:
    """Return the requested page of a description (1 when not given); 400 if malformed."""
    text = request.args.get("page", "1")
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        abort(400, description="The page parameter must be a positive whole number.")
    return int(text)


def page_query(page: int) -> str:
    """Return the query string that selects a page (none for the first)."""
    return f"?page={page:d}" if page > 1 else ""


def send(
    key: str,
    path: str,
    fmt: Format | None,
    offered: tuple[Format, ...],
    make: Callable[[Format], Rendered | None],
    page: int = 1,
    status: int = 200,
) -> Response:
    """Send the document `path` (without suffix) in `fmt`, or negotiated when None.

    Another `status` (410 for a withdrawn thing) is sent with the same headers and body.
    """
    negotiated = fmt is None
    if fmt is None:
        fmt = negotiate.choose(request.accept_mimetypes, has_accept(), offered)
    version = store().version() + "+" + code_version()
    root = addresses.root_url()
    query = page_query(page)
    links = alternates((addresses.external(path + f.suffix) + query, f) for f in offered)
    # The permanent address of exactly what was asked for: generic or format-specific.
    canonical = path if negotiated else path + fmt.suffix
    links.append(link(addresses.base_iri() + canonical + query, "canonical"))
    response = conditional(
        make_etag(version, root, key, page, fmt.name),
        state().last_modified(version, build_dir()),
        links,
        negotiated=negotiated,
        content_location=addresses.external(path + fmt.suffix) + query if negotiated else None,
        max_age=current_app.config["MAX_AGE"],
    )
    if status != 200:
        # RFC 9110 §13.2.1: preconditions are evaluated only for what would be a 2xx answer.
        response.status_code = status
    elif response.status_code == 304:
        return response
    cache_key = (version, root, key, page, fmt.name)
    rendered = state().cache.get_or_make(
        cache_key, lambda: state().shared(cache_key, lambda: make(fmt))
    )
    if rendered is None:
        abort(404, description=f"Nothing is published at {request.path}.")
    return fill(response, rendered.body, fmt, rendered.links)
