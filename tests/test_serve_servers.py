"""`nzsa serve` under each HTTP server (SERVER): real processes on loopback.

Each server must answer, keep forwarded headers untrusted, refuse big bodies, replace a
killed worker and stop its whole process tree, query executors included, on SIGTERM.
"""

from __future__ import annotations

import http.client
import os
import signal
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from fixture_data import REQUEST_TIMEOUT

SERVERS = ["granian", "gunicorn"]
# What each server logs as it starts.
STARTED = {"granian": "Starting granian", "gunicorn": "Using worker: BoundedWorker"}
DOC = "doc/country/new-zealand"


def children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether a process still runs (a zombie waiting to be reaped does not)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def ask(server, n: int = 0) -> requests.Response:
    """A COUNT query; a new `n` makes it one no cache holds, so an executor runs it."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} LIMIT {n + 1}"
    return requests.get(server.url + "sparql", params={"query": query}, timeout=REQUEST_TIMEOUT)


def busy_tree(server) -> tuple[set[int], set[int]]:
    """Run queries until some executor has started; return the workers and executors."""
    workers = children(server.process.pid)
    for n in range(40):
        assert ask(server, n + int(time.monotonic() * 1000)).status_code == 200
        executors = set().union(*(children(worker) for worker in workers))
        if executors:
            return workers, executors
    raise AssertionError("no query executor started")


@pytest.fixture(scope="module", params=SERVERS)
def server_name(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def served(server_name, nzsa_server, fixture_build):
    """One `nzsa serve` per server, chosen by the NZSA_SERVER variable."""
    return nzsa_server(fixture_build, SERVER=server_name, WORKERS=2, THREADS=2)


def test_the_variable_chooses_the_server(server_name, served):
    other = SERVERS[1 - SERVERS.index(server_name)]
    assert STARTED[server_name] in served.output() and STARTED[other] not in served.output()


def test_answers_sparql_and_documents(served):
    assert ask(served).json()["results"]["bindings"][0]["n"]["value"] != "0"
    document = requests.get(served.url + DOC + ".ttl", timeout=REQUEST_TIMEOUT)
    assert document.status_code == 200 and "new-zealand" in document.text
    head = requests.head(served.url + DOC + ".ttl", timeout=REQUEST_TIMEOUT)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(document.content))


def test_forwarded_headers_are_not_trusted_by_default(served):
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    response = requests.get(
        served.url + "id/country/new-zealand",
        headers=forged,
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == served.url + DOC


def test_process_variables_never_pass_for_request_headers(server_name, nzsa_server, fixture_build):
    # granian starts each request's WSGI environ from the process environment.
    running = nzsa_server(
        fixture_build, SERVER=server_name, TRUSTED_PROXIES=1,
        ALLOWED_HOSTS="localhost,proxy.example",
        environment={"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_ACCEPT": "text/html"},
    )  # fmt: skip
    url = running.url + "id/country/new-zealand"
    answer = requests.get(
        url, headers={"Host": "localhost"}, allow_redirects=False, timeout=REQUEST_TIMEOUT
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("http://localhost/doc/")
    sent = requests.get(url, headers={"X-Forwarded-Host": "proxy.example"},
                        allow_redirects=False, timeout=REQUEST_TIMEOUT)  # fmt: skip
    assert sent.headers["Location"].startswith("http://proxy.example/doc/")
    # http.client sends no Accept: the answer is the default format, not the variable's.
    connection = http.client.HTTPConnection(urlsplit(running.url).netloc, timeout=REQUEST_TIMEOUT)
    connection.request(
        "GET", "/sparql?query=" + quote("ASK { ?s ?p ?o }"), headers={"Host": "localhost"}
    )
    plain = connection.getresponse()
    assert plain.getheader("Content-Type").startswith("application/sparql-results+json")
    connection.close()


def test_a_20_mb_body_gets_413_and_the_server_goes_on(served):
    body = b"query=" + b"a" * (20 * 1024 * 1024)
    headers = {"Content-Type": "application/sparql-query"}
    refused = requests.post(served.url + "sparql", data=body, headers=headers, timeout=30)
    assert refused.status_code == 413
    assert ask(served).status_code == 200


@pytest.mark.parametrize("server", SERVERS)
def test_the_option_wins_over_the_variable(server, nzsa_server, fixture_build):
    other = SERVERS[1 - SERVERS.index(server)]
    running = nzsa_server(fixture_build, "--server", server, SERVER=other, WORKERS=1)
    assert STARTED[server] in running.output() and STARTED[other] not in running.output()


@pytest.mark.parametrize("server", SERVERS)
def test_sigterm_stops_every_process_executors_included(server, nzsa_server, fixture_build):
    running = nzsa_server(fixture_build, SERVER=server, WORKERS=2, THREADS=2)
    workers, executors = busy_tree(running)
    os.kill(running.process.pid, signal.SIGTERM)
    assert running.process.wait(timeout=30) == 0
    assert wait_for(lambda: not any(alive(pid) for pid in workers | executors), 5)


@pytest.mark.parametrize("server", SERVERS)
def test_ctrl_c_to_the_process_group_stops_it_quietly(server, nzsa_server, fixture_build):
    # A terminal sends SIGINT to every process in the group, executors included.
    running = nzsa_server(fixture_build, SERVER=server, WORKERS=2, THREADS=2)
    workers, executors = busy_tree(running)
    os.killpg(running.process.pid, signal.SIGINT)
    assert running.process.wait(timeout=5) == 0
    assert wait_for(lambda: not any(alive(pid) for pid in workers | executors), 5)
    assert "KeyboardInterrupt" not in running.output()


@pytest.mark.parametrize("server", SERVERS)
def test_a_killed_worker_is_replaced(server, nzsa_server, fixture_build):
    running = nzsa_server(fixture_build, SERVER=server, WORKERS=2, THREADS=2)
    workers, _ = busy_tree(running)
    victim = next(worker for worker in workers if children(worker))
    orphans = children(victim)
    os.kill(victim, signal.SIGKILL)

    def replaced() -> bool:
        now = children(running.process.pid)
        return victim not in now and len(now) == len(workers)

    assert wait_for(replaced)
    # The dead worker's executors notice and leave; the new worker answers.
    assert wait_for(lambda: not any(alive(pid) for pid in orphans), 5)
    assert all(ask(running, n).status_code == 200 for n in range(6))


def test_an_unknown_server_is_refused(nzsa_server, fixture_build):
    with pytest.raises(RuntimeError, match="SERVER must be `granian` or `gunicorn`"):
        nzsa_server(fixture_build, SERVER="waitress")
