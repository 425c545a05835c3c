"""nzsa in front of Virtuoso 7 with Debian's stock settings, as an operator would run it.

Each test is one finding of trying it: gzip answers, a default graph holding Virtuoso's
own system graphs, the engine's row cap and partial answers, its error answers, a version
that must follow the remote data, and blank-node labels of its own syntax.
"""

from __future__ import annotations

import subprocess
import time

import pytest
import requests
from fixture_data import GRAPH, ID, NZSA, ONT, REQUEST_TIMEOUT, write_fixture_build
from rdflib import Graph, URIRef
from remote_engines import free_port, stop

NZ = ID + "country/new-zealand"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
# 41² × 7 rows: more than Virtuoso's stock ResultSetMaxRows (10000), fewer than nzsa's cap.
CROSS_JOIN = "SELECT ?s ?a ?n { ?s ?p ?o . ?a ?b ?c . VALUES ?n { 1 2 3 4 5 6 7 } }"
# Cheap to estimate, slow to run: Virtuoso's "anytime" timeout stops it part way.
SLOW_COUNT = (
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o . ?a ?b ?c . ?d ?e ?f . ?g ?h ?i"
    " FILTER(STRLEN(CONCAT(STR(?o), STR(?c), STR(?f))) > STRLEN(STR(?i))) }"
)
# Estimated by Virtuoso at far more than its stock 400 s limit: refused before it runs.
COSTLY = (
    "SELECT (COUNT(*) AS ?n) FROM <http://www.openlinksw.com/schemas/virtrdf#>"
    " { ?s ?p ?o . ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER(STR(?o) < STR(?i)) }"
)
SETTINGS = {"STORE": "remote", "WORKERS": 1, "QUERY_TIMEOUT": 3, "MAX_RESULTS": 100_000}


@pytest.fixture(scope="module")
def front(nzsa_server, fixture_build, virtuoso):
    """`nzsa serve` in front of the stock Virtuoso holding the fixture data."""
    return nzsa_server(fixture_build, REMOTE_ENDPOINT=virtuoso.endpoint, **SETTINGS)


def get(running, path: str, **kwargs) -> requests.Response:
    return requests.get(running.url + path.lstrip("/"), timeout=REQUEST_TIMEOUT, **kwargs)


def sparql(running, query: str, **kwargs) -> requests.Response:
    return get(running, "sparql", params={"query": query}, headers=JSON_RESULTS, **kwargs)


def rows(response: requests.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_the_stock_virtuoso_gzips_its_answers(virtuoso):
    direct = requests.get(
        virtuoso.endpoint,
        params={"query": "ASK {}"},
        headers={"Accept-Encoding": "gzip", **JSON_RESULTS},
        timeout=REQUEST_TIMEOUT,
        stream=True,
    )
    assert direct.headers["Content-Encoding"] == "gzip"
    direct.close()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/id/country/new-zealand", 303),
        ("/doc/country/new-zealand.ttl", 200),
        ("/doc/country/new-zealand.html", 200),
        ("/class/State", 200),
        ("/search?q=zealand&format=json", 200),
        ("/ontology.ttl", 200),
    ],
)
def test_pages_and_redirects_answer_through_gzip(front, path, status):
    response = get(front, path, allow_redirects=False)
    assert response.status_code == status, response.text[:500]


def test_documents_hold_the_data_from_virtuoso(front):
    graph = Graph().parse(data=get(front, "/doc/country/new-zealand.ttl").text, format="turtle")
    labels = {str(o) for o in graph.objects(URIRef(NZ), None) if not isinstance(o, URIRef)}
    assert "New Zealand" in labels


