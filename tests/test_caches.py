"""The caches behind the benchmark figures: repeated answers equal the first ones."""

from __future__ import annotations

import pytest

DOCUMENT = "/doc/country/new-zealand"
QUERY = "SELECT ?p ?o WHERE { <https://w3id.org/nzsa/id/country/new-zealand> ?p ?o }"


def test_repeated_revalidation_answers_the_same_304(client):
    etag = client.get(DOCUMENT, headers={"Accept": "text/turtle"}).headers["ETag"]
    headers = {"Accept": "text/turtle", "If-None-Match": etag}
    first, again = client.get(DOCUMENT, headers=headers), client.get(DOCUMENT, headers=headers)
    assert first.status_code == again.status_code == 304
    assert sorted(first.headers.items()) == sorted(again.headers.items())
    # Another Accept is another representation: its own ETag, so not a 304.
    other = client.get(DOCUMENT, headers={**headers, "Accept": "application/ld+json"})
    assert other.status_code == 200


def test_stale_revalidation_gets_the_document(client):
    stale = {"Accept": "text/turtle", "If-None-Match": '"stale"'}
    assert client.get(DOCUMENT, headers=stale).status_code == 200


def counting(app) -> list:
    """Record every query the app's store executes (the real store still answers)."""
    store, calls = app.extensions["nzsa"].store, []
    execute = store.execute
    store.execute = lambda request: calls.append(request) or execute(request)
    return calls


@pytest.mark.parametrize(
    "answers, responses, executed",
    [(0, 0, 2), (1_000_000, 0, 1), (0, 1_000_000, 1)],
    ids=["no cache", "answer cache", "response replay"],
)
def test_repeated_query_answers_equal_the_first(make_app, answers, responses, executed):
    app = make_app(QUERY_CACHE_BYTES=answers, RESPONSE_CACHE_BYTES=responses)
    calls = counting(app)
    client = app.test_client()
    accept = {"Accept": "application/sparql-results+json"}
    first = client.get("/sparql", query_string={"query": QUERY}, headers=accept)
    again = client.get("/sparql", query_string={"query": QUERY}, headers=accept)
    assert first.status_code == again.status_code == 200
    assert first.data == again.data
    assert sorted(first.headers.items()) == sorted(again.headers.items())
    assert len(calls) == executed


def test_replayed_answers_follow_the_accept_header(make_app):
    client = make_app(QUERY_CACHE_BYTES=0).test_client()
    kinds = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
    for _ in range(2):
        answers = [
            client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": kind})
            for kind in kinds
        ]
        assert [a.mimetype for a in answers] == kinds


@pytest.mark.parametrize("function", ["RAND()", "NOW()", "STRUUID()", "UUID()"])
def test_queries_that_change_between_runs_are_run_every_time(make_app, function):
    app = make_app()
    calls = counting(app)
    client = app.test_client()
    query = f"SELECT ?x WHERE {{ BIND({function} AS ?x) }}"
    answers = [client.get("/sparql", query_string={"query": query}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(a.headers["Cache-Control"] == "no-store" for a in answers)
    assert len(calls) == 3


def test_a_request_with_a_body_is_never_answered_from_memory(make_app):
    app = make_app()
    client = app.test_client()
    url = "/sparql?query=" + QUERY.replace(" ", "%20")
    assert client.get(url).status_code == 200
    huge = str(app.config["MAX_BODY_BYTES"] + 1)
    refused = client.get(url, environ_overrides={"CONTENT_LENGTH": huge})
    assert refused.status_code == 413


def test_errors_are_not_replayed(make_app):
    app = make_app()
    calls = counting(app)
    client = app.test_client()
    for _ in range(2):
        answer = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"})
        assert answer.status_code == 400
    assert len(calls) == 2


def test_forwarded_hosts_get_their_own_answers(make_app):
    client = make_app(TRUSTED_PROXIES=1, ALLOWED_HOSTS="one.example,two.example").test_client()
    for host in ("one.example", "two.example", "one.example"):
        answer = client.get("/id/country/new-zealand", headers={"X-Forwarded-Host": host})
        assert answer.status_code == 303
        assert answer.headers["Location"].startswith(f"http://{host}/doc/")


def test_rendered_documents_are_shared_through_the_build_folder(make_app, fixture_build):
    first = make_app().test_client().get(DOCUMENT, headers={"Accept": "text/turtle"})
    assert any((fixture_build / "rendered").iterdir())
    # A second app (another worker) reads the rendering instead of making it again.
    second = make_app().test_client().get(DOCUMENT, headers={"Accept": "text/turtle"})
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def counting_selects(app) -> list:
    """Record every one of the pages' own queries the app's store runs."""
    store, calls = app.extensions["nzsa"].store, []
    select = store.select
    store.select = lambda *args, **kwargs: calls.append(args) or select(*args, **kwargs)
    return calls


FIJI = "https://w3id.org/nzsa/id/country/fiji"


@pytest.mark.parametrize(
    ("path", "variants"),
    [
        pytest.param("/", ["/?x={n}", "/?utm_source={n}&fbclid={n}"], id="home"),
        pytest.param(f"/page?iri={FIJI}", [f"/page?iri={FIJI}&x={{n}}"], id="page"),
        pytest.param(
            f"/page?iri={FIJI}", [f"/page?iri={FIJI}&iri=https://x.example/{{n}}"], id="repeated"
        ),
        pytest.param(
            "/search?q=fiji", ["/search?x={n}&q=fiji", "/search?q=%66iji&y={n}"], id="search"
        ),  # fmt: skip
        pytest.param("/class/State", ["/class/State?junk={n}"], id="class"),
    ],
)
def test_unknown_parameters_do_not_defeat_the_caches(make_app, path, variants):
    app = make_app()
    calls = counting_selects(app)
    client = app.test_client()
    first = client.get(path, headers={"Accept": "text/html"})
    assert first.status_code == 200
    made = len(calls)
    assert made > 0
    for variant in variants:
        for n in range(20):
            again = client.get(variant.format(n=n), headers={"Accept": "text/html"})
            assert again.status_code == 200
            assert again.data == first.data
    assert len(calls) == made


def test_unknown_parameters_do_not_defeat_the_answer_caches(make_app):
    app = make_app()
    calls = counting(app)
    client = app.test_client()
    for n in range(20):
        answer = client.get("/sparql", query_string={"query": QUERY, "x": "y" * n})
        assert answer.status_code == 200
    assert len(calls) == 1


def test_the_parameters_a_route_reads_still_count(make_app):
    client = make_app().test_client()
    json = client.get("/search?q=fiji&format=json&utm=1")
    html = client.get("/search?q=fiji&format=html&utm=1")
    assert (json.mimetype, html.mimetype) == ("application/json", "text/html")
    other = client.get("/search?q=tonga&x=1", headers={"Accept": "application/json"})
    assert [r["label"] for r in other.json["results"]] == ["Tonga"]
