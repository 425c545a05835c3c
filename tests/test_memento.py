"""Time travel: release tags built by `nzsa build`, served as Memento (RFC 7089) mementos.

A copy of the project in its own git repository gets two release tags, a month apart,
with the New Zealand Defence Force's names changed between them and again after them,
and an organisation added in the second release. `nzsa build` and `nzsa serve` run on it
as a maintainer would run them, and `memento-client` travels through it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests
from fixture_data import NZSA, REQUEST_TIMEOUT
from memento_client import MementoClient
from nzsa.app import create_app
from nzsa.linking.releases import in_force_from, read_releases
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

ROOT = Path(__file__).resolve().parents[1]
NZDF_DOC = "doc/agency/new-zealand-defence-force"
NZDF = URIRef("https://w3id.org/nzsa/id/agency/new-zealand-defence-force")
ADDED_DOC = "doc/organisation/time-travel-forum"
FIRST, SECOND = "Mon, 15 Jan 2024 10:00:00 GMT", "Thu, 15 Feb 2024 10:00:00 GMT"
SECOND_NAME, CURRENT_NAME = "NZ Defence Force", "Te Ope Kātua o Aotearoa"
ADDED = """
organisation:time-travel-forum a nzsa:Forum ;
    skos:prefLabel "Time Travel Forum"@en ;
    skos:editorialNote "Added in the second release of a test repository."@en ;
    nzsa:evidence [ a nzsa:Evidence ;
        nzsa:quote "We're a member of the ASEAN Regional Forum" ;
        prov:wasQuotedFrom source:mfat-regional-security ] .
