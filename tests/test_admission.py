"""Admission: lanes, shares of threads, a bounded queue with a wait deadline, abandoned work.

Findings: 20 concurrent pathological queries stalled cached document requests for up to
29.5 s; overload was queued without bound (the time limit started only when a thread
picked the request up); no answer carried Retry-After; and abandoned requests were still
computed for ~19 s after their clients left.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from fixture_data import REQUEST_TIMEOUT
from nzsa.ops.admission import (
    CHEAP,
    HEALTH,
    QUERY,
    RENDER,
    Admission,
    Overloaded,
    Ticket,
    lane_for,
)

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12))
DOC = "doc/country/new-zealand.ttl"


def slow_query(n: int) -> str:
    """A query that runs until its time limit; `n` makes it one no cache holds."""
    return SLOW + f" }} LIMIT {n + 1}"


# --- the lanes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "query", "lane"),
    [
        ("GET", "/sparql", "query=ASK%7B%7D", QUERY),
        ("POST", "/sparql", "", QUERY),
        ("GET", "/sparql", "", CHEAP),
        ("GET", "/sparql", "format=json", CHEAP),
        ("GET", "/", "", RENDER),
        ("GET", "/doc/country/fiji", "", RENDER),
        ("GET", "/id/country/fiji", "", RENDER),
        ("GET", "/.well-known/genid/abc", "", RENDER),
        ("GET", "/page", "iri=x", RENDER),
        ("GET", "/class/State", "", RENDER),
        ("GET", "/search", "q=fiji", RENDER),
        ("GET", "/ontology", "", RENDER),
        ("GET", "/ontology.ttl", "", RENDER),
        ("GET", "/static/pages/site.css", "", CHEAP),
        ("GET", "/download/nzsa.nq", "", CHEAP),
        ("GET", "/void", "", CHEAP),
        ("GET", "/context.jsonld", "", CHEAP),
        ("GET", "/favicon.ico", "", CHEAP),
    ],
)
def test_each_request_has_its_lane(method, path, query, lane):
    assert lane_for(method, path, query) == lane


# Every route of the app, a path it answers and its lane: a new route fails the test below
# until its lane is chosen here.
ROUTES = {
    "/": ("/", RENDER),
    "/.well-known/genid/<path:rest>": ("/.well-known/genid/x", RENDER),
    "/.well-known/void": ("/.well-known/void", CHEAP),
    "/<any('ontology', 'shapes'):name><any('.ttl', '.jsonld', '.rdf', '.nt', '.html'):suffix>": (
        "/shapes.ttl",
        RENDER,
    ),
    "/<any('void.ttl', 'void.jsonld', 'void.rdf', 'void.nt', 'void.html'):name>": (
        "/void.ttl",
        CHEAP,
    ),
    "/about/linking": ("/about/linking", RENDER),
    "/openapi.json": ("/openapi.json", CHEAP),
    "/reconcile": ("/reconcile", QUERY),
    "/reconcile/preview": ("/reconcile/preview", RENDER),
    "/reconcile/properties": ("/reconcile/properties", QUERY),
    "/reconcile/static/<path:filename>": ("/reconcile/static/x.css", CHEAP),
    "/reconcile/suggest/entity": ("/reconcile/suggest/entity", QUERY),
    "/reconcile/suggest/property": ("/reconcile/suggest/property", QUERY),
    "/reconcile/suggest/type": ("/reconcile/suggest/type", QUERY),
    "/release/<tag>/<path:rest>": ("/release/v1/doc/x", RENDER),
    "/robots.txt": ("/robots.txt", CHEAP),
    "/sitemap-<int:number>.xml": ("/sitemap-2.xml", RENDER),
    "/sitemap-dataset.xml": ("/sitemap-dataset.xml", RENDER),
    "/sitemap.xml": ("/sitemap.xml", RENDER),
    "/timegate/<path:rest>": ("/timegate/id/x", RENDER),
    "/timemap/<path:rest>": ("/timemap/id/x", RENDER),
    "/class": ("/class", RENDER),
    "/class/<name>": ("/class/State", RENDER),
    "/context.jsonld": ("/context.jsonld", CHEAP),
    "/doc/<path:rest>": ("/doc/x", RENDER),
    "/download/": ("/download/", CHEAP),
    "/download/<path:name>": ("/download/nzsa.nq", CHEAP),
    "/favicon.ico": ("/favicon.ico", CHEAP),
    "/healthz": ("/healthz", HEALTH),
    "/readyz": ("/readyz", HEALTH),
    "/id/<path:rest>": ("/id/x", RENDER),
    "/ontology": ("/ontology", RENDER),
    "/page": ("/page", RENDER),
    "/search": ("/search", RENDER),
    "/shapes": ("/shapes", RENDER),
    "/sparql": ("/sparql", CHEAP),
    "/static/<path:filename>": ("/static/x.css", CHEAP),
    "/static/pages/<path:filename>": ("/static/pages/x.css", CHEAP),
    "/void": ("/void", CHEAP),
}


def test_every_route_is_in_a_lane_on_purpose(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert rules == set(ROUTES)
    for path, lane in ROUTES.values():
        assert lane_for("GET", path, "") == lane, path


# --- the queue, on an event loop ------------------------------------------------------------


def run(coroutine):
    """Run a coroutine on a fresh event loop in its own thread (the browser tests' driver
    keeps a loop running in this one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_queries_and_renders_each_take_a_share_and_leave_a_thread_for_the_rest():
    lanes = Admission(threads=4, expensive_share=0.5, depth=8, wait=1.0)
    assert [lanes.try_enter(QUERY) for _ in range(3)] == [True, True, False]
    assert [lanes.try_enter(RENDER) for _ in range(2)] == [True, False]  # the last stays free
    assert lanes.try_enter(CHEAP) and not lanes.try_enter(CHEAP)


def test_health_probes_have_threads_of_their_own():
    # A probe must not wait behind expensive work: every app thread taken, it still runs.
    lanes = Admission(threads=2, expensive_share=0.5, depth=8, wait=1.0)
    assert lanes.try_enter(QUERY) and lanes.try_enter(CHEAP) and not lanes.try_enter(CHEAP)
    assert [lanes.try_enter(HEALTH) for _ in range(3)] == [True, True, False]
    lanes.leave(HEALTH)
    assert not lanes.try_enter(CHEAP) and lanes.try_enter(HEALTH)


def test_a_full_queue_refuses_at_once_with_a_retry_after():
    async def scenario():
        lanes = Admission(threads=2, expensive_share=0.5, depth=1, wait=5.0)
        assert lanes.try_enter(QUERY)
        waiting = asyncio.ensure_future(lanes.enter(Ticket(QUERY)))
        await asyncio.sleep(0)
        with pytest.raises(Overloaded) as refused:
            await lanes.enter(Ticket(QUERY))
        waiting.cancel()
        return refused.value

    refusal = run(scenario())
    assert "full" in str(refusal) and refusal.retry_after == 5


def test_a_request_waits_no_longer_than_the_wait_deadline_counted_from_its_arrival():
    async def scenario():
        lanes = Admission(threads=1, expensive_share=1.0, depth=4, wait=0.3)
        assert lanes.try_enter(CHEAP)
        ticket = Ticket(CHEAP, arrived=time.monotonic() - 0.2)  # it was read 0.2 s ago
        asked = time.monotonic()
        with pytest.raises(Overloaded):
            await lanes.enter(ticket)
        return time.monotonic() - asked, lanes.queued(CHEAP)

    waited, left_waiting = run(scenario())
    assert waited < 0.3 and left_waiting == 0


def test_a_freed_thread_goes_to_the_longest_waiting_request_that_fits():
    async def scenario():
        lanes = Admission(threads=2, expensive_share=0.5, depth=4, wait=5.0)
        assert lanes.try_enter(QUERY) and lanes.try_enter(CHEAP)
        order: list[str] = []

        async def wait(ticket: Ticket, name: str):
            await lanes.enter(ticket)
            order.append(name)

        now = time.monotonic()
        query = asyncio.ensure_future(wait(Ticket(QUERY, arrived=now - 1), "query"))
        cheap = asyncio.ensure_future(wait(Ticket(CHEAP, arrived=now), "cheap"))
        await asyncio.sleep(0)
        lanes.leave(CHEAP)  # a cheap thread frees: the query lane is at its share, so cheap
        await asyncio.sleep(0)
        lanes.leave(QUERY)
        await asyncio.gather(query, cheap)
        return order, lanes.busy

    order, busy = run(scenario())
    assert order == ["cheap", "query"] and busy == {QUERY: 1, RENDER: 0, CHEAP: 1, HEALTH: 0}


def test_a_request_whose_client_left_while_waiting_is_never_started():
    async def scenario():
        lanes = Admission(threads=1, expensive_share=1.0, depth=4, wait=5.0)
        assert lanes.try_enter(CHEAP)
        gone = asyncio.ensure_future(lanes.enter(Ticket(CHEAP)))
        await asyncio.sleep(0)
        gone.cancel()
        await asyncio.gather(gone, return_exceptions=True)
        lanes.leave(CHEAP)
        return lanes.busy[CHEAP], lanes.queued(CHEAP)

    assert run(scenario()) == (0, 0)


# --- a real server --------------------------------------------------------------------------


def tree(root: int) -> list[int]:
    """A process and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by a process tree's live processes."""
    ticks = 0
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_used_over(root: int, seconds: float) -> float:
    before = cpu_seconds(root)
    time.sleep(seconds)
    return cpu_seconds(root) - before


def ask(served, query: str, timeout: float = REQUEST_TIMEOUT) -> tuple[requests.Response, float]:
    asked = time.monotonic()
    answer = requests.get(served.url + "sparql", params={"query": query}, timeout=timeout)
    return answer, time.monotonic() - asked


def send_and_leave(served, query: str) -> socket.socket:
    """Send a query on a raw connection, which the caller closes without reading."""
    netloc = urlsplit(served.url).netloc
    host, port = netloc.split(":")
    sock = socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT)
    sock.sendall(f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: {netloc}\r\n\r\n".encode())
    return sock


@pytest.fixture(scope="module")
def busy_server(nzsa_server, fixture_build):
    """One worker of 4 threads: queries may take 2, and 2 more may wait for 2 s."""
    return nzsa_server(
        fixture_build, WORKERS=1, THREADS=4, EXECUTORS=2, QUERY_TIMEOUT=3, QUEUE_WAIT=2,
        QUEUE_DEPTH=2, EXPENSIVE_SHARE=0.5,
    )  # fmt: skip


@pytest.mark.parametrize("replayed", [True, False], ids=["replayed", "rendered"])
def test_slow_queries_leave_threads_for_documents(
    busy_server, nzsa_server, fixture_build, replayed
):
    served = busy_server
    if not replayed:  # without the response cache every document takes a thread to render
        served = nzsa_server(fixture_build, WORKERS=1, THREADS=4, EXECUTORS=2, QUERY_TIMEOUT=3,
                             QUEUE_WAIT=2, QUEUE_DEPTH=2, RESPONSE_CACHE_BYTES=0)  # fmt: skip
    assert requests.get(served.url + DOC, timeout=REQUEST_TIMEOUT).status_code == 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        slow = [pool.submit(ask, served, slow_query(n + int(time.time()))) for n in range(8)]
        time.sleep(0.3)
        while not all(future.done() for future in slow):
            # Bounded by the request timeout: before, these waited behind the queries.
            document = requests.get(served.url + DOC, timeout=2)
            assert document.status_code == 200
            time.sleep(0.05)
        answers = [future.result() for future in slow]
    # Two run until the time limit; two wait, then time out; four find the queue full.
    assert {answer.status_code for answer, _ in answers} == {503}
    refused = [answer for answer, _ in answers if "Retry-After" in answer.headers]
    assert len(refused) >= 4 and all(int(a.headers["Retry-After"]) >= 1 for a in refused)
    assert max(elapsed for _, elapsed in answers) < 3 + 2  # QUERY_TIMEOUT, from arrival


def test_overload_is_answered_within_the_time_limit_counted_from_arrival(busy_server):
    # Six slow queries for four threads: before, the last two waited for a thread, then
    # had their whole time limit (about twice the limit in all).
    with ThreadPoolExecutor(max_workers=6) as pool:
        slow = [pool.submit(ask, busy_server, slow_query(n + int(time.time()))) for n in range(6)]
        answers = [future.result() for future in slow]
    assert {answer.status_code for answer, _ in answers} == {503}
    assert max(elapsed for _, elapsed in answers) < 3 + 1.5


def executors(served) -> set[int]:
    """The query executor processes of a server: its workers' children."""
    workers = {pid for pid in tree(served.process.pid) if parent(pid) == served.process.pid}
    return {pid for pid in tree(served.process.pid) if parent(pid) in workers}


def parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def busiest(pids: set[int]) -> int:
    """The process among `pids` that uses the most CPU over a second."""
    before = {pid: cpu_seconds(pid) for pid in pids}
    time.sleep(1.0)
    return max(pids, key=lambda pid: cpu_seconds(pid) - before[pid])


def test_an_abandoned_query_is_stopped(nzsa_server, fixture_build):
    served = nzsa_server(fixture_build, WORKERS=1, THREADS=4, EXECUTORS=2, QUERY_TIMEOUT=30)
    assert ask(served, "ASK { ?s ?p ?o }")[0].status_code == 200  # the executors have started
    sock = send_and_leave(served, SLOW + " }")
    running = busiest(executors(served))
    sock.close()
    # Stopped within a poll of its client leaving, not at its 30 s limit.
    deadline = time.monotonic() + 10
    while Path(f"/proc/{running}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{running}").exists()
    assert ask(served, "ASK { ?s ?p ?o }")[0].status_code == 200
