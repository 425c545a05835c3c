"""Retired IRIs against a real `nzsa serve`: renamed ones 301 to their replacement,
withdrawn ones 410 Gone with their last description, in every format."""

from __future__ import annotations

import shutil

import pytest
import requests
from fixture_data import BASE, REQUEST_TIMEOUT
from linking_data import (
    RENAMED,
    REPLACEMENT,
    RETIRED,
    WITHDRAWN,
    WITHDRAWN_REASON,
    linking_build,
)
from nzsa.load import project_root, sources_from_paths
from nzsa.validate import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS

RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml", ".nt": "nt"}


@pytest.fixture(scope="module")
def retired_server(nzsa_server, tmp_path_factory):
    build = linking_build(tmp_path_factory.mktemp("linking"))
    return nzsa_server(build, WORKERS=1, THREADS=4, MAX_AGE=120)


def get(server, path: str, **headers) -> requests.Response:
    return requests.get(
        server.url + path, headers=headers, allow_redirects=False, timeout=REQUEST_TIMEOUT
    )


def local(iri: str) -> str:
    return iri[len(BASE) :]


def assert_cacheable(response: requests.Response) -> None:
    assert "Accept" in response.headers["Vary"]
    control = response.headers["Cache-Control"]
    assert "public" in control and "max-age=120" in control
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        pytest.param(local(RENAMED), local(REPLACEMENT), id="thing"),
        pytest.param(local(RENAMED) + ".ttl", local(REPLACEMENT) + ".ttl", id="thing-suffix"),
        pytest.param(
            "doc/" + local(RENAMED)[3:],
            "doc/" + local(REPLACEMENT)[3:],
            id="document",
        ),
        pytest.param(
            "doc/" + local(RENAMED)[3:] + ".jsonld?page=2",
            "doc/" + local(REPLACEMENT)[3:] + ".jsonld?page=2",
            id="document-suffix-page",
        ),
    ],
)
def test_renamed_iri_moves_permanently_to_its_replacement(retired_server, path, target):
    response = get(retired_server, path, Accept="text/turtle")
    assert response.status_code == 301
    assert response.headers["Location"] == retired_server.url + target
    assert f'<{REPLACEMENT}>; rel="canonical"' in response.headers["Link"]
    assert_cacheable(response)


def test_following_a_renamed_iri_ends_at_the_replacements_description(retired_server):
    response = requests.get(
        retired_server.url + local(RENAMED),
        headers={"Accept": "text/turtle"},
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [301, 303]
    graph = Graph().parse(data=response.text, format="turtle")
    assert (
        URIRef(REPLACEMENT),
        SKOS.prefLabel,
        Literal("Pacific Islands Forum", lang="en"),
    ) in graph


def _last_description(body: bytes, parser: str) -> Graph:
    graph = Graph().parse(data=body, format=parser)
    atlantis = URIRef(WITHDRAWN)
    assert (atlantis, SKOS.prefLabel, Literal("Atlantis", lang="en")) in graph
    assert graph.value(atlantis, OWL.deprecated).toPython() is True
    assert str(graph.value(atlantis, SKOS.changeNote)) == WITHDRAWN_REASON
    return graph


@pytest.mark.parametrize("accept", RDF_FORMATS)
@pytest.mark.parametrize("kind", ["id", "doc"])
def test_withdrawn_iri_is_gone_with_its_last_description(retired_server, kind, accept):
    path = ("id/" if kind == "id" else "doc/") + local(WITHDRAWN)[3:]
    response = get(retired_server, path, Accept=accept)
    assert response.status_code == 410
    assert response.headers["Content-Type"].split(";")[0] == accept
    _last_description(response.content, RDF_FORMATS[accept])
    assert_cacheable(response)
    assert 'rel="alternate"' in response.headers["Link"]
    assert response.headers["Content-Location"].startswith(retired_server.url + "doc/")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_withdrawn_document_in_each_format_is_gone(retired_server, suffix):
    response = get(retired_server, "doc/" + local(WITHDRAWN)[3:] + suffix)
    assert response.status_code == 410
    _last_description(response.content, SUFFIXES[suffix])


def test_withdrawn_page_says_so_for_people(retired_server):
    response = get(retired_server, "doc/" + local(WITHDRAWN)[3:], Accept="text/html")
    assert response.status_code == 410
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Gone." in response.text and WITHDRAWN_REASON in response.text
    assert "<h1>Atlantis</h1>" in response.text


def test_a_gone_answer_is_never_a_304(retired_server):
    first = get(retired_server, "doc/" + local(WITHDRAWN)[3:] + ".ttl")
    again = get(
        retired_server,
        "doc/" + local(WITHDRAWN)[3:] + ".ttl",
        **{"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 410 and again.content == first.content


def test_iris_in_use_still_answer_303(retired_server):
    response = get(retired_server, local(REPLACEMENT), Accept="text/turtle")
    assert response.status_code == 303


def test_the_shapes_accept_retired_entities_beside_the_bundled_data(tmp_path):
    project = tmp_path / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(project_root() / folder, project / folder)
    (project / "data" / "retired.ttl").write_text(
        RETIRED.read_text()
        .replace(
            '"New Zealand works with its partners"',
            '"Police and customs in Fiji, Samoa, Tonga and the Cook Islands"',
        )
        .replace("source:regional-security", "source:mfat-regional-security")
        .replace(
            'skos:prefLabel "Atlantis"@en ;',
            'skos:prefLabel "Atlantis"@en ;\n'
            '    skos:editorialNote "No Wikidata id is listed for it."@en ;',
        ),
        encoding="utf-8",
    )
    report = validate(sources_from_paths([project]))
    assert report.conforms, [f.message for f in report.errors][:5]
