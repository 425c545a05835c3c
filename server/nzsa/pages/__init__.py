"""HTML pages for people: home, resources, classes, search, the SPARQL editor, linking."""

from . import classes, home, linking, search, sparqlpage, views  # noqa: F401  (routes register)
from .blueprint import blueprint
from .resource import render_resource_page
from .sparqlpage import render_sparql_page

__all__ = ["blueprint", "render_resource_page", "render_sparql_page"]