def test_the_default_graph_is_the_published_graphs_not_virtuosos_own(
    front, virtuoso, fixture_triple_count
):
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    direct = requests.get(
        virtuoso.endpoint, params={"query": count}, headers=JSON_RESULTS, timeout=REQUEST_TIMEOUT
    )
    assert int(rows(direct)[0]["n"]["value"]) > fixture_triple_count  # system graphs
    assert int(rows(sparql(front, count))[0]["n"]["value"]) == fixture_triple_count
    label = f"SELECT ?label {{ <{OWL_CLASS}> <{RDFS_LABEL}> ?label }}"
    leaked = requests.get(
        virtuoso.endpoint, params={"query": label}, headers=JSON_RESULTS, timeout=REQUEST_TIMEOUT
    )
    assert rows(leaked), "Virtuoso's owl# graph labels owl:Class"
    assert rows(sparql(front, label)) == []
    graphs = rows(sparql(front, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"))
    published = {GRAPH + name for name in ("ontology", "data", "inferred", "shapes")}
    assert {b["g"]["value"] for b in graphs} <= published


def test_the_engines_row_cap_is_reported_and_never_kept(front):
    for _ in range(2):
        response = sparql(front, CROSS_JOIN)
        assert len(rows(response)) == 10_000
        assert response.headers["NZSA-Results-Truncated"] == "true"
        assert "ResultSetMaxRows" in response.headers["Warning"]
        assert "no-store" in response.headers["Cache-Control"]


def test_partial_answers_are_a_timeout_not_a_result(front):
    response = sparql(front, SLOW_COUNT)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"].isdigit()
    assert "partial" in response.text


def test_a_cut_ontology_document_is_never_served(nzsa_server, start_virtuoso, tmp_path):
    build = write_fixture_build(tmp_path / "build")
    with (build / "nzsa.nq").open("a") as nquads:
        for n in range(30):
            nquads.write(f'<{ONT}Term{n}> <{RDFS_LABEL}> "Term {n}" <{GRAPH}ontology> .\n')
    capped = start_virtuoso(build / "nzsa.nq", ResultSetMaxRows=10)
    running = nzsa_server(build, REMOTE_ENDPOINT=capped.endpoint, **SETTINGS)
    response = get(running, "/ontology.ttl")
    assert response.status_code == 502, response.text
    assert "ResultSetMaxRows" in response.text


@pytest.mark.parametrize(
    ("query", "status", "reason"),
    [
        (COSTLY, 400, "estimated execution time"),
        ("SELECT ?x { BIND(BNODE() AS ?x) }", 400, "not implemented"),
    ],
    ids=["cost-estimate", "unsupported-feature"],
)
def test_engine_refusals_are_clear_and_name_no_address(front, virtuoso, query, status, reason):
    response = sparql(front, query)
    assert response.status_code == status, response.text
    assert reason in response.text
    assert f":{virtuoso.http_port}" not in response.text and "127.0.0.1" not in response.text
    time.sleep(0.2)
    log = front.output()
    assert "Traceback" not in log
    assert sum(reason in line for line in log.splitlines()) == 1


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ('SELECT (bif:sys_stat("st_dbms_ver") AS ?v) {}', "bif:sys_stat"),
        ("SELECT (sql:rdf_version() AS ?v) {}", "sql:"),
        ('DEFINE input:grab-all "yes" SELECT * { ?s ?p ?o } LIMIT 1', "DEFINE"),
        ('DEFINE get:soft "soft" SELECT * FROM <http://127.0.0.1:1/> { ?s ?p ?o }', "DEFINE"),
    ],
    ids=["bif", "sql", "define-grab-all", "define-get-soft"],
)
def test_virtuoso_extensions_never_reach_it(front, virtuoso, query, named):
    leaked = requests.get(virtuoso.endpoint, params={"query": query}, headers=JSON_RESULTS,
                          timeout=REQUEST_TIMEOUT)  # fmt: skip
    response = sparql(front, query)
    assert response.status_code == 400, response.text
    assert named in response.text
    assert "07.20" not in response.text  # the server's version, which bif:sys_stat returns
    if named == "bif:sys_stat":
        assert "07.20" in leaked.text  # what nzsa keeps from the public


def test_an_unreachable_engine_is_a_503_naming_no_address(
    nzsa_server, fixture_build, start_virtuoso
):
    doomed = start_virtuoso(fixture_build / "nzsa.nq")
    running = nzsa_server(fixture_build, REMOTE_ENDPOINT=doomed.endpoint, **SETTINGS)
    assert get(running, "/doc/country/new-zealand.ttl").status_code == 200
    doomed.stop()
    for path in ("/sparql?query=ASK%7B%7D", "/doc/country/fiji.ttl", "/class/State"):
        response = get(running, path)
        assert response.status_code == 503, (path, response.text)
        assert response.headers["Retry-After"].isdigit()
        assert str(doomed.http_port) not in response.text and "127.0.0.1" not in response.text
    assert "Traceback" not in running.output()


