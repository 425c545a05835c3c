"""The application factory: builds the store once and registers the blueprints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, linking, pages
from .http import bodies, errors, headers, linkeddata, openapi, sparql
from .http.canonical import Canonical
from .http.replay import ResponseReplay
from .linking import memento, reconcile
from .ops import health, metrics
from .store import open_store
from .store.base import Store


@dataclass
class Publisher:
    """What the blueprints share: the store and the build it serves."""

    store: Store
    build_dir: Path


def create_app(overrides: dict[str, Any] | None = None, store: Store | None = None) -> Flask:
    """Create the publisher: defaults, then NZSA_* variables, then `overrides`."""
    app = Flask(__name__)
    # A doubled slash is not ours to tidy: answer 404 rather than redirect (`//etc/passwd`).
    app.url_map.merge_slashes = False
    app.config.update(config.defaults())
    app.config.update(config.from_environment())
    app.config.update(overrides or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    build_dir = Path(app.config["BUILD_DIR"]).resolve()
    app.config["BUILD_DIR"] = str(build_dir)
    app.extensions["nzsa"] = Publisher(store or open_store(app.config), build_dir)

    # Blueprints register here, one line each.
    bodies.register(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.blueprint)
    linkeddata.register(app)
    linking.register(app)
    app.register_blueprint(openapi.bp)
    errors.register(app)
    headers.register(app)
    reconcile.register(app)
    memento.register(app)
    metrics.register(app)
    health.register(app)
    # Innermost first. A replayed answer skips routing and every handler; it is keyed on
    # the root and query string made canonical, which only trusted proxies' headers move.
    app.wsgi_app = ResponseReplay(
        app.wsgi_app, app.config["RESPONSE_CACHE_BYTES"], app.extensions["nzsa"].store.version
    )
    app.extensions["nzsa.replay"] = app.wsgi_app  # the gateway replays before admission
    app.wsgi_app = Canonical(app.wsgi_app, app)
    app.wsgi_app = trust_proxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])
    return app


def trust_proxies(wsgi_app, proxies: int):
    """Read X-Forwarded-For/Proto/Host/Port/Prefix from this many reverse proxies, no more."""
    if not proxies:
        return wsgi_app
    return ProxyFix(
        wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies,
        x_prefix=proxies,
    )  # fmt: skip