"""


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    if date:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = date
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _add_name(repo: Path, name: str) -> None:
    path = repo / "data" / "agencies.ttl"
    text = path.read_text(encoding="utf-8")
    marker = '"NZDF"@en'
    assert marker in text
    path.write_text(text.replace(marker, f'{marker} ,\n        "{name}"@en', 1), encoding="utf-8")


def _release_date(repo: Path, day: str) -> None:
    """Date the ontology as `nzsa release --date` does (its dcterms:modified)."""
    path = repo / "ontology" / "nzsa.ttl"
    text, count = re.subn(
        r'dcterms:modified "[0-9-]+"\^\^xsd:date',
        f'dcterms:modified "{day}"^^xsd:date',
        path.read_text(encoding="utf-8"),
    )
    assert count == 1
    path.write_text(text, encoding="utf-8")


def _build(repo: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NZSA_ROOT": str(repo)}
    return subprocess.run([NZSA, "build", "--out", str(out)], env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    """A project copy with tags v1.0.0 and v1.1.0, and a change since."""
    repo = tmp_path_factory.mktemp("released") / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / folder, repo / folder)
    _git(repo, "init", "-q")
    _release_date(repo, "2024-01-15")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first release", date="2024-01-15T10:00:00Z")
    _git(repo, "tag", "-a", "v1.0.0", "-m", "v1.0.0", date="2024-01-15T10:00:00Z")
    _add_name(repo, SECOND_NAME)
    _release_date(repo, "2024-02-15")
    with (repo / "data" / "organisations.ttl").open("a", encoding="utf-8") as data:
        data.write(ADDED)
    _git(repo, "commit", "-qam", "second release", date="2024-02-15T10:00:00Z")
    _git(repo, "tag", "-a", "v1.1.0", "-m", "v1.1.0", date="2024-02-15T10:00:00Z")
    _add_name(repo, CURRENT_NAME)  # not released yet
    return repo


@pytest.fixture(scope="module")
def build(repository) -> Path:
    out = repository / "build"
    done = _build(repository, out)
    assert done.returncode == 0, done.stderr
    assert "2 releases" in done.stdout
    return out


@pytest.fixture(scope="module")
def served(nzsa_server, build):
    return nzsa_server(build, WORKERS=1, THREADS=4)


def get(served, path: str, **headers) -> requests.Response:
    return requests.get(served.url + path, headers=headers, allow_redirects=False,
                        timeout=REQUEST_TIMEOUT)  # fmt: skip


def names_in(response: requests.Response) -> set[str]:
    graph = Graph().parse(data=response.content, format="turtle")
    return {str(o) for o in graph.objects(NZDF, SKOS.altLabel)}


def test_build_keeps_one_dataset_per_release(build, repository):
    releases = read_releases(build)
    assert [(r.tag, r.datetime.isoformat()) for r in releases] == [
        ("v1.0.0", "2024-01-15T10:00:00+00:00"),
        ("v1.1.0", "2024-02-15T10:00:00+00:00"),
    ]
    stamp = (build / "releases" / "v1.0.0" / "release.json").stat().st_mtime_ns
    again = _build(repository, build)
    assert again.returncode == 0, again.stderr
    # A release already built from the same commit is not built again.
    assert (build / "releases" / "v1.0.0" / "release.json").stat().st_mtime_ns == stamp


def test_current_document_links_its_timegate_and_timemap(served):
    response = get(served, NZDF_DOC, Accept="text/turtle")
    assert response.status_code == 200
    links = response.links
    assert links["original"]["url"] == served.url + NZDF_DOC
    assert links["timegate"]["url"] == served.url + "timegate/" + NZDF_DOC
    assert links["timemap"]["url"] == served.url + "timemap/" + NZDF_DOC
    assert "Memento-Datetime" not in response.headers
    assert CURRENT_NAME in names_in(response)


@pytest.mark.parametrize(
    ("accept_datetime", "tag"),
    [
        pytest.param("Thu, 01 Feb 2024 00:00:00 GMT", "v1.0.0", id="between"),
        pytest.param(FIRST, "v1.0.0", id="at-the-first"),
        pytest.param("Fri, 01 Mar 2024 00:00:00 GMT", "v1.1.0", id="after-the-last"),
        pytest.param("Sun, 01 Jan 2023 00:00:00 GMT", "v1.0.0", id="before-the-first"),
        pytest.param(None, "v1.1.0", id="no-datetime"),
    ],
)
def test_timegate_redirects_to_the_release_in_force(served, accept_datetime, tag):
    headers = {"Accept-Datetime": accept_datetime} if accept_datetime else {}
    response = get(served, "timegate/" + NZDF_DOC, **headers)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{served.url}release/{tag}/{NZDF_DOC}"
    assert "accept-datetime" in response.headers["Vary"].lower()
    assert response.links["original"]["url"] == served.url + NZDF_DOC
    assert "Memento-Datetime" not in response.headers


def test_timegate_refuses_a_bad_date_and_an_unknown_resource(served):
    bad = get(served, "timegate/" + NZDF_DOC, **{"Accept-Datetime": "last Tuesday"})
    assert bad.status_code == 400
    assert get(served, "timegate/doc/agency/atlantis").status_code == 404
    assert get(served, "timegate/sparql").status_code == 404


def test_mementos_hold_what_each_release_said(served):
    first = get(served, f"release/v1.0.0/{NZDF_DOC}", Accept="text/turtle")
    second = get(served, f"release/v1.1.0/{NZDF_DOC}.ttl")
    assert first.status_code == second.status_code == 200
    assert first.headers["Memento-Datetime"] == FIRST
    assert second.headers["Memento-Datetime"] == SECOND
    assert "NZDF" in names_in(first)
    assert SECOND_NAME not in names_in(first) and SECOND_NAME in names_in(second)
    assert CURRENT_NAME not in names_in(second)
    # The Turtle memento's original is the Turtle document.
    for response, path in ((first, NZDF_DOC), (second, NZDF_DOC + ".ttl")):
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert response.links["original"]["url"] == served.url + path
        assert response.links["timegate"]["url"] == served.url + "timegate/" + path
    assert first.headers["Last-Modified"] == FIRST
    revalidated = get(served, f"release/v1.0.0/{NZDF_DOC}", Accept="text/turtle",
                      **{"If-None-Match": first.headers["ETag"]})  # fmt: skip
    assert revalidated.status_code == 304


def test_a_memento_page_is_the_same_page_over_the_older_data(served):
    page = get(served, f"release/v1.0.0/{NZDF_DOC}", Accept="text/html")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "New Zealand Defence Force" in page.text
    assert SECOND_NAME not in page.text and CURRENT_NAME not in page.text
    assert f"/release/v1.0.0/{NZDF_DOC}.ttl" in page.text
    assert "As published in release <strong>v1.0.0</strong> of 15 January 2024" in page.text
    current = get(served, NZDF_DOC, Accept="text/html").text
    assert "As published in release" not in current and CURRENT_NAME in current
    graph = Graph().parse(data=get(served, f"release/v1.1.0/{NZDF_DOC}.jsonld").content,
                          format="json-ld")  # fmt: skip
    assert (NZDF, SKOS.altLabel, Literal(SECOND_NAME, lang="en")) in graph


def test_timemap_lists_every_memento(served):
    response = get(served, "timemap/" + NZDF_DOC)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/link-format")
    links = MementoClient.parse_link_header(response.text.replace("\n", ""))
    mementos = {u: v for u, v in links.items() if "memento" in v["rel"]}
    assert mementos == {
        f"{served.url}release/v1.0.0/{NZDF_DOC}": {"rel": ["first", "memento"],
                                                    "datetime": [FIRST]},
        f"{served.url}release/v1.1.0/{NZDF_DOC}": {"rel": ["last", "memento"],
                                                    "datetime": [SECOND]},
    }  # fmt: skip
    assert links[served.url + NZDF_DOC]["rel"] == ["original"]
    assert links[served.url + "timegate/" + NZDF_DOC]["rel"] == ["timegate"]


def test_a_resource_added_later_has_only_its_later_mementos(served):
    listed = get(served, "timemap/" + ADDED_DOC).text
    assert "release/v1.1.0/" in listed and "release/v1.0.0/" not in listed
    early = get(served, "timegate/" + ADDED_DOC, **{"Accept-Datetime": FIRST})
    assert early.headers["Location"].endswith(f"release/v1.1.0/{ADDED_DOC}")
    assert get(served, f"release/v1.0.0/{ADDED_DOC}", Accept="text/turtle").status_code == 404
    assert get(served, f"release/v9.9.9/{NZDF_DOC}").status_code == 404


@pytest.mark.parametrize(
    ("moment", "tag"),
    [
        pytest.param(datetime(2024, 2, 1), "v1.0.0", id="february"),
        pytest.param(datetime(2024, 3, 1), "v1.1.0", id="march"),
    ],
)
def test_memento_client_travels_from_the_thing_iri(served, moment, tag):
    # The aggregator address is a closed loopback port: only the native TimeGate may answer.
    client = MementoClient(timegate_uri="http://127.0.0.1:9/", check_native_timegate=True)
    info = client.get_memento_info(served.url + "id/agency/new-zealand-defence-force", moment)
    assert info["original_uri"] == served.url + NZDF_DOC
    assert info["timegate_uri"] == served.url + "timegate/" + NZDF_DOC
    closest = info["mementos"]["closest"]
    assert closest["uri"] == [f"{served.url}release/{tag}/{NZDF_DOC}"]
    assert closest["http_status_code"] == 200
    assert info["mementos"]["first"]["datetime"] == datetime(2024, 1, 15, 10, 0)
    assert info["mementos"]["last"]["datetime"] == datetime(2024, 2, 15, 10, 0)


def test_serving_the_current_document_opens_no_release(build):
    app = create_app({"BUILD_DIR": str(build), "TESTING": True, "EXECUTORS": 1})
    try:
        client = app.test_client()
        response = client.get("/" + NZDF_DOC, headers={"Accept": "text/turtle"})
        assert response.status_code == 200 and "timegate" in response.headers["Link"]
        assert app.extensions["nzsa.releases"]._stores == {}
    finally:
        app.extensions["nzsa"].store.close()
        app.extensions["nzsa.releases"].close()


def test_without_releases_documents_carry_no_timegate(make_app):
    response = make_app().test_client().get("/doc/country/fiji", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "timegate" not in response.headers["Link"]


def test_a_release_is_in_force_from_its_release_date():
    tagged = datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    # Tagged on its release date: the tag's own moment.
    assert in_force_from(date(2024, 3, 5), tagged) == tagged
    # Released with an earlier --date: the start of that day.
    assert in_force_from(date(2024, 3, 1), tagged) == datetime(2024, 3, 1, tzinfo=UTC)
    assert in_force_from(None, tagged) == tagged


def test_the_linking_page_shows_working_version_links(served):
    response = requests.get(served.url + "about/linking", headers={"Accept": "text/html"},
                            timeout=REQUEST_TIMEOUT)  # fmt: skip
    assert response.status_code == 200
    found = re.search(r"<h2[^>]*>Earlier versions</h2>(.*?)</section>", response.text, re.S)
    links = set(re.findall(r'href="(http://127\.0\.0\.1:[0-9]+/[^"]*)"', found.group(1)))
    example = "doc/country/new-zealand"
    assert links == {
        served.url + "timemap/" + example,
        served.url + "timegate/" + example,
        served.url + "release/v1.1.0/" + example,
    }
    assert f"Accept-Datetime: {SECOND}" in found.group(1)
    for link in links:
        answer = requests.get(link, headers={"Accept": "text/html"}, allow_redirects=False,
                              timeout=REQUEST_TIMEOUT)  # fmt: skip
        assert 200 <= answer.status_code < 400, link
    timemap = get(served, "timemap/" + example)
    assert timemap.headers["Content-Type"].startswith("application/link-format")
    assert get(served, "timegate/" + example).status_code == 302
    assert "Memento-Datetime" in get(served, f"release/v1.1.0/{example}").headers


NZDF_ID = "id/agency/new-zealand-defence-force"


def test_the_thing_iri_links_its_own_timegate_and_timemap(served):
    response = get(served, NZDF_ID, Accept="text/turtle")
    assert response.status_code == 303
    assert response.links["timegate"]["url"] == served.url + "timegate/" + NZDF_ID
    assert response.links["timemap"]["url"] == served.url + "timemap/" + NZDF_ID
    assert response.links["original"]["url"] == served.url + NZDF_ID


@pytest.mark.parametrize(
    ("accept_datetime", "tag"),
    [
        pytest.param("Thu, 01 Feb 2024 00:00:00 GMT", "v1.0.0", id="between"),
        pytest.param("Fri, 01 Mar 2024 00:00:00 GMT", "v1.1.0", id="after-the-last"),
    ],
)
def test_the_thing_iris_timegate_leads_to_the_redirect_of_its_time(served, accept_datetime, tag):
    gate = served.url + "timegate/" + NZDF_ID
    assert MementoClient.is_timegate(gate, accept_datetime=accept_datetime)
    response = get(served, "timegate/" + NZDF_ID, **{"Accept-Datetime": accept_datetime})
    assert response.status_code == 302
    memento = f"{served.url}release/{tag}/{NZDF_ID}"
    assert response.headers["Location"] == memento
    assert response.links["original"]["url"] == served.url + NZDF_ID
    # The memento of a 303 is a 303, dated, to the memento of the document.
    assert MementoClient.is_memento(memento)
    redirect = get(served, f"release/{tag}/{NZDF_ID}", Accept="text/turtle")
    assert redirect.status_code == 303
    assert redirect.headers["Location"] == f"{served.url}release/{tag}/{NZDF_DOC}"
    assert redirect.headers["Memento-Datetime"] == {"v1.0.0": FIRST, "v1.1.0": SECOND}[tag]
    assert "immutable" in redirect.headers["Cache-Control"]
    document = get(served, f"release/{tag}/{NZDF_ID}.ttl")
    assert document.headers["Location"] == f"{served.url}release/{tag}/{NZDF_DOC}.ttl"


def test_the_thing_iris_timemap_lists_its_redirects(served):
    response = get(served, "timemap/" + NZDF_ID)
    assert response.headers["Content-Type"].startswith("application/link-format")
    links = MementoClient.parse_link_header(response.text.replace("\n", ""))
    mementos = {url for url, rel in links.items() if "memento" in " ".join(rel["rel"])}
    assert mementos == {f"{served.url}release/{tag}/{NZDF_ID}" for tag in ("v1.0.0", "v1.1.0")}
    assert links[served.url + NZDF_ID]["rel"] == ["original"]


def test_no_memento_of_a_thing_a_release_did_not_hold(served):
    added = ADDED_DOC.replace("doc/", "id/", 1)
    assert get(served, f"release/v1.0.0/{added}").status_code == 404
    assert get(served, f"release/v1.1.0/{added}").status_code == 303
