"""Logs: a line per request with its id, JSON when asked, the id sent back to the client."""

from __future__ import annotations

import json
import logging
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import pytest
import requests
from fixture_data import REQUEST_TIMEOUT
from nzsa import config
from nzsa.ops import logs

DOC = "doc/country/new-zealand.ttl"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12))


@pytest.fixture(scope="module")
def logged(nzsa_server, fixture_build, tmp_path_factory):
    """A server writing JSON access lines to a file; one query thread, queries wait 5 s."""
    access = tmp_path_factory.mktemp("logs") / "access.log"
    running = nzsa_server(
        fixture_build, WORKERS=1, THREADS=2, EXECUTORS=1, QUERY_TIMEOUT=2, QUEUE_WAIT=5,
        ACCESS_LOG=str(access), LOG_FORMAT="json",
    )  # fmt: skip
    return running, access


def lines_for(access, request_id: str, seconds: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [json.loads(line) for line in access.read_text().splitlines()
                 if request_id in line]  # fmt: skip
        if found:
            return found
        time.sleep(0.05)
    return []


def test_a_request_id_the_client_chose_is_kept_logged_and_sent_back(logged):
    served, access = logged
    response = requests.get(served.url + DOC, headers={"X-Request-Id": "trace-42.a"},
                            timeout=REQUEST_TIMEOUT)  # fmt: skip
    assert response.headers["X-Request-Id"] == "trace-42.a"
    (line,) = lines_for(access, "trace-42.a")
    assert line["request_id"] == "trace-42.a" and line["status"] == 200
    assert line["method"] == "GET" and line["path"] == "/" + DOC and line["lane"] == "render"
    assert line["bytes"] == len(response.content) and line["duration_ms"] >= 0


@pytest.mark.parametrize("given", ["", "has space", "x" * 200, "<script>"])
def test_an_implausible_request_id_is_replaced(logged, given):
    served, access = logged
    response = requests.get(served.url + "void", headers={"X-Request-Id": given},
                            timeout=REQUEST_TIMEOUT)  # fmt: skip
    made = response.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert lines_for(access, made)[0]["path"] == "/void"


def test_every_answer_carries_a_request_id_even_a_replayed_one(logged):
    served, _ = logged
    ids = {requests.get(served.url + DOC, timeout=REQUEST_TIMEOUT).headers["X-Request-Id"]
           for _ in range(3)}  # fmt: skip
    assert len(ids) == 3


def test_a_request_whose_client_left_while_it_waited_is_logged_and_never_run(logged):
    served, access = logged
    host, port = urlsplit(served.url).netloc.split(":")
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(requests.get, served.url + "sparql", params={"query": SLOW + " }"},
                              timeout=REQUEST_TIMEOUT)  # fmt: skip
        time.sleep(0.3)
        with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT) as sock:
            query = quote(SLOW + " } LIMIT 3")
            sock.sendall(f"GET /sparql?query={query} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                         f"X-Request-Id: gone-1\r\n\r\n".encode())  # fmt: skip
            time.sleep(0.3)
        assert running.result().status_code == 503  # its 2 s limit
    (line,) = lines_for(access, "gone-1")
    assert line["status"] == 499 and line["ran"] is False and line["lane"] == "query"


@pytest.fixture()
def configured():
    """Configure logging in this process for one test, then put it back as it was."""
    names = ("nzsa", logs.ACCESS, *logs.SERVER_LOGGERS)
    saved = {name: logging.getLogger(name) for name in names}
    state = {name: (lg.handlers[:], lg.level, lg.propagate) for name, lg in saved.items()}
    yield lambda settings: logs.configure({**config.defaults(), **settings})
    for name, logger in saved.items():
        logger.handlers[:], logger.level, logger.propagate = state[name]


def test_messages_written_while_serving_a_request_carry_its_id(configured, capsys):
    configured({"LOG_FORMAT": "json"})
    token = logs.REQUEST_ID.set("req-7")
    try:
        logging.getLogger("nzsa.app").error("the store failed")
    finally:
        logs.REQUEST_ID.reset(token)
    logging.getLogger("nzsa.app").warning("between requests")
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["request_id"] == "req-7" and first["level"] == "error"
    assert "request_id" not in second and second["message"] == "between requests"


def test_text_lines_name_the_request_too(configured, capsys):
    configured({"LOG_FORMAT": "text"})
    token = logs.REQUEST_ID.set("req-8")
    try:
        logging.getLogger("nzsa.app").error("the store failed")
    finally:
        logs.REQUEST_ID.reset(token)
    assert capsys.readouterr().err.strip() == "[ERROR] the store failed (request req-8)"
