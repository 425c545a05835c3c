"""Security cases against `nzsa serve` on loopback: no outbound requests, bounded work,
read-only data, size limits, escaped errors and no path traversal."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from fixture_data import ID, REQUEST_TIMEOUT

CROSS_PRODUCT = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12)) + " }"
)
PATH_BLOWUP = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<http://x/none>)* ?b . ?c (!<http://x/none>)* ?d . "
    "?e (!<http://x/none>)* ?f . ?g ?h ?i . ?j ?k ?l }"
)


class Listener:
    """A TCP listener on loopback that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture()
def listener():
    opened = Listener()
    yield opened
    opened.close()


def sparql_get(server, params, headers=None, timeout=REQUEST_TIMEOUT):
    return requests.get(server.url + "sparql", params=params, headers=headers, timeout=timeout)


def sparql_post(server, data, content_type=None, timeout=REQUEST_TIMEOUT):
    headers = {"Content-Type": content_type} if content_type else None
    return requests.post(server.url + "sparql", data=data, headers=headers, timeout=timeout)


def test_service_never_reaches_another_host(server, listener):
    target = f"<http://127.0.0.1:{listener.port}/sparql>"
    attempts = [
        lambda: sparql_get(server, {"query": f"SELECT * {{ SERVICE {target} {{ ?s ?p ?o }} }}"}),
        lambda: sparql_get(server, {"query": f"select * {{ service silent {target} {{ }} }}"}),
        lambda: sparql_get(server, {"query": f"SELECT * {{ SERVI\\u0043E {target} {{ }} }}"}),
        lambda: sparql_post(server, {"query": f"ASK {{ SERVICE {target} {{ ?s ?p ?o }} }}"}),
        lambda: sparql_post(
            server,
            f"SELECT * {{ # a comment\n SERVICE\n{target} {{ ?s ?p ?o }} }}".encode(),
            "application/sparql-query",
        ),
    ]
    for attempt in attempts:
        response = attempt()
        assert response.status_code in (400, 403), response.text
    time.sleep(0.5)
    assert listener.connections == 0


