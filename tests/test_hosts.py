"""The Host header against `nzsa serve` on loopback: only configured hosts reach a URL.

Every absolute URL the server writes (303 Location, Link, Content-Location, the JSON-LD
context, pages, VoID, the download listing) starts with its root. With no configuration
the root may name loopback only; PUBLIC_URL replaces whatever Host a request names;
ALLOWED_HOSTS lists the names a request may use. Anything else is a 400.
"""

from __future__ import annotations

import json

import pytest
from test_linkeddata_double import get, start_ld_server, write_build

EVIL = "evil.example"
PUBLIC = "https://data.example.org/nzsa/"
# (path, Accept, status when the host is served)
ROUTES = [
    pytest.param("id/country/new-zealand", None, 303, id="thing"),
    pytest.param("doc/country/new-zealand", "text/turtle", 200, id="document"),
    pytest.param("doc/country/new-zealand.jsonld", None, 200, id="jsonld"),
    pytest.param("doc/country/new-zealand", "text/html", 200, id="document-html"),
    pytest.param("void", "text/turtle", 200, id="void"),
    pytest.param("download/", None, 200, id="downloads"),
    pytest.param("context.jsonld", None, 200, id="context"),
    pytest.param("sparql", "text/turtle", 200, id="service-description"),
    pytest.param("sparql", "text/html", 200, id="editor"),
    pytest.param("", "text/html", 200, id="home"),
    pytest.param("search?q=new", "application/json", 200, id="search"),
    pytest.param("ontology", "text/turtle", 200, id="ontology"),
]


@pytest.fixture(scope="module")
def plain(nzsa_server, tmp_path_factory):
    return start_ld_server(nzsa_server, tmp_path_factory)


@pytest.fixture(scope="module")
def public_build(tmp_path_factory):
    return write_build(tmp_path_factory.mktemp("public-build"))


@pytest.fixture(scope="module")
def public(nzsa_server, public_build):
    return nzsa_server(public_build, WORKERS=1, THREADS=4, PUBLIC_URL=PUBLIC)


@pytest.fixture(scope="module")
def allowed(nzsa_server, tmp_path_factory):
    return start_ld_server(nzsa_server, tmp_path_factory, ALLOWED_HOSTS="a.example, B.example:8443")


def everything(response) -> str:
    """Return the headers and body of an answer as one text."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n" + response.content.decode("utf-8", "replace")


@pytest.mark.parametrize(("path", "accept", "status"), ROUTES)
def test_loopback_is_served_with_no_configuration(plain, path, accept, status):
    port = plain.url.rsplit(":", 1)[1].rstrip("/")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
        response = get(plain, path, accept, headers={"Host": host})
        assert response.status_code == status, (host, response.text[:300])


@pytest.mark.parametrize(("path", "accept", "status"), ROUTES)
@pytest.mark.parametrize(
    "host", [EVIL, f"{EVIL}:80", "127.0.0.2", "localhost:1", "localhost.evil.example"]
)
def test_other_hosts_get_400_and_reach_no_url(plain, path, accept, status, host):
    response = get(plain, path, accept, headers={"Host": host})
    assert response.status_code == 400
    assert "Host" in response.text
    assert "Location" not in response.headers and "Link" not in response.headers
    assert f"//{host}" not in everything(response)


@pytest.mark.parametrize(("path", "accept", "status"), ROUTES)
def test_public_url_replaces_any_host(public, path, accept, status):
    response = get(public, path, accept, headers={"Host": EVIL})
    assert response.status_code == status, response.text[:300]
    assert EVIL not in everything(response)


def test_public_url_names_every_generated_url(public):
    headers = {"Host": EVIL}
    thing = get(public, "id/country/new-zealand", headers=headers)
    assert thing.headers["Location"] == PUBLIC + "doc/country/new-zealand"
    document = get(public, "doc/country/new-zealand", "text/turtle", headers=headers)
    assert document.headers["Content-Location"] == PUBLIC + "doc/country/new-zealand.ttl"
    assert f"<{PUBLIC}doc/country/new-zealand.jsonld>" in document.headers["Link"]
    jsonld = json.loads(get(public, "doc/country/new-zealand.jsonld", headers=headers).content)
    assert jsonld["@context"] == PUBLIC + "context.jsonld"
    void = get(public, "void", "application/n-triples", headers=headers).text
    assert f"<{PUBLIC}sparql>" in void and f"<{PUBLIC}download/nzsa.ttl>" in void
    listing = get(public, "download/", headers=headers).text.splitlines()
    assert listing and all(line.split("  ")[1].startswith(PUBLIC) for line in listing)
    page = get(public, "doc/country/new-zealand", "text/html", headers=headers).text
    assert 'href="/nzsa/' in page and 'href="/doc/' not in page


def test_renderings_on_disk_do_not_grow_with_hosts(public, public_build):
    folder = public_build / "rendered"
    get(public, "doc/country/new-zealand", "text/turtle")
    before = len(list(folder.iterdir()))
    for n in range(40):
        response = get(public, "doc/country/new-zealand", "text/turtle", headers={"Host": f"h{n}"})
        assert response.status_code == 200
    assert len(list(folder.iterdir())) == before


@pytest.mark.parametrize(
    ("host", "status", "root"),
    [
        pytest.param("a.example", 303, "http://a.example/", id="listed"),
        pytest.param("A.Example", 303, "http://a.example/", id="any-case"),
        pytest.param("b.example:8443", 303, "http://b.example:8443/", id="listed-with-port"),
        pytest.param("b.example", 400, None, id="without-its-port"),
        pytest.param("a.example:8080", 400, None, id="another-port"),
        pytest.param("c.example", 400, None, id="unlisted"),
        pytest.param("127.0.0.1", 400, None, id="loopback-not-listed"),
    ],
)
def test_allowed_hosts_are_the_only_ones_served(allowed, host, status, root):
    response = get(allowed, "id/country/new-zealand", headers={"Host": host})
    assert response.status_code == status
    if root:
        assert response.headers["Location"] == root + "doc/country/new-zealand"