def serve_and_wait(fixture_build, endpoint: str) -> tuple[int | None, str]:
    """Run `nzsa serve` on an endpoint that should make it refuse to start; (status, stderr).

    A server that starts anyway is stopped after 60 s, whole process group and all.
    """
    env = {"NZSA_BUILD_DIR": str(fixture_build), "NZSA_PORT": str(free_port()),
           "NZSA_REBUILD": "never", "NZSA_STORE": "remote", "NZSA_REMOTE_ENDPOINT": endpoint,
           "PATH": "/usr/bin:/bin"}  # fmt: skip
    process = subprocess.Popen(
        [NZSA, "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, errors = process.communicate(timeout=60)
        return process.returncode, errors
    except subprocess.TimeoutExpired:
        stop(process)
        return None, process.stderr.read()


def test_start_up_says_plainly_when_the_engine_is_unreachable(nzsa_server, fixture_build):
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"
    running = nzsa_server(fixture_build, REMOTE_ENDPOINT=endpoint, **SETTINGS)
    assert "unreachable" in running.output() and "answering 503" in running.output()
    assert get(running, "/doc/country/fiji.ttl").status_code == 503


def test_start_up_says_plainly_when_the_engine_lacks_the_dataset(fixture_build, start_virtuoso):
    empty = start_virtuoso()
    status, errors = serve_and_wait(fixture_build, empty.endpoint)
    assert status == 2, errors
    assert "does not hold the dataset" in errors


@pytest.fixture(scope="module")
def changing(start_virtuoso, fixture_build, tmp_path_factory):
    """A Virtuoso whose data changes during the test: the fixture plus a blank node."""
    extra = tmp_path_factory.mktemp("extra") / "blank.nq"
    extra.write_text(
        f'_:evidence <{ONT}quote> "verbatim" <{GRAPH}data> .\n'
        f"<{NZ}> <http://www.w3.org/ns/prov#wasDerivedFrom> _:evidence <{GRAPH}data> .\n"
    )
    return start_virtuoso(fixture_build / "nzsa.nq", extra)


def test_blank_node_labels_of_virtuosos_syntax_are_read(nzsa_server, fixture_build, changing):
    running = nzsa_server(fixture_build, REMOTE_ENDPOINT=changing.endpoint, **SETTINGS)
    direct = requests.get(
        changing.endpoint,
        params={"query": "SELECT ?b { ?s ?p ?b FILTER(isBlank(?b)) }"},
        headers=JSON_RESULTS,
        timeout=REQUEST_TIMEOUT,
    )
    assert rows(direct)[0]["b"]["value"].startswith("nodeID://")
    found = rows(sparql(running, "SELECT ?b ?q { ?s ?p ?b . ?b ?x ?q FILTER(isBlank(?b)) }"))
    assert [(b["b"]["type"], b["q"]["value"]) for b in found] == [("bnode", "verbatim")]


def test_the_version_follows_the_remote_data(nzsa_server, fixture_build, changing, tmp_path):
    running = nzsa_server(
        fixture_build, REMOTE_ENDPOINT=changing.endpoint, REMOTE_VERSION_INTERVAL=0.5, **SETTINGS
    )
    before = get(running, "/doc/country/new-zealand.ttl")
    assert before.status_code == 200
    added = tmp_path / "added.nq"
    added.write_text(
        f'<{NZ}> <http://www.w3.org/2004/02/skos/core#altLabel> "Aotearoa"@mi <{GRAPH}data> .\n'
    )
    changing.load(added, restart=False)  # while nzsa is serving from it
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        after = get(running, "/doc/country/new-zealand.ttl")
        if after.headers["ETag"] != before.headers["ETag"]:
            break
        time.sleep(0.3)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "Aotearoa" in after.text
    for validator in ({"If-None-Match": before.headers["ETag"]},
                      {"If-Modified-Since": before.headers["Last-Modified"]}):  # fmt: skip
        assert get(running, "/doc/country/new-zealand.ttl", headers=validator).status_code == 200