def test_load_never_reaches_another_host(server, listener):
    target = f"<http://127.0.0.1:{listener.port}/data.ttl>"
    responses = [
        sparql_get(server, {"update": f"LOAD {target}"}),
        sparql_get(server, {"query": f"LOAD {target}"}),
        sparql_post(server, {"update": f"LOAD {target}"}),
        sparql_post(server, f"LOAD {target}".encode(), "application/sparql-update"),
        sparql_post(server, f"LOAD SILENT {target} INTO GRAPH <http://x/>".encode(),
                    "application/sparql-query"),
    ]  # fmt: skip
    assert all(r.status_code in (400, 403) for r in responses), [r.text for r in responses]
    # FROM names a graph of the store; no engine we use fetches it.
    response = sparql_get(server, {"query": f"SELECT * FROM {target} {{ ?s ?p ?o }}"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    time.sleep(0.5)
    assert listener.connections == 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime


def _computing(root: int, windows: int = 5, every: float = 0.4) -> set[int]:
    """Return the processes of a tree that used CPU in every one of several windows.

    A query still running is CPU-bound and gains ticks in each window however busy the
    machine is; a process waiting for work gains none in most of them.
    """
    busy = set(_descendants(root))
    ticks = {pid: _cpu_ticks(pid) for pid in busy}
    for _ in range(windows):
        time.sleep(every)
        now = {pid: _cpu_ticks(pid) for pid in busy}
        busy = {pid for pid in busy if now[pid] is not None and now[pid] > ticks[pid]}
        ticks = now
    return busy


def _settles(root: int, within: float = 30.0) -> bool:
    """Whether the tree stops computing: a replaced executor may first load its store."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _computing(root):
            return True
    return False


@pytest.mark.parametrize("query", [CROSS_PRODUCT, PATH_BLOWUP], ids=["cross-product", "paths"])
def test_runaway_query_is_stopped_and_others_keep_answering(server, query):
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        slow = pool.submit(sparql_get, server, {"query": query}, None, 15)
        time.sleep(0.3)
        latencies = []
        while not slow.done():
            asked = time.monotonic()
            quick = sparql_get(server, {"query": f"ASK {{ <{ID}country/fiji> ?p ?o }}"}, None, 10)
            assert quick.status_code == 200 and quick.json()["boolean"] is True
            latencies.append(time.monotonic() - asked)
            time.sleep(0.1)
        response = slow.result()
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "timeout" in response.text.lower() and "stopped" in response.text
    assert elapsed > 1.9  # it ran until its limit, not cut short
    assert latencies  # others were answered while it ran
    assert _settles(server.process.pid)  # and nothing computes it after its answer


def test_several_runaway_queries_at_once_all_end(server):
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: sparql_get(server, {"query": CROSS_PRODUCT}, None, 20),
                                range(6)))  # fmt: skip
    assert {r.status_code for r in answers} == {503}
    assert _settles(server.process.pid)


def _count(server) -> str:
    response = sparql_get(server, {"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    return response.json()["results"]["bindings"][0]["n"]["value"]


def test_updates_are_refused_and_the_data_is_unchanged(server):
    before = _count(server)
    insert = "INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }"
    responses = {
        "get-update": sparql_get(server, {"update": insert}),
        "get-query": sparql_get(server, {"query": insert}),
        "post-form-update": sparql_post(server, {"update": insert}),
        "post-form-query": sparql_post(server, {"query": "DELETE WHERE { ?s ?p ?o }"}),
        "post-update-body": sparql_post(server, insert.encode(), "application/sparql-update"),
        "post-query-body": sparql_post(server, b"CLEAR ALL", "application/sparql-query"),
        "drop": sparql_get(server, {"query": "DROP ALL"}),
    }
    for name, response in responses.items():
        assert response.status_code == 403, name
        assert "read-only" in response.text, name
    assert _count(server) == before
    ask = sparql_get(server, {"query": "ASK { <http://x/s> ?p ?o }"})
    assert ask.json()["boolean"] is False


@pytest.mark.parametrize(
    "content_type", ["application/sparql-query", "application/x-www-form-urlencoded"]
)
def test_a_20_mb_body_gets_413(server, content_type):
    body = b"query=" + b"a" * (20 * 1024 * 1024)
    response = sparql_post(server, body, content_type, timeout=30)
    assert response.status_code == 413
    assert sparql_get(server, {"query": "ASK {}"}).status_code == 200


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        pytest.param("text/html, */*;q=0.1", "text/html; charset=utf-8", id="html"),
        pytest.param("text/plain, */*;q=0.1", "text/plain; charset=utf-8", id="text"),
        pytest.param("application/json", "application/json", id="json"),
    ],
)
def test_error_pages_escape_what_the_client_sent(server, accept, content_type):
    query = "SELECT * WHERE { <script>injected</script> }"
    response = sparql_get(server, {"query": query}, {"Accept": accept})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The error page's own scripts are the site's; what the client sent is never markup.
    assert "<script>injected" not in response.text and "injected</script>" not in response.text
    if content_type == "application/json":
        assert "<script>injected" in response.json()["error"]  # intact once decoded as JSON
    else:
        assert "&lt;script&gt;injected" in response.text


TRAVERSALS = [
    "/download/../../etc/passwd",
    "/download/%2e%2e/%2e%2e/etc/passwd",
    "/download/..%2f..%2f..%2fetc%2fpasswd",
    "/download/%252e%252e/%252e%252e/etc/passwd",
    "/download/....//....//etc/passwd",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/sparql/../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/download/%2fetc%2fpasswd",
    "//etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_traversal(server, path):
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path)  # sent exactly as written, dots and all
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status in (400, 404), (path, response.status)
    assert b"root:" not in body


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&lol9;</rdf:RDF>'
)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(BILLION_LAUGHS, "application/rdf+xml", id="xml-entities"),
        pytest.param(BILLION_LAUGHS, "application/xml", id="xml"),
        pytest.param(None, "application/ld+json", id="jsonld-remote-context"),
    ],
)
def test_rdf_bodies_are_never_parsed(server, listener, body, content_type):
    if body is None:
        body = json.dumps({"@context": f"http://127.0.0.1:{listener.port}/ctx"}).encode()
    response = sparql_post(server, body, content_type)
    assert response.status_code == 415
    time.sleep(0.5)
    assert listener.connections == 0
