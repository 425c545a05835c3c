"""SIGTERM lets a request that needs longer than 10 s finish, under both servers.

Finding (issue 11): the drain window equalled the query time limit, so stopping the
server cut every request that needed longer than 10 s. Now a stopping worker has the
longest a request may take (QUEUE_WAIT + QUERY_TIMEOUT) and 5 s more; the query
executors, which systemd's or a terminal's signal to the whole group reaches too, leave
stopping to their worker.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

JSON = {"Accept": "application/sparql-results+json"}
# Seconds the query should need: well past the 10 s that cut it before.
NEEDED = 20.0


def cross_join(n: int) -> str:
    """A query whose work grows as n³ (three VALUES lists joined), counted in one row."""
    values = " ".join(str(i) for i in range(n))
    lists = " ".join(f"VALUES ?{v} {{ {values} }}" for v in "abc")
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {lists} }}"


def count(served, query: str, timeout: float) -> tuple[int, int | None]:
    answer = requests.get(
        served.url + "sparql", params={"query": query}, headers=JSON, timeout=timeout
    )
    if answer.status_code != 200:
        return answer.status_code, None
    return 200, int(answer.json()["results"]["bindings"][0]["n"]["value"])


def sized_for(served, seconds: float) -> int:
    """The n whose cross join takes about `seconds` here, from a short run's rate."""
    n = 150  # a second or two: long enough that the HTTP round trip does not count
    started = time.monotonic()
    assert count(served, cross_join(n), timeout=60) == (200, n**3)
    took = max(time.monotonic() - started, 0.1)
    return int(n * (seconds / took) ** (1 / 3)) + 1


@pytest.mark.parametrize("to", ["main process", "process group"])
@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_sigterm_lets_a_request_longer_than_10_s_finish(nzsa_server, fixture_build, server, to):
    served = nzsa_server(
        fixture_build, SERVER=server, WORKERS=1, THREADS=2, EXECUTORS=1, QUERY_TIMEOUT=60,
        RESPONSE_CACHE_BYTES=0, QUERY_CACHE_BYTES=0,
    )  # fmt: skip
    n = sized_for(served, NEEDED)
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(count, served, cross_join(n), 120)
        time.sleep(1.0)  # the query is running
        if to == "main process":
            served.process.send_signal(signal.SIGTERM)
        else:
            os.killpg(served.process.pid, signal.SIGTERM)
        assert answer.result() == (200, n**3), served.output()[-3000:]
    served.process.wait(timeout=90)
    assert served.process.returncode is not None
