"""The SPARQL editor for browsers (YASGUI), with the competency questions as examples."""

from __future__ import annotations

from flask import render_template, request, url_for

from ..load import project_root
from ..project import NoProject
from .blueprint import blueprint


def questions() -> list[dict]:
    """Return the competency questions: id, question (first `# ` line) and query text."""
    try:
        folder = project_root() / "tests" / "cq"
    except NoProject:
        return []  # a build served away from its project: the editor has no examples
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next(
            (line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem
        )
        found.append({"id": path.stem, "question": title, "query": text})
    return found


def render_sparql_page(endpoint: str | None = None) -> str:
    """Render the query editor, posting to `endpoint` (default: this server's /sparql)."""
    return render_template(
        "pages/sparql.html",
        endpoint=endpoint or url_for("pages.home", _external=True).rstrip("/") + "/sparql",
        questions=questions(),
    )


def wants_editor() -> bool:
    """Return whether a request is a browser opening /sparql with no query to run."""
    if request.method != "GET" or request.path != "/sparql" or "query" in request.args:
        return False
    # Browsers name text/html; SPARQL clients sending only */* get the service description.
    return any(kind == "text/html" and q > 0 for kind, q in request.accept_mimetypes)


@blueprint.before_app_request
def editor_for_browsers():
    """Answer a browser's plain GET /sparql with the editor, before the protocol handler."""
    if wants_editor():
        return render_sparql_page(), 200, {"Vary": "Accept"}
    return None
