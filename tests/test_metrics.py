"""Prometheus metrics: off by default, at /metrics or on their own address, whole-server.

Each server here has several workers (or a queue that refuses at once): a request must be
counted once, under its route and status, whichever worker answered it and whichever
answers the scrape.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from fixture_data import REQUEST_TIMEOUT, free_port
from prometheus_client.parser import text_string_to_metric_families

DOC = "doc/country/new-zealand.ttl"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12))


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    """Read a metrics page: each sample's value by its name and labels."""
    answer = requests.get(url, timeout=REQUEST_TIMEOUT)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def scrape_when(url: str, ready: Callable[[dict], bool], seconds: float = 10) -> dict:
    """Scrape until `ready` holds, for at most `seconds`: a worker counts a request just
    after sending its answer, so a scrape right after the answer may precede the count."""
    deadline = time.monotonic() + seconds
    while True:
        samples = scrape(url)
        if ready(samples) or time.monotonic() > deadline:
            return samples
        time.sleep(0.1)


def value(samples: dict, name: str, **labels: str) -> float:
    """A sample's value; 0 when it has not been counted yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests_of(samples: dict, route: str, status: str, method: str = "GET") -> float:
    return value(samples, "nzsa_http_requests_total", route=route, method=method, status=status)


@pytest.fixture(scope="module")
def metered(nzsa_server, fixture_build):
    """`nzsa serve` with metrics at /metrics and two workers."""
    return nzsa_server(fixture_build, METRICS="app", WORKERS=2, THREADS=4, QUERY_TIMEOUT=1)


@pytest.fixture(scope="module")
def refusing(nzsa_server, fixture_build):
    """One worker whose query lane has one thread and no queue: a second query is refused."""
    return nzsa_server(
        fixture_build, METRICS="app", WORKERS=1, THREADS=2, QUEUE_DEPTH=0, QUERY_TIMEOUT=2
    )


def test_metrics_are_off_by_default(server):
    answer = requests.get(server.url + "metrics", timeout=REQUEST_TIMEOUT)
    assert answer.status_code == 404
    assert "nzsa_http_requests" not in answer.text


def test_each_request_is_counted_once_under_its_route_whichever_worker_answered(metered):
    before = scrape(metered.url + "metrics")
    for _ in range(20):  # a new connection each: both workers answer some
        assert requests.get(metered.url + DOC, timeout=REQUEST_TIMEOUT).status_code == 200
    assert requests.get(metered.url + "no/such/thing", timeout=REQUEST_TIMEOUT).status_code == 404
    route = "/doc/<path:rest>"
    after = scrape_when(
        metered.url + "metrics",
        lambda s: (
            requests_of(s, route, "200") - requests_of(before, route, "200") >= 20
            and requests_of(s, "<unmatched>", "404") > requests_of(before, "<unmatched>", "404")
        ),
    )
    assert requests_of(after, route, "200") - requests_of(before, route, "200") == 20
    assert requests_of(after, "<unmatched>", "404") - requests_of(before, "<unmatched>", "404") == 1
    count = "nzsa_http_request_duration_seconds_count"
    assert value(after, count, route=route) - value(before, count, route=route) == 20


def test_replayed_answers_count_as_response_cache_hits(metered):
    url = metered.url + "doc/country/fiji.ttl"
    before = scrape(metered.url + "metrics")
    for _ in range(6):
        assert requests.get(url, timeout=REQUEST_TIMEOUT).status_code == 200
    hits = "nzsa_cache_lookups_total"

    def gained(samples: dict) -> float:
        now = value(samples, hits, cache="response", result="hit")
        return now - value(before, hits, cache="response", result="hit")

    after = scrape_when(metered.url + "metrics", lambda s: gained(s) >= 4)
    assert gained(after) >= 4  # each of the two workers misses at most once


def test_a_query_timeout_is_counted_with_its_executor_restart(metered):
    before = scrape(metered.url + "metrics")
    answer = requests.get(
        metered.url + "sparql", params={"query": SLOW + " } LIMIT 7"}, timeout=REQUEST_TIMEOUT
    )
    assert answer.status_code == 503 and "Retry-After" in answer.headers
    after = scrape_when(
        metered.url + "metrics",
        lambda s: requests_of(s, "/sparql", "503") > requests_of(before, "/sparql", "503"),
    )
    for name, labels in [
        ("nzsa_timeouts_total", {"kind": "query"}),
        ("nzsa_executor_restarts_total", {"reason": "timeout"}),
    ]:
        assert value(after, name, **labels) - value(before, name, **labels) == 1, name
    assert requests_of(after, "/sparql", "503") - requests_of(before, "/sparql", "503") == 1


def test_admission_refusals_are_counted_and_the_queue_is_empty_after(refusing):
    before = scrape(refusing.url + "metrics")

    def query(n: int) -> requests.Response:
        params = {"query": SLOW + f" }} LIMIT {n + 100}"}
        return requests.get(refusing.url + "sparql", params=params, timeout=REQUEST_TIMEOUT)

    with ThreadPoolExecutor(3) as pool:
        statuses = sorted(answer.status_code for answer in pool.map(query, range(3)))
    refusals = "nzsa_admission_refusals_total"

    def gained(samples: dict, name: str, **labels: str) -> float:
        return value(samples, name, **labels) - value(before, name, **labels)

    # Every query either timed out (503 from its limit) or was refused (503 from the queue).
    after = scrape_when(
        refusing.url + "metrics",
        lambda s: requests_of(s, "/sparql", "503") - requests_of(before, "/sparql", "503") >= 3,
    )
    counted = gained(after, refusals, lane="query", reason="full")
    timeouts = gained(after, "nzsa_timeouts_total", kind="query")
    assert statuses == [503, 503, 503]
    assert counted >= 1 and counted + timeouts == 3
    assert value(after, "nzsa_admission_queue_depth", lane="query") == 0
    assert value(after, "nzsa_admission_threads_busy", lane="query") == 0


def test_metrics_on_their_own_address_under_gunicorn(nzsa_server, fixture_build):
    address = f"127.0.0.1:{free_port()}"
    running = nzsa_server(fixture_build, METRICS=address, SERVER="gunicorn", WORKERS=2)
    assert requests.get(running.url + "metrics", timeout=REQUEST_TIMEOUT).status_code == 404
    before = scrape(f"http://{address}/metrics")
    for _ in range(10):
        assert requests.get(running.url + DOC, timeout=REQUEST_TIMEOUT).status_code == 200
    route = "/doc/<path:rest>"
    after = scrape_when(
        f"http://{address}/metrics",
        lambda s: requests_of(s, route, "200") - requests_of(before, route, "200") >= 10,
    )
    assert requests_of(after, route, "200") - requests_of(before, route, "200") == 10


def test_an_unreadable_metrics_setting_refuses_to_serve(fixture_build, tmp_path):
    import os
    import subprocess

    from fixture_data import NZSA

    env = {k: v for k, v in os.environ.items() if not k.startswith("NZSA_")}
    env.update(NZSA_BUILD_DIR=str(fixture_build), NZSA_REBUILD="never", NZSA_METRICS="yes")
    env["NZSA_PORT"] = str(free_port())
    done = subprocess.run([NZSA, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "METRICS" in done.stderr


def test_the_metrics_route_is_described_only_when_served(make_app):
    served = make_app(METRICS="app").test_client()
    assert "/metrics" in served.get("/openapi.json").json["paths"]
    answer = served.get("/metrics")
    assert answer.status_code == 200 and b"nzsa_http_requests" in answer.data
    assert answer.headers["Cache-Control"] == "no-store"
    plain = make_app().test_client()
    assert "/metrics" not in plain.get("/openapi.json").json["paths"]


def test_a_killed_workers_counts_stay_in_the_totals(fixture_build, tmp_path):
    import os
    import signal
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.faults import Served

    served = Served(fixture_build, tmp_path / "serve.log", METRICS="app", WORKERS=2)
    try:
        for _ in range(20):
            assert requests.get(f"{served.base}/{DOC}", timeout=REQUEST_TIMEOUT).ok
        route = "/doc/<path:rest>"
        metrics = served.base + "/metrics"
        counted = requests_of(
            scrape_when(metrics, lambda s: requests_of(s, route, "200") >= 20), route, "200"
        )
        assert counted == 20
        victim = served.workers()[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while victim in served.workers() or len(served.workers()) < 2:
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            time.sleep(0.1)
        for _ in range(5):
            assert requests.get(f"{served.base}/{DOC}", timeout=REQUEST_TIMEOUT).ok
        after = scrape_when(metrics, lambda s: requests_of(s, route, "200") >= 25)
        assert requests_of(after, route, "200") == 25
    finally:
        served.stop()
