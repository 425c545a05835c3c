"""The application factory: builds the store once and registers the blueprints."""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import config


def create_app(overrides: dict[str, Any] | None = None, store=None) -> Flask:
    """Create the publisher: defaults, then NZSA_* variables, then `overrides`."""
    app = Flask(__name__)
    app.config.update(config.defaults())
    app.config.update(config.from_environment())
    app.config.update(overrides or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    # Blueprints register here, one line each.
    return app
