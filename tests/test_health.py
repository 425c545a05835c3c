"""/healthz and /readyz over a real server: JSON, no-store, 503 when the store does not
answer, and answered while every app thread is taken by slow queries."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from fixture_data import REQUEST_TIMEOUT, free_port

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12))


@pytest.fixture(scope="module")
def busy(nzsa_server, fixture_build):
    """One worker of one thread: one slow query takes it, and others wait for it."""
    return nzsa_server(
        fixture_build, WORKERS=1, THREADS=1, EXECUTORS=1, QUERY_TIMEOUT=6, QUEUE_WAIT=6,
        QUEUE_DEPTH=8,
    )  # fmt: skip


def test_probes_answer_json_that_no_cache_keeps(busy):
    alive = requests.get(busy.url + "healthz", timeout=REQUEST_TIMEOUT)
    assert alive.status_code == 200 and alive.json() == {"alive": True}
    ready = requests.get(busy.url + "readyz", timeout=REQUEST_TIMEOUT)
    assert ready.status_code == 200 and ready.headers["Content-Type"] == "application/json"
    body = ready.json()
    assert body["ready"] is True and body["store"]["answering"] is True
    assert len(body["store"]["version"]) == 64  # the dataset's SHA-256
    assert body["sources"]["valid"] is None  # REBUILD=never: not checked, and says so
    for answer in (alive, ready):
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_probes_answer_while_slow_queries_take_every_thread(busy):
    # Before, a probe waited in the queue behind the queries, then got 503.
    with ThreadPoolExecutor(max_workers=4) as pool:
        slow = [
            pool.submit(requests.get, busy.url + "sparql",
                        params={"query": SLOW + f" }} LIMIT {n + int(time.time())}"},
                        timeout=REQUEST_TIMEOUT * 3)
            for n in range(4)
        ]  # fmt: skip
        time.sleep(1.0)
        assert not all(future.done() for future in slow)
        for probe in ("healthz", "readyz"):
            answer = requests.get(busy.url + probe, timeout=3)
            assert answer.status_code == 200, (probe, answer.text)
        for future in slow:
            future.result()


def test_readyz_says_503_when_the_store_does_not_answer(nzsa_server, fixture_build):
    endpoint = f"http://127.0.0.1:{free_port()}/query"
    down = nzsa_server(
        fixture_build, STORE="remote", REMOTE_ENDPOINT=endpoint, WORKERS=1, THREADS=2
    )
    assert requests.get(down.url + "healthz", timeout=REQUEST_TIMEOUT).status_code == 200
    ready = requests.get(down.url + "readyz", timeout=REQUEST_TIMEOUT)
    assert ready.status_code == 503 and ready.headers["Cache-Control"] == "no-store"
    store = ready.json()["store"]
    assert store["answering"] is False and ready.json()["ready"] is False
    # No internal address in a public answer (issue 11's finding for /sparql).
    assert endpoint.split("//")[1].split("/")[0] not in ready.text, ready.text
