"""The pages blueprint: HTML for people, its templates and its static assets."""

from flask import Blueprint

# Templates live under templates/pages/ so their names cannot shadow other blueprints'.
blueprint = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/pages",
)


@blueprint.app_template_filter("capfirst")
def capfirst(text: str) -> str:
    """Capitalise the first letter only ("international organisation" → "International …")."""
    return text[:1].upper() + text[1:]
