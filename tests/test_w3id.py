"""`nzsa w3id`'s .htaccess under a real Apache httpd (mod_rewrite), in front of `nzsa serve`.

Apache stands in for w3id.org: a private instance on loopback serving the generated file as
`nzsa/.htaccess`, as w3id.org serves its registrations. The IRIs are dereferenced through
it, formats negotiated and 303s kept end to end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fixture_data import ID, NZSA, REQUEST_TIMEOUT
from linking_data import RENAMED, REPLACEMENT, WITHDRAWN, linking_build
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS
from SPARQLWrapper import GET, JSON, SPARQLWrapper

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NZ = ID + "country/new-zealand"

pytestmark = pytest.mark.skipif(
    not APACHE.exists() and os.environ.get("CI") != "true",
    reason=f"{APACHE} is not installed (make system-deps: apt-get install apache2-bin)",
)

CONFIG = """\
ServerRoot "{root}"
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule rewrite_module {modules}/mod_rewrite.so
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
PidFile {root}/httpd.pid
Mutex file:{root}
ErrorLog {root}/error.log
LogLevel warn rewrite:info
DocumentRoot {www}
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {www}>
    AllowOverride All
    Require all granted
</Directory>
"""


def free_port() -> int:
    """Return a loopback port that was free a moment ago (conftest's own is shadowed here)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_htaccess(target: str, out: Path) -> None:
    """Run `nzsa w3id` as a maintainer would, writing the registration's .htaccess."""
    done = subprocess.run(
        [NZSA, "w3id", "--target", target, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def served(nzsa_server, tmp_path_factory):
    build = linking_build(tmp_path_factory.mktemp("w3id"))
    return build, nzsa_server(build, WORKERS=1, THREADS=4)


@pytest.fixture(scope="module")
def w3id(served) -> Iterator[str]:
    """Run Apache on loopback with the generated nzsa/.htaccess; yield its root URL."""
    _, server = served
    # Apache's children drop root for an unprivileged user, who must read the .htaccess:
    # a folder of its own, readable by all, not under pytest's private temporary folder.
    root = Path(tempfile.mkdtemp(prefix="nzsa-w3id-"))
    try:
        www = root / "www"
        (www / "nzsa").mkdir(parents=True)
        write_htaccess(server.url, www / "nzsa" / ".htaccess")
        for path in (root, www, www / "nzsa", www / "nzsa" / ".htaccess"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        port = free_port()
        config = root / "httpd.conf"
        config.write_text(CONFIG.format(root=root, modules=MODULES, port=port, www=www))
        started = subprocess.run(
            [str(APACHE), "-d", str(root), "-f", str(config), "-k", "start"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert started.returncode == 0, started.stderr
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url, root)
        try:
            yield url
        finally:
            subprocess.run(
                [str(APACHE), "-d", str(root), "-f", str(config), "-k", "stop"],
                capture_output=True,
                timeout=30,
            )
            _wait_stopped(root / "httpd.pid")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(url: str, root: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    log = root / "error.log"
    raise RuntimeError(f"Apache did not answer at {url}: {log.read_text() if log.exists() else ''}")


def _wait_stopped(pid_file: Path, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def hop(url: str, accept: str | None = None, **kwargs) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(
        url, headers=headers, allow_redirects=False, timeout=REQUEST_TIMEOUT, **kwargs
    )


def through(w3id: str, iri: str) -> str:
    """Return where an IRI under https://w3id.org/nzsa/ is answered by the test's Apache."""
    return w3id + "nzsa/" + iri[len("https://w3id.org/nzsa/") :]


@pytest.mark.parametrize(
    ("accept", "content_type", "parser"),
    [
        pytest.param("text/turtle", "text/turtle", "turtle", id="turtle"),
        pytest.param("application/ld+json", "application/ld+json", "json-ld", id="jsonld"),
        pytest.param("application/rdf+xml", "application/rdf+xml", "xml", id="rdfxml"),
        pytest.param("application/n-triples", "application/n-triples", "nt", id="ntriples"),
    ],
)
def test_thing_iri_303s_to_its_negotiated_document(w3id, served, accept, content_type, parser):
    _, server = served
    first = hop(through(w3id, NZ), accept)
    assert first.status_code == 303
    assert first.headers["Location"] == server.url + "doc/country/new-zealand"
    final = requests.get(through(w3id, NZ), headers={"Accept": accept}, timeout=REQUEST_TIMEOUT)
    assert final.status_code == 200
    assert [r.status_code for r in final.history] == [303]
    assert final.headers["Content-Type"].split(";")[0] == content_type
    assert "Accept" in final.headers["Vary"]
    graph = Graph().parse(data=final.content, format=parser)
    assert (URIRef(NZ), SKOS.prefLabel, Literal("New Zealand", lang="en")) in graph


def test_a_browser_gets_the_page(w3id):
    final = requests.get(through(w3id, NZ), headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT)
    assert final.status_code == 200
    assert final.headers["Content-Type"].startswith("text/html")
    assert "<h1>New Zealand</h1>" in final.text


def test_a_suffixed_thing_iri_keeps_its_format(w3id, served):
    _, server = served
    first = hop(through(w3id, NZ) + ".nt")
    assert first.status_code == 303
    assert first.headers["Location"] == server.url + "doc/country/new-zealand.nt"


def test_retired_iris_answer_through_w3id(w3id, served):
    _, server = served
    renamed = requests.get(
        through(w3id, RENAMED), headers={"Accept": "text/turtle"}, timeout=REQUEST_TIMEOUT
    )
    assert [r.status_code for r in renamed.history] == [303, 301]
    assert renamed.url == server.url + "doc/" + REPLACEMENT[len(ID) :]
    withdrawn = requests.get(
        through(w3id, WITHDRAWN), headers={"Accept": "text/turtle"}, timeout=REQUEST_TIMEOUT
    )
    assert withdrawn.status_code == 410
    graph = Graph().parse(data=withdrawn.content, format="turtle")
    assert graph.value(URIRef(WITHDRAWN), OWL.deprecated).toPython() is True


def test_unknown_iri_ends_in_404(w3id):
    response = requests.get(
        through(w3id, ID + "country/nowhere"), headers={"Accept": "text/turtle"},
        timeout=REQUEST_TIMEOUT,
    )  # fmt: skip
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [("text/turtle", "text/turtle"), (BROWSER, "text/html")],
)
def test_ontology_iri_303s_to_its_negotiated_document(w3id, served, accept, content_type):
    _, server = served
    first = hop(w3id + "nzsa/ontology", accept)
    assert first.status_code == 303
    assert first.headers["Location"] == server.url + "ontology"
    final = requests.get(w3id + "nzsa/ontology", headers={"Accept": accept}, timeout=30)
    assert final.status_code == 200
    assert final.headers["Content-Type"].startswith(content_type)
    if content_type == "text/turtle":
        graph = Graph().parse(data=final.content, format="turtle")
        assert (URIRef("https://w3id.org/nzsa/ontology"), RDF.type, OWL.Ontology) in graph


def test_dumps_download_through_w3id(w3id, served):
    build, server = served
    first = hop(w3id + "nzsa/download/nzsa.nt")
    assert first.status_code == 302
    assert first.headers["Location"] == server.url + "download/nzsa.nt"
    dump = requests.get(w3id + "nzsa/download/nzsa.nt", timeout=REQUEST_TIMEOUT)
    assert dump.status_code == 200
    assert dump.content == (build / "nzsa.nt").read_bytes()
    assert dump.headers["ETag"] == f'"{hashlib.sha256(dump.content).hexdigest()}"'


def test_documents_keep_their_query_through_w3id(w3id, served):
    _, server = served
    first = hop(w3id + "nzsa/doc/country/new-zealand.ttl?page=1")
    assert first.status_code == 302
    assert first.headers["Location"] == server.url + "doc/country/new-zealand.ttl?page=1"


def test_sparql_get_and_post_through_w3id(w3id, served):
    _, server = served
    query = f"ASK {{ <{NZ}> ?p ?o }}"
    first = hop(w3id + "nzsa/sparql", params={"query": query})
    assert first.status_code == 307
    assert first.headers["Location"].startswith(server.url + "sparql?query=")
    posted = requests.post(
        w3id + "nzsa/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=REQUEST_TIMEOUT,
    )
    assert [r.status_code for r in posted.history] == [307]
    assert posted.json()["boolean"] is True
    client = SPARQLWrapper(w3id + "nzsa/sparql", returnFormat=JSON)
    client.setMethod(GET)  # urllib follows a 307 only for GET
    client.setTimeout(REQUEST_TIMEOUT)
    client.setQuery(query)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--target", "http://x/", "--base-iri", "https://example.org/nzsa/"],
            "not a folder under https://w3id.org/",
            id="base-elsewhere",
        ),
        pytest.param(["--target", "nzsa.example.org"], "not an absolute", id="relative-target"),
        pytest.param(["--target", "https://x/$1 [P]"], "characters", id="rewrite-injection"),
    ],
)
def test_w3id_refuses_what_cannot_be_registered(args, message):
    done = subprocess.run([NZSA, "w3id", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
