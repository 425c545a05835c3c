"""What lets others link to us: retired IRIs, crawlers, reconciliation, mementos, Wikidata."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the routes for crawlers and portals."""
    # Imported here: the build writes the Wikidata files from this package without the web.
    from . import crawl

    app.register_blueprint(crawl.bp)
