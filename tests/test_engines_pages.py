"""The same pages and documents from every engine: embedded, `oxigraph serve` and Virtuoso 7.

The sample build (the real ontology and a sample of the data) is loaded into each engine;
every page must come out the same, lists in the same order, because nzsa sorts what it
lists rather than taking the engine's row order. Documents must hold the same graph.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import pytest
from nzsa.app import create_app
from rdflib import Graph
from rdflib.compare import isomorphic

sys.path.insert(0, str(Path(__file__).parent / "browser"))
from sample import write_build  # noqa: E402

ENGINES = ("embedded", "oxigraph", "virtuoso")
HTML_PAGES = [
    "/",
    "/ontology.html",
    "/class/State",
    "/class/Membership",
    "/class/Agreement",
    "/class/InternationalOrganisation",
    "/search?q=pacific&format=html",
    "/search?q=a&format=json",
    "/doc/country/new-zealand.html",
    "/doc/organisation/asean-regional-forum.html",
]
DOCUMENTS = [
    "/doc/country/new-zealand.ttl",
    "/doc/organisation/asean-regional-forum.ttl",
    "/ontology.ttl",
]


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory) -> Path:
    return write_build(tmp_path_factory.mktemp("engines-pages"))


@pytest.fixture(scope="module")
def clients(sample_build, engine_endpoint):
    """A test client per engine, each app on the same sample build."""
    apps = {}
    for engine in ENGINES:
        settings = {"BUILD_DIR": str(sample_build), "TESTING": True, "EXECUTORS": 1}
        if engine != "embedded":
            settings.update(STORE="remote", REMOTE_ENDPOINT=engine_endpoint(engine, sample_build))
        apps[engine] = create_app(settings)
    yield {engine: app.test_client() for engine, app in apps.items()}
    for app in apps.values():
        app.extensions["nzsa"].store.close()


def comparable(html: str) -> str:
    """Return a page without what legitimately differs between servers (nothing, so far)."""
    return re.sub(r"\s+\n", "\n", html)


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_engine_gives_the_same_page(clients, path):
    pages = {}
    for engine, client in clients.items():
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, (engine, response.text[:300])
        pages[engine] = comparable(response.get_data(as_text=True))
    for engine in ("oxigraph", "virtuoso"):
        assert pages[engine] == pages["embedded"], differences(pages["embedded"], pages[engine])


def differences(mine: str, theirs: str) -> str:
    """Return the lines that differ between two pages, briefly."""
    lines = difflib.unified_diff(mine.splitlines(), theirs.splitlines(), lineterm="", n=0)
    return "\n".join(line[:200] for line in list(lines)[:20])


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_engine_gives_the_same_graph(clients, path):
    graphs = {}
    for engine, client in clients.items():
        response = client.get(path)
        assert response.status_code == 200, (engine, response.text[:300])
        graphs[engine] = Graph().parse(data=response.get_data(), format="turtle")
    assert len(graphs["embedded"]) > 0
    assert isomorphic(graphs["oxigraph"], graphs["embedded"])
    assert isomorphic(graphs["virtuoso"], graphs["embedded"])
