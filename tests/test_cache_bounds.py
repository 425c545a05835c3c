"""Every cache holds no more than its budget: keys, headers and values counted, measured.

Memory is measured with tracemalloc while a client sends requests that differ only in
long text the caches keep as keys (query strings, paths, query texts); the disk cache of
renderings is measured by the bytes in its folder.
"""

from __future__ import annotations

import gc
import shutil
import tracemalloc
import urllib.parse

from fixture_data import COUNTRIES, ORGANISATIONS

BUDGET = 500_000
# What memory may hold beyond the budget: Python's own churn while answering.
SLACK = 1_000_000
# Each request's long text is kept as a key: 150 of them hold three to five times the
# budget and slack together, unless the cache counts them.
REQUESTS = 150


def grown(send) -> int:
    """Return how many bytes stay allocated after `send(n)` for n in range(REQUESTS)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(REQUESTS):
            send(n)
        # The test client splits each URL through urllib's own cache of recent URLs.
        urllib.parse.urlsplit.cache_clear()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_replayed_answers_count_their_keys(make_app):
    app = make_app(RESPONSE_CACHE_BYTES=BUDGET, QUERY_CACHE_BYTES=0)
    client = app.test_client()
    client.get("/sparql?query=ASK%7B%7D")

    def send(n):
        # `format` may repeat and every value is read, so each request is its own key.
        junk = f"{n}-" + "x" * 30_000
        response = client.get(f"/sparql?query=ASK%7B%7D&format=json&format={junk}")
        assert response.status_code == 200

    assert grown(send) < BUDGET + SLACK


def test_query_answers_count_their_query_texts(make_app):
    app = make_app(RESPONSE_CACHE_BYTES=0, QUERY_CACHE_BYTES=BUDGET)
    client = app.test_client()

    def send(n):
        query = f"# {n} {'x' * 19_000}\nASK {{}}"
        response = client.post("/sparql", data={"query": query})
        assert response.status_code == 200

    assert grown(send) < BUDGET + SLACK


def test_renderings_count_the_paths_that_name_them(make_app):
    app = make_app(RESPONSE_CACHE_BYTES=0, RENDER_CACHE_BYTES=BUDGET)
    client = app.test_client()

    def send(n):
        response = client.get(f"/id/country/{n}-{'x' * 30_000}")
        assert response.status_code == 404

    assert grown(send) < BUDGET + SLACK


def test_the_shared_renderings_stay_under_their_budget(make_app, fixture_build, tmp_path):
    build = shutil.copytree(
        fixture_build, tmp_path / "build", ignore=shutil.ignore_patterns("rendered")
    )
    budget = 20_000
    app = make_app(BUILD_DIR=str(build), SHARED_CACHE_BYTES=budget, RESPONSE_CACHE_BYTES=0)
    client = app.test_client()
    folder = build / "rendered"
    sizes = []
    for kind, slugs in (("country", COUNTRIES), ("organisation", ORGANISATIONS)):
        for slug in slugs:
            for suffix in (".ttl", ".jsonld", ".rdf", ".nt", ".html"):
                assert client.get(f"/doc/{kind}/{slug}{suffix}").status_code == 200
                sizes.append(sum(p.stat().st_size for p in folder.iterdir()))
    # Every rendering was written (more than the budget in all) and the folder stayed
    # within the budget and the eighth a worker may write before it prunes.
    assert len(sizes) == 45 and max(sizes) <= budget * 9 // 8
    assert sizes[-1] > 0
