"""The remote store keeps its connection to the engine from one query to the next.

A new connection per query costs the engine (and nzsa) a connection set-up each time: with
the stock Virtuoso, which closes the connection after every gzip-encoded answer, nzsa took
1.8 times Virtuoso's own time on small joins (bench/OPTIMISATIONS.md). Sockets are counted
where urllib3 opens them; the engines are real private instances on loopback.
"""

from __future__ import annotations

import pytest
import urllib3.connection
from fixture_data import ID
from nzsa.formats import BY_NAME
from nzsa.store.base import QueryRequest
from nzsa.store.remote import RemoteStore

NZ = ID + "country/new-zealand"
QUERIES = [f"SELECT ?p ?o WHERE {{ <{NZ}> ?p ?o }} LIMIT {n}" for n in range(1, 6)] + [
    "SELECT ?s WHERE { ?s a ?c } LIMIT 3",
    "ASK { ?s ?p ?o }",
]


@pytest.fixture
def opened(monkeypatch) -> list[tuple]:
    """Record every socket urllib3 opens (and open it as usual)."""
    calls: list[tuple] = []
    real = urllib3.connection.connection.create_connection

    def counting(address, *args, **kwargs):
        calls.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.connection.connection, "create_connection", counting)
    return calls


def request(text: str, fmt: str = "json") -> QueryRequest:
    form = "ASK" if text.startswith("ASK") else "SELECT"
    return QueryRequest(text=text, form=form, result_format=BY_NAME[fmt], max_results=1000)


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_queries_share_one_connection(kind, engine_endpoint, fixture_build, opened):
    endpoint = engine_endpoint(kind, fixture_build)
    opened.clear()  # starting the engine polled it
    store = RemoteStore(endpoint, timeout=10.0, version_interval=0)
    try:
        for text in QUERIES:
            assert store.execute(request(text)).body
        assert store.select(f"SELECT ?o WHERE {{ <{NZ}> ?p ?o }}")
        assert store.construct(f"CONSTRUCT {{ <{NZ}> ?p ?o }} WHERE {{ <{NZ}> ?p ?o }}")
    finally:
        store.close()
    assert len(opened) == 1, f"{len(opened)} connections for {len(QUERIES) + 3} requests"


def test_a_cut_answer_does_not_spoil_the_next_query(engine_endpoint, fixture_build):
    # Our own cap stops reading part way: that connection is closed, not reused mid-answer.
    store = RemoteStore(engine_endpoint("virtuoso", fixture_build), timeout=10.0)
    try:
        everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        cut = QueryRequest(text=everything, form="SELECT", result_format=BY_NAME["tsv"],
                           max_results=2)  # fmt: skip
        assert store.execute(cut).truncated
        answer = store.execute(request(QUERIES[0], "tsv"))
        assert answer.row_count == 1 and not answer.truncated
    finally:
        store.close()


def test_an_engine_that_gzips_is_still_read(virtuoso):
    # The generic adapter accepts gzip, and the stock Virtuoso then gzips every answer.
    store = RemoteStore(virtuoso.endpoint, timeout=10.0, engine="sparql11")
    try:
        answer = store.execute(request(QUERIES[2]))
        assert answer.row_count == 3
        assert store.select(f"SELECT ?o WHERE {{ <{NZ}> ?p ?o }}")
    finally:
        store.close()
