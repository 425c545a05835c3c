"""What lets others link to the publication: retired IRIs, crawlers, w3id.org, Wikidata."""

from __future__ import annotations

from flask import Flask

from . import crawl


def register(app: Flask) -> None:
    """Register the routes for crawlers and portals."""
    app.register_blueprint(crawl.bp)
