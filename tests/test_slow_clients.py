"""Slow clients under each HTTP server: headers and bodies sent a byte at a time.

Findings: 6–8 connections sending a POST body a byte every 2 s blocked all service under
both servers (no body-read timeout), and under gunicorn 8 connections sending their
headers slowly blocked it indefinitely. Each server here has 4 threads (2 workers × 2):
12 slow connections would hold every one of them if reading a request took a thread.
"""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from fixture_data import REQUEST_TIMEOUT

SERVERS = ["granian", "gunicorn"]
SLOW = 12
DOC = "doc/country/new-zealand.ttl"
READ_TIMEOUT = 2  # HEADER_TIMEOUT and BODY_TIMEOUT of the servers here, in seconds


class Trickle:
    """Connections that send a request a byte every `gap` seconds, and what came back."""

    def __init__(self, url: str, head: bytes, body: bytes, count: int, gap: float = 0.5):
        host, port = urlsplit(url).netloc.split(":")
        self.sockets = [
            socket.create_connection((host, int(port)), timeout=30) for _ in range(count)
        ]
        self.head, self.body, self.gap = head, body, gap
        self.answers: list[bytes | None] = [None] * count
        self.ended_at: list[float | None] = [None] * count
        self.started = time.monotonic()
        self.threads = [threading.Thread(target=self._send, args=(i,), daemon=True)
                        for i in range(count)]  # fmt: skip
        for thread in self.threads:
            thread.start()

    def _send(self, index: int) -> None:
        sock = self.sockets[index]
        try:
            sock.sendall(self.head)
            for byte in self.body:
                sock.sendall(bytes([byte]))
                time.sleep(self.gap)
        except OSError:
            pass  # the server closed the connection: what the test looks for
        self._read(index)

    def _read(self, index: int) -> None:
        sock, received = self.sockets[index], b""
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except OSError:
            pass
        self.answers[index] = received
        self.ended_at[index] = time.monotonic() - self.started

    def wait(self, seconds: float) -> bool:
        for thread in self.threads:
            thread.join(max(seconds - (time.monotonic() - self.started), 0))
        return all(ended is not None for ended in self.ended_at)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


@pytest.fixture(scope="module", params=SERVERS)
def served(request, nzsa_server, fixture_build):
    return nzsa_server(
        fixture_build, SERVER=request.param, WORKERS=2, THREADS=2,
        HEADER_TIMEOUT=READ_TIMEOUT, BODY_TIMEOUT=READ_TIMEOUT, MAX_BODY_BYTES=10_000,
    )  # fmt: skip


def ordinary_requests_answer(served, count: int = 6) -> None:
    """Ordinary requests, a document and uncached queries, are answered meanwhile."""
    for n in range(count):
        document = requests.get(served.url + DOC, timeout=REQUEST_TIMEOUT)
        assert document.status_code == 200
        query = f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {n + 1}"
        answer = requests.get(served.url + "sparql", params={"query": query},
                              timeout=REQUEST_TIMEOUT)  # fmt: skip
        assert answer.status_code == 200


def test_slow_bodies_hold_no_thread_and_get_408(served):
    head = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 200\r\n\r\n")  # fmt: skip
    trickle = Trickle(served.url, head, b"A" * 200, SLOW)
    try:
        time.sleep(0.5)
        ordinary_requests_answer(served)
        # Each slow body is cut off once BODY_TIMEOUT has passed, long before it is sent.
        assert trickle.wait(READ_TIMEOUT + 15), (trickle.ended_at, trickle.answers)
        assert all(answer.startswith(b"HTTP/1.1 408") for answer in trickle.answers), (
            trickle.answers
        )
    finally:
        trickle.close()


def test_slow_headers_hold_no_thread_and_are_cut_off(served):
    head = b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
    trickle = Trickle(served.url, b"", head + b"a" * 200, SLOW)
    try:
        time.sleep(0.5)
        ordinary_requests_answer(served)
        # Closed once HEADER_TIMEOUT has passed (granian may say 408 first).
        assert trickle.wait(READ_TIMEOUT + 15)
        assert all(answer in (b"",) or answer.startswith(b"HTTP/1.1 408")
                   for answer in trickle.answers), trickle.answers  # fmt: skip
    finally:
        trickle.close()


def test_a_chunked_body_is_refused_once_it_grows_past_the_limit(served):
    host, port = urlsplit(served.url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/sparql-query\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")  # fmt: skip
        chunk = b"#" * 4096
        received = b""
        try:
            for _ in range(40):  # 160 kB against a 10 kB limit
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # closed after the 413
        while len(received) < 12 and (data := sock.recv(4096)):
            received += data
    assert received.startswith(b"HTTP/1.1 413")
